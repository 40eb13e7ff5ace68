/**
 * Builds Zodiac Roles v2 (Roles and its two linked libraries, Integrity and Packer, plus the
 * MultiSendUnwrapper adapter) from a clone of the public repository at the pinned commits
 * (`source.json`), with the compiler and settings of its hardhat config (solc 0.8.21, EVM
 * shanghai, optimizer 100 runs), into `artifacts/`. No package publishes Roles' bytecode, so the
 * artifacts are committed and this script is how anyone rebuilds them, byte for byte:
 *
 *   git clone https://github.com/gnosisguild/zodiac-modifier-roles ../zodiac-modifier-roles
 *   npm run roles:build -- ../zodiac-modifier-roles           # writes artifacts/
 *   npm run roles:build -- ../zodiac-modifier-roles --check   # rebuilds and compares with the committed ones
 *
 * Roles, Integrity and Packer are version 2.1.0 (the latest published Roles), built from the merge
 * that released v2.1; the repository's later commits moved to zodiac-core and a new layout and
 * match no published Roles. The MultiSendUnwrapper is 2.1.1, its latest (a bounds fix), from HEAD.
 *
 * Sources are read from the clone's git objects at each build's commit (whatever is checked out),
 * the Solidity imports of npm packages from the exact versions `source.json` pins (installed as
 * devDependencies). Source unit names are the ones of the repository's hardhat project
 * (`contracts/Roles.sol`, `@gnosis.pm/zodiac/contracts/core/Module.sol`), as in the published
 * compiler input, so the metadata hash names no path of the machine that built it.
 *
 * Every build is also checked against the repository's `mastercopies.json` (the bytecode of each
 * deployed mastercopy and its compiler input): each artifact, linked at the addresses of the
 * published libraries, must equal its mastercopy byte for byte. (That compiler input lists the
 * libraries in its settings, but the mastercopy was compiled without them and linked afterwards:
 * solc's metadata records `settings.libraries`, so compiling with them changes the metadata hash.)
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import solc from 'solc-0.8.21'

const here = fileURLToPath(new URL('./', import.meta.url))
const projectRoot = join(here, '..', '..', '..')
const artifactsDir = join(here, 'artifacts')

type LinkReferences = Record<string, Record<string, { start: number; length: number }[]>>

export type RolesBuild = {
  /** The mastercopy version (in `mastercopies.json`) that these sources produce. */
  version: string
  commit: string
  /** npm package → exact version, for the Solidity files the sources import. */
  packages: Record<string, string>
  /** Contract name → its source unit (a path under `packageRoot`). */
  contracts: Record<string, string>
}

export type RolesSource = {
  repository: string
  /** The hardhat project in the repository: source unit names are relative to it. */
  packageRoot: string
  compiler: string
  settings: { optimizer: { enabled: boolean; runs: number }; evmVersion: string }
  mastercopies: { commit: string; path: string }
  builds: RolesBuild[]
}

export const rolesSource = JSON.parse(readFileSync(join(here, 'source.json'), 'utf8')) as RolesSource

export type RolesArtifact = {
  contractName: string
  sourceName: string
  abi: unknown[]
  bytecode: `0x${string}`
  /** Libraries to link: file → library → byte offsets of the placeholders in `bytecode`. */
  linkReferences: LinkReferences
  deployedBytecodeSize: number
  /** Where it comes from, and the published mastercopy its bytecode equals (linked at the mastercopy's library addresses). */
  source: { repository: string; commit: string; packageRoot: string; version: string; mastercopy: `0x${string}` }
}

type SolcContract = {
  abi: unknown[]
  evm: { bytecode: { object: string; linkReferences: LinkReferences }; deployedBytecode: { object: string } }
}
type SolcOutput = {
  errors?: { severity: string; formattedMessage: string }[]
  contracts?: Record<string, Record<string, SolcContract>>
}

type Mastercopy = {
  bytecode: string
  address: string
  compilerVersion: string
  compilerInput: { settings: { libraries?: Record<string, Record<string, string>> } }
}

const git = (checkout: string, args: string[]) =>
  execFileSync('git', ['-C', checkout, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] })

/** The directory of `name` as Node would find it from `fromDir` (packages that export no `./package.json` included). */
function findPackage(fromDir: string, name: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name)
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dirname(dir) === dir) return undefined
  }
}

/**
 * Where the pinned version of each npm package is installed. A pinned version may sit nested under
 * another pinned package (OpenZeppelin 5.0.0 under `@gnosis.pm/zodiac`, through package.json's
 * `overrides`) because keel's own OpenZeppelin is newer.
 */
function packageDirs(packages: Record<string, string>): Record<string, string> {
  const version = (dir: string) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version
  const roots = Object.keys(packages).flatMap((name) => findPackage(projectRoot, name) ?? [])
  return Object.fromEntries(
    Object.entries(packages).map(([name, wanted]) => {
      const dir = [projectRoot, ...roots].map((from) => findPackage(from, name)).find((d) => d !== undefined && version(d) === wanted)
      if (!dir) throw new Error(`${name}@${wanted} is not installed: npm install (package.json pins it)`)
      return [name, dir]
    }),
  )
}

/** The npm package an import names (`@scope/name/...` or `name/...`). */
const packageOf = (path: string) =>
  path
    .split('/')
    .slice(0, path.startsWith('@') ? 2 : 1)
    .join('/')

function compile(checkout: string, build: RolesBuild): SolcOutput {
  const dirs = packageDirs(build.packages)
  const fromRepository = (unit: string) => git(checkout, ['show', `${build.commit}:${rolesSource.packageRoot}/${unit}`])
  const findImport = (path: string) => {
    const unit = normalize(path)
    if (unit.startsWith('..') || unit.startsWith('/')) return { error: `import outside the project: ${path}` }
    const pkg = dirs[packageOf(unit)]
    if (pkg) {
      const file = join(pkg, unit.slice(packageOf(unit).length))
      return existsSync(file) ? { contents: readFileSync(file, 'utf8') } : { error: `${path} not found in ${packageOf(unit)}` }
    }
    if (unit.startsWith('@')) return { error: `${path}: ${packageOf(unit)} is not pinned in source.json` }
    try {
      return { contents: fromRepository(unit) }
    } catch {
      return { error: `${path} not found in ${rolesSource.repository} at ${build.commit}` }
    }
  }
  const units = [...new Set(Object.values(build.contracts))].sort()
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(units.map((u) => [u, { content: fromRepository(u) }])),
    settings: {
      ...rolesSource.settings,
      outputSelection: Object.fromEntries(
        units.map((u) => [u, { '*': ['abi', 'evm.bytecode.object', 'evm.bytecode.linkReferences', 'evm.deployedBytecode.object'] }]),
      ),
    },
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as SolcOutput
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new Error(`Roles ${build.version} compilation failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`)
  return output
}

const contractOf = (output: SolcOutput, build: RolesBuild, name: string): SolcContract => {
  const file = build.contracts[name] ?? ''
  const c = output.contracts?.[file]?.[name]
  if (!c) throw new Error(`${name} not found in ${file}`)
  return c
}

/**
 * Compiles every build of `source.json` from the clone's git objects into linkable artifacts, each
 * checked against its published mastercopy (throws if any differs).
 */
export function buildRoles(checkout: string): RolesArtifact[] {
  const { commit, path } = rolesSource.mastercopies
  const mastercopies = JSON.parse(git(checkout, ['show', `${commit}:${path}`])) as Record<string, Record<string, Mastercopy>>
  return rolesSource.builds.flatMap((build) => {
    const output = compile(checkout, build)
    return Object.entries(build.contracts).map(([name, file]) => {
      const c = contractOf(output, build, name)
      const mastercopy = mastercopies[name]?.[build.version]
      if (!mastercopy) throw new Error(`${name} ${build.version} is not in ${path} at ${commit}`)
      const artifact = {
        contractName: name,
        sourceName: file,
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}` as const,
        linkReferences: c.evm.bytecode.linkReferences,
        deployedBytecodeSize: c.evm.deployedBytecode.object.length / 2,
      }
      const linked = linkHex(artifact, mastercopy.compilerInput.settings.libraries ?? {})
      const published = mastercopy.bytecode.slice(2).toLowerCase()
      if (linked !== published)
        throw new Error(
          `${name} ${build.version} differs from mastercopy ${mastercopy.address} at bytes ${differingRanges(linked, published)}`,
        )
      const source = {
        repository: rolesSource.repository,
        commit: build.commit,
        packageRoot: rolesSource.packageRoot,
        version: build.version,
      }
      return { ...artifact, source: { ...source, mastercopy: mastercopy.address as `0x${string}` } }
    })
  })
}

/** Replaces each library placeholder with the library's address (`libraries`: file → library → address). */
function linkHex(a: { bytecode: string; linkReferences: LinkReferences }, libraries: Record<string, Record<string, string>>): string {
  let code = a.bytecode.slice(2)
  for (const [file, refs] of Object.entries(a.linkReferences)) {
    for (const [lib, spots] of Object.entries(refs)) {
      const address = libraries[file]?.[lib]
      if (!address) throw new Error(`${lib} (${file}) has no address to link`)
      for (const { start, length } of spots)
        code = code.slice(0, start * 2) + address.slice(2).toLowerCase() + code.slice((start + length) * 2)
    }
  }
  return code
}

/** Byte ranges where two hex strings differ. */
function differingRanges(a: string, b: string): string {
  const ranges: [number, number][] = []
  for (let i = 0; i < Math.max(a.length, b.length) / 2; i++) {
    if (a.slice(i * 2, i * 2 + 2) === b.slice(i * 2, i * 2 + 2)) continue
    const last = ranges.at(-1)
    if (last && last[1] === i) last[1] = i + 1
    else ranges.push([i, i + 1])
  }
  return ranges.map(([s, e]) => `${s}..${e}`).join(', ')
}

const artifactText = (a: RolesArtifact) => `${JSON.stringify(a, null, 1)}\n`

function main(argv: string[]): number {
  const checkout = argv.find((a) => !a.startsWith('--'))
  if (!checkout) {
    console.error('usage: npm run roles:build -- <clone of gnosisguild/zodiac-modifier-roles> [--check]')
    return 2
  }
  const built = buildRoles(checkout)
  for (const a of built) {
    const linked = Object.values(a.linkReferences).flatMap((refs) => Object.keys(refs))
    const how = linked.length > 0 ? `, once ${linked.join(' and ')} are linked at its libraries' addresses` : ''
    console.log(`${a.contractName} ${a.source.version} equals mastercopy ${a.source.mastercopy}${how}`)
  }
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
