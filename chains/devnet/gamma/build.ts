/**
 * Builds Opyn's Gamma Protocol v2 contracts from a checkout of their public repository at the
 * pinned commit (`source.json`), with the compiler and settings of their truffle config (solc
 * 0.6.10, optimizer 200 runs), into `artifacts/`. No package publishes Gamma's bytecode, so the
 * artifacts are committed and this script is how anyone rebuilds them, byte for byte:
 *
 *   git clone https://github.com/opynfinance/GammaProtocol ../GammaProtocol
 *   git -C ../GammaProtocol checkout 1b3c62d030d8fa0f711b4ff2009498e9d8cb4503
 *   npm run gamma:build -- ../GammaProtocol           # writes artifacts/
 *   npm run gamma:build -- ../GammaProtocol --check   # rebuilds and compares with the committed ones
 *
 * Source unit names are the repository's own paths (`contracts/core/Controller.sol`), so the
 * metadata hash in the bytecode names no path of the machine that built it.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import solc from 'solc-0.6.10'

const here = fileURLToPath(new URL('./', import.meta.url))
const artifactsDir = join(here, 'artifacts')

export type GammaSource = {
  repository: string
  commit: string
  compiler: string
  settings: { optimizer: { enabled: boolean; runs: number }; evmVersion: string }
  /** Contract name → its file in the repository. */
  contracts: Record<string, string>
}

export const gammaSource = JSON.parse(readFileSync(join(here, 'source.json'), 'utf8')) as GammaSource

export type GammaArtifact = {
  contractName: string
  sourceName: string
  abi: unknown[]
  bytecode: `0x${string}`
  /** Libraries to link: file → library → byte offsets of the placeholders in `bytecode`. */
  linkReferences: Record<string, Record<string, { start: number; length: number }[]>>
  deployedBytecodeSize: number
}

type SolcOutput = {
  errors?: { severity: string; formattedMessage: string }[]
  contracts?: Record<
    string,
    Record<
      string,
      {
        abi: unknown[]
        evm: { bytecode: { object: string; linkReferences: GammaArtifact['linkReferences'] }; deployedBytecode: { object: string } }
      }
    >
  >
}

export function buildGamma(checkout: string): GammaArtifact[] {
  const head = execFileSync('git', ['-C', checkout, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()
  if (head !== gammaSource.commit) throw new Error(`${checkout} is at ${head}; check out ${gammaSource.commit} first`)
  const files = [...new Set(Object.values(gammaSource.contracts))].sort()
  const read = (path: string) => readFileSync(join(checkout, path), 'utf8')
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(files.map((f) => [f, { content: read(f) }])),
    settings: {
      ...gammaSource.settings,
      outputSelection: Object.fromEntries(
        files.map((f) => [f, { '*': ['abi', 'evm.bytecode.object', 'evm.bytecode.linkReferences', 'evm.deployedBytecode.object'] }]),
      ),
    },
  }
  // Imports are relative to the importing unit: solc hands us `contracts/...` paths inside the repository.
  const findImport = (path: string) => {
    const p = normalize(path)
    if (p.startsWith('..') || p.startsWith('/')) return { error: `import outside the repository: ${path}` }
    return existsSync(join(checkout, p)) ? { contents: read(p) } : { error: `${path} not found in ${gammaSource.repository}` }
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as SolcOutput
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new Error(`Gamma compilation failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`)
  return Object.entries(gammaSource.contracts).map(([name, file]) => {
    const c = output.contracts?.[file]?.[name]
    if (!c) throw new Error(`${name} not found in ${file}`)
    return {
      contractName: name,
      sourceName: file,
      abi: c.abi,
      bytecode: `0x${c.evm.bytecode.object}`,
      linkReferences: c.evm.bytecode.linkReferences,
      deployedBytecodeSize: c.evm.deployedBytecode.object.length / 2,
    }
  })
}

const artifactText = (a: GammaArtifact) =>
  `${JSON.stringify({ ...a, source: { repository: gammaSource.repository, commit: gammaSource.commit } }, null, 1)}\n`

function main(argv: string[]): number {
  const checkout = argv.find((a) => !a.startsWith('--'))
  if (!checkout) {
    console.error('usage: npm run gamma:build -- <checkout of opynfinance/GammaProtocol> [--check]')
    return 2
  }
  const built = buildGamma(checkout)
  if (argv.includes('--check')) {
    const differ = built.filter((a) => readFileSync(join(artifactsDir, `${a.contractName}.json`), 'utf8') !== artifactText(a))
    for (const a of built)
      console.log(`${differ.includes(a) ? 'DIFFERS' : 'same   '} ${a.contractName} (${a.deployedBytecodeSize} bytes deployed)`)
    return differ.length === 0 ? 0 : 1
  }
  mkdirSync(artifactsDir, { recursive: true })
  for (const a of built) {
    writeFileSync(join(artifactsDir, `${a.contractName}.json`), artifactText(a))
    console.log(`wrote artifacts/${a.contractName}.json (${a.deployedBytecodeSize} bytes deployed)`)
  }
  return 0
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exit(main(process.argv.slice(2)))
