import { readFileSync } from 'node:fs'
import { type Abi, type Address, type Hex, isHex } from 'viem'
import { DevnetError } from '../../errors.ts'

/** The Zodiac Roles v2 contracts keel deploys, as built by `build.ts` from the pinned commits. */
export type RolesContractName = 'Roles' | 'Integrity' | 'Packer' | 'MultiSendUnwrapper'

/** The libraries Roles links (its mastercopy links them at their published addresses). */
export type RolesLibraryName = 'Integrity' | 'Packer'

export type RolesArtifact = {
  contractName: RolesContractName
  sourceName: string
  abi: Abi
  bytecode: Hex
  /** Libraries to link: file → library → byte offsets of the placeholders in `bytecode`. */
  linkReferences: Record<string, Record<string, { start: number; length: number }[]>>
  deployedBytecodeSize: number
  /** The published mastercopy that `bytecode` equals (Roles: once linked at the published libraries). */
  source: { repository: string; commit: string; packageRoot: string; version: string; mastercopy: Address }
}

const cache = new Map<RolesContractName, RolesArtifact>()

/** A Roles contract's committed artifact. */
export function rolesArtifact(name: RolesContractName): RolesArtifact {
  let a = cache.get(name)
  if (!a) {
    a = JSON.parse(readFileSync(new URL(`./artifacts/${name}.json`, import.meta.url), 'utf8')) as RolesArtifact
    cache.set(name, a)
  }
  return a
}

/** Deployable bytecode of an artifact with its library placeholders replaced by the libraries' addresses. */
export function link(artifact: RolesArtifact, libraries: Partial<Record<RolesLibraryName, Address>> = {}): Hex {
  let code = artifact.bytecode.slice(2)
  for (const refs of Object.values(artifact.linkReferences)) {
    for (const [lib, spots] of Object.entries(refs)) {
      const address = libraries[lib as RolesLibraryName]
      if (!address) throw new DevnetError(`Roles ${artifact.contractName} needs library ${lib} linked`)
      for (const { start, length } of spots)
        code = code.slice(0, start * 2) + address.slice(2).toLowerCase() + code.slice((start + length) * 2)
    }
  }
  const bytecode = `0x${code}` as const
  if (!isHex(bytecode)) throw new DevnetError(`Roles ${artifact.contractName} has unlinked libraries`)
  return bytecode
}

/**
 * The Roles modifier's ABI, exactly as compiled (typed loosely, as `Abi`: enough for viem's
 * `encodeFunctionData`, `decodeErrorResult` and `encodeDeployData`).
 */
export const rolesAbi: Abi = rolesArtifact('Roles').abi
