import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import solc from 'solc'
import { BaseError } from '../../../agent/errors.ts'

/** Where the committed artifacts live; deployment reads them, never the compiler. */
export const artifactsDir = fileURLToPath(new URL('../artifacts/', import.meta.url))
const contractsDir = fileURLToPath(new URL('./', import.meta.url))

export type CompiledArtifact = { contractName: string; abi: unknown[]; bytecode: `0x${string}` }

export class ContractsBuildError extends BaseError {
  override name = 'Chains.ContractsBuildError' as const
}

type SolcOutput = {
  errors?: { severity: string; formattedMessage: string }[]
  contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>
}

/**
 * Reads an imported source (`@layerzerolabs/oft-evm/contracts/...`) from the nearest node_modules,
 * as Node finds packages. The import path itself stays the source unit name, so the metadata hash
 * holds package paths only, never this machine's, and pinned package versions give the same bytes.
 */
export function findImport(path: string): { contents: string } | { error: string } {
  if (path.startsWith('.') || path.startsWith('/')) return { error: `not a package import: ${path}` }
  for (let dir = contractsDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', path)
    if (existsSync(candidate)) return { contents: readFileSync(candidate, 'utf8') }
    if (dirname(dir) === dir) return { error: `${path} not found in any node_modules above ${contractsDir}` }
  }
}

/** Compiles chains/devnet/contracts/*.sol with the pinned solc-js; same sources give the same bytes. */
export function compileContracts(): CompiledArtifact[] {
  const files = readdirSync(contractsDir)
    .filter((f) => f.endsWith('.sol'))
    .sort()
  // Source names are bare file names so that no machine path ends up in the metadata hash.
  const sources = Object.fromEntries(files.map((f) => [f, { content: readFileSync(`${contractsDir}${f}`, 'utf8') }]))
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      // Bytecode for our own files only: the imported libraries are compiled into them, not emitted.
      outputSelection: Object.fromEntries(files.map((f) => [f, { '*': ['abi', 'evm.bytecode.object'] }])),
    },
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as SolcOutput
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) {
    throw new ContractsBuildError('Solidity compilation failed', { metaMessages: errors.map((e) => e.formattedMessage) })
  }
  const artifacts: CompiledArtifact[] = []
  for (const file of files) {
    for (const [contractName, c] of Object.entries(output.contracts?.[file] ?? {})) {
      artifacts.push({ contractName, abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` })
    }
  }
  return artifacts.sort((a, b) => a.contractName.localeCompare(b.contractName))
}

/** The exact bytes written for an artifact, so a check can compare files byte for byte. */
export const renderArtifact = (a: CompiledArtifact): string => `${JSON.stringify(a, null, 2)}\n`

/** Writes the artifacts (or, with `check`, reports which committed ones differ); returns the names that differ. */
export function buildContracts(params: { check: boolean }): string[] {
  const stale: string[] = []
  for (const artifact of compileContracts()) {
    const path = `${artifactsDir}${artifact.contractName}.json`
    const rendered = renderArtifact(artifact)
    let committed: string | null = null
    try {
      committed = readFileSync(path, 'utf8')
    } catch {
      committed = null
    }
    if (committed !== rendered) {
      stale.push(artifact.contractName)
      if (!params.check) writeFileSync(path, rendered)
    }
  }
  return stale
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const check = process.argv.includes('--check')
  const stale = buildContracts({ check })
  if (check && stale.length > 0) {
    process.stderr.write(`artifacts out of date: ${stale.join(', ')}\n`)
    process.exit(1)
  }
  process.stdout.write(check ? 'artifacts up to date\n' : `wrote ${stale.length} changed artifact(s)\n`)
}
