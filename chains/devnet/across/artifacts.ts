import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Abi, type Hex, isHex } from 'viem'
import { z } from 'zod'
import { DevnetError } from '../../errors.ts'
import { type Artifact, packageDir } from '../artifacts.ts'

const artifactSchema = z.object({
  abi: z.array(z.looseObject({ type: z.string() })),
  bytecode: z.string().refine((s) => isHex(s) && s.length > 2, 'expected linked, non-empty bytecode'),
})

/** The Across contracts keel deploys, as exported by `@across-protocol/contracts` (foundry build, no libraries to link). */
export type AcrossArtifactName = 'Ethereum_SpokePool' | 'ERC1967Proxy'

/** An Across contract from its published npm artifact (`dist/evm/artifacts/<name>.sol/<name>.json`). */
export function loadAcrossArtifact(name: AcrossArtifactName): Artifact {
  const path = join(packageDir('@across-protocol/contracts'), 'dist', 'evm', 'artifacts', `${name}.sol`, `${name}.json`)
  const parsed = artifactSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')))
  if (!parsed.success) throw new DevnetError(`Across artifact ${name} is malformed`, { details: parsed.error.message })
  return { abi: parsed.data.abi as unknown as Abi, bytecode: parsed.data.bytecode as Hex }
}
