import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, openSync, rmSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Connection, type TLSConfig } from '@temporalio/client'
import { z } from 'zod'
import { findFreePort as freePort, isPortFree, isProcessAlive } from '../chains/devnet/localProcess.ts'
import type { KeelConfig } from './config.ts'
import { TemporalCliUnavailableError, TemporalPortInUseError, TemporalServerStartError, TemporalTlsFileError } from './errors.ts'
import { type Log, resolveTemporalCli, withDirLock } from './resolveTemporalCli.ts'

/** Options that work for both `Connection.connect` (client) and `NativeConnection.connect` (worker). */
export type TemporalConnectionOptions = {
  address: string
  tls?: TLSConfig
  /** Temporal Cloud API key in clear: the SDK needs the string. Never log these options. */
  apiKey?: string
}

/** A Temporal service keel can talk to, and how to let go of it. */
export type TemporalHandle = {
  address: string
  namespace: string
  connectionOptions: TemporalConnectionOptions
  /** Web UI of a local dev server; undefined for remote services and headless servers. */
  uiUrl: string | undefined
  /** 'remote': TEMPORAL_ADDRESS; 'started': this call started it; 'reused': a keel dev server for this state dir was running. */
  origin: 'remote' | 'started' | 'reused'
  pid: number | undefined
  /** Stops a server this call started (kills its process group, waits for exit); a no-op for remote and reused servers. */
  stop: () => Promise<void>
}

export type EnsureTemporalParams = {
  config: KeelConfig
  log: Log
  /** Fresh throw-away local server for tests, even when TEMPORAL_ADDRESS is set: in-memory, random port, headless, never reused. */
  ephemeral?: boolean
  readyTimeoutMs?: number
}

const serverInfoSchema = z.object({
  pid: z.number().int().positive(),
  address: z.string(),
  namespace: z.string(),
  uiUrl: z.string().optional(),
  dbFilename: z.string(),
  startedAt: z.string(),
})
type ServerInfo = z.infer<typeof serverInfoSchema>

// The same dynamic config the SDK's own dev-server launcher passes: updates on, no version check call home.
const dynamicConfig = [
  'frontend.enableServerVersionCheck=false',
  'frontend.enableUpdateWorkflowExecution=true',
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
]
const defaultPort = 7233
const defaultUiOffset = 1000

/** Connects to TEMPORAL_ADDRESS, or reuses/starts keel's local dev server (sqlite-backed, Web UI on) and waits until it answers. */
export async function ensureTemporal(params: EnsureTemporalParams): Promise<TemporalHandle> {
  const { config, log } = params
  const { address, namespace } = config.temporal
  // `ephemeral` is for tests and must never touch a configured (maybe production) service.
  if (address !== undefined && !params.ephemeral) {
    const connectionOptions = await remoteConnectionOptions(config)
    log(`temporal: using ${address} namespace ${namespace}${connectionOptions.tls ? ' (TLS)' : ''}`)
    return { address, namespace, connectionOptions, uiUrl: undefined, origin: 'remote', pid: undefined, stop: async () => {} }
  }
  // Resolve (and maybe install) before taking the server lock, so a slow install never times out a second waiting caller.
  const cli = await resolveTemporalCli({ projectRoot: config.projectRoot, stateDir: config.stateDir, log })
  if (cli.status !== 'found') throw new TemporalCliUnavailableError({ binary: 'temporal', tried: cli.tried })
  if (params.ephemeral) return startDevServer({ ...params, ephemeral: true, cliPath: cli.path })
  return withDirLock({ lockPath: join(config.stateDir, 'locks', 'temporal-server'), log, waitMs: 120_000 }, async () => {
    const running = await findRunningServer({ config, log })
    if (running) {
      log(`temporal: reusing keel dev server pid ${running.pid} at ${running.address}${running.uiUrl ? `, UI ${running.uiUrl}` : ''}`)
      return {
        address: running.address,
        namespace,
        connectionOptions: { address: running.address },
        uiUrl: running.uiUrl,
        origin: 'reused',
        pid: running.pid,
        stop: async () => {},
      }
    }
    return startDevServer({ ...params, ephemeral: false, cliPath: cli.path })
  })
}

/** Stops the dev server recorded in `<stateDir>/temporal/server.json` (for `keel temporal stop`). */
export async function stopTemporal(params: {
  config: KeelConfig
  log?: Log
}): Promise<{ status: 'stopped'; pid: number } | { status: 'not-running'; reason: string }> {
  const log = params.log ?? (() => {})
  const infoPath = serverInfoPath(params.config)
  const info = await readServerInfo(infoPath)
  if (!info) return { status: 'not-running', reason: `no ${infoPath}` }
  if (!isProcessAlive(info.pid) || !(await looksLikeDevServer(info.pid))) {
    // Never signal a pid we cannot confirm is our server: after a reboot the number may belong to anything.
    await rm(infoPath, { force: true })
    return { status: 'not-running', reason: `pid ${info.pid} is not a running Temporal dev server; removed stale ${infoPath}` }
  }
  log(`temporal: stopping dev server pid ${info.pid}`)
  await stopProcessGroup({ pid: info.pid })
  await rm(infoPath, { force: true })
  return { status: 'stopped', pid: info.pid }
}

/** What `<stateDir>/temporal/server.json` says about keel's local dev server, checked against the process table; reads only. */
export type LocalServerStatus =
  | { status: 'running'; pid: number; address: string; namespace: string; uiUrl: string | undefined; infoPath: string }
  | { status: 'not-running'; reason: string; infoPath: string; lastAddress: string | undefined }

/** Whether keel's local dev server of this state dir runs, and where (for `keel temporal status` and workers that follow it). */
export async function localServerStatus(config: KeelConfig): Promise<LocalServerStatus> {
  const infoPath = serverInfoPath(config)
  const info = await readServerInfo(infoPath)
  if (!info) return { status: 'not-running', reason: `no ${infoPath}`, infoPath, lastAddress: undefined }
  if (!isProcessAlive(info.pid) || !(await looksLikeDevServer(info.pid)))
    return { status: 'not-running', reason: `pid ${info.pid} recorded for ${info.address} has exited`, infoPath, lastAddress: info.address }
  return { status: 'running', pid: info.pid, address: info.address, namespace: info.namespace, uiUrl: info.uiUrl, infoPath }
}

async function remoteConnectionOptions(config: KeelConfig): Promise<TemporalConnectionOptions> {
  const { address, tls, apiKey } = config.temporal
  const read = async (variable: string, path: string | undefined) => {
    if (path === undefined) return undefined
    try {
      return await readFile(path)
    } catch (cause) {
      throw new TemporalTlsFileError({ variable, path, cause })
    }
  }
  const options: TemporalConnectionOptions = { address: address! }
  if (tls) {
    const crt = await read('TEMPORAL_TLS_CERT', tls.certPath)
    const key = await read('TEMPORAL_TLS_KEY', tls.keyPath)
    const ca = await read('TEMPORAL_TLS_CA', tls.caPath)
    options.tls = {
      ...(crt && key ? { clientCertPair: { crt, key } } : {}),
      ...(ca ? { serverRootCACertificate: ca } : {}),
      ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
    }
  }
  if (apiKey) {
    options.apiKey = apiKey.reveal()
    options.tls ??= {} // API keys travel only over TLS (Temporal Cloud)
  }
  return options
}

async function findRunningServer({ config, log }: { config: KeelConfig; log: Log }): Promise<ServerInfo | undefined> {
  const infoPath = serverInfoPath(config)
  const info = await readServerInfo(infoPath)
  if (!info) return undefined
  if (isProcessAlive(info.pid) && info.namespace === config.temporal.namespace && (await answers(info.address, info.namespace, 3_000)))
    return info
  log(`temporal: recorded dev server pid ${info.pid} at ${info.address} does not answer; starting a new one`)
  await rm(infoPath, { force: true })
  return undefined
}

async function startDevServer(params: EnsureTemporalParams & { ephemeral: boolean; cliPath: string }): Promise<TemporalHandle> {
  const { config, log, ephemeral } = params
  const serverDir = ephemeral ? await mkdtemp(join(tmpdir(), 'keel-temporal-')) : join(config.stateDir, 'temporal')
  await mkdir(serverDir, { recursive: true })
  // A free-port check can race with another process; when we chose the ports ourselves one more try with new ones is safe.
  const attempts = ephemeral || config.temporal.port === undefined ? 2 : 1
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch({ ...params, serverDir })
    } catch (err) {
      if (attempt >= attempts || !(err instanceof TemporalServerStartError) || !err.exitedEarly) {
        if (ephemeral) await rm(serverDir, { recursive: true, force: true })
        throw err
      }
      log(`temporal: dev server exited during start-up; retrying on other ports`)
    }
  }
}

type LaunchParams = EnsureTemporalParams & { ephemeral: boolean; cliPath: string; serverDir: string }

async function launch(params: LaunchParams): Promise<TemporalHandle> {
  const { config, log, ephemeral, cliPath, serverDir } = params
  const { namespace } = config.temporal
  const { port, uiPort } = await choosePorts(config, ephemeral)
  const address = `127.0.0.1:${port}`
  const uiUrl = uiPort === undefined ? undefined : `http://127.0.0.1:${uiPort}`
  const dbFilename = join(serverDir, 'keel.db')
  const logPath = join(serverDir, 'server.log')
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--namespace',
    namespace,
    '--log-level',
    config.temporal.logLevel,
    ...dynamicConfig.flatMap((v) => ['--dynamic-config-value', v]),
    ...(uiPort === undefined ? ['--headless'] : ['--ui-port', String(uiPort)]),
    ...(ephemeral ? [] : ['--db-filename', dbFilename]),
  ]
  log(`temporal: starting dev server at ${address}${uiUrl ? `, UI ${uiUrl}` : ''}${ephemeral ? ' (ephemeral)' : `, db ${dbFilename}`}`)
  const out = openSync(logPath, 'a')
  let child: ChildProcess
  try {
    // Own process group (detached) so stop() can signal the whole group; file stdio so it outlives keel when not ephemeral.
    child = spawn(cliPath, args, { detached: true, stdio: ['ignore', out, out] })
  } finally {
    closeSync(out)
  }
  const pid = child.pid
  if (pid === undefined) throw new TemporalServerStartError({ address, reason: 'spawn failed', logTail: await tail(logPath), logPath })
  child.unref()
  if (ephemeral) killOnExit(pid, serverDir)
  const started = performance.now()
  try {
    await waitUntilReady({ address, namespace, child, timeoutMs: params.readyTimeoutMs ?? 30_000, logPath })
  } catch (err) {
    await stopProcessGroup({ pid, child })
    ephemeralPids.delete(pid)
    throw err
  }
  log(`temporal: dev server pid ${pid} answered in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  if (!ephemeral)
    await writeServerInfo(serverInfoPath(config), {
      pid,
      address,
      namespace,
      ...(uiUrl ? { uiUrl } : {}),
      dbFilename,
      startedAt: new Date().toISOString(),
    })
  const stop = async () => {
    await stopProcessGroup({ pid, child })
    ephemeralPids.delete(pid)
    if (ephemeral) await rm(serverDir, { recursive: true, force: true })
    else if ((await readServerInfo(serverInfoPath(config)))?.pid === pid) await rm(serverInfoPath(config), { force: true })
  }
  return { address, namespace, connectionOptions: { address }, uiUrl, origin: 'started', pid, stop }
}

async function choosePorts(config: KeelConfig, ephemeral: boolean): Promise<{ port: number; uiPort: number | undefined }> {
  if (ephemeral) return { port: await freePort(), uiPort: undefined }
  const { port: wantPort, uiPort: wantUi } = config.temporal
  if (wantPort !== undefined && !(await isPortFree(wantPort)))
    throw new TemporalPortInUseError({ variable: 'KEEL_TEMPORAL_PORT', port: wantPort })
  if (wantUi !== undefined && !(await isPortFree(wantUi)))
    throw new TemporalPortInUseError({ variable: 'KEEL_TEMPORAL_UI_PORT', port: wantUi })
  const port = wantPort ?? ((await isPortFree(defaultPort)) ? defaultPort : await freePort())
  const uiCandidate = port + defaultUiOffset
  const uiPort = wantUi ?? (uiCandidate <= 65_535 && (await isPortFree(uiCandidate)) ? uiCandidate : await freePort())
  return { port, uiPort }
}

async function waitUntilReady(params: { address: string; namespace: string; child: ChildProcess; timeoutMs: number; logPath: string }) {
  const { address, namespace, child, timeoutMs, logPath } = params
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const reason = `the server exited (${child.signalCode ?? `code ${child.exitCode}`}) before answering`
      throw new TemporalServerStartError({ address, reason, logTail: await tail(logPath), logPath, exitedEarly: true })
    }
    try {
      if (await answers(address, namespace, 1_000)) return
    } catch (err) {
      lastError = err
    }
    await sleep(200)
  }
  throw new TemporalServerStartError({
    address,
    reason: `no answer for namespace "${namespace}" within ${timeoutMs / 1000} s`,
    logTail: await tail(logPath),
    logPath,
    cause: lastError,
  })
}

/** True once the frontend accepts connections and the namespace is registered (the dev server creates it shortly after binding). */
async function answers(address: string, namespace: string, connectTimeoutMs: number): Promise<boolean> {
  let connection: Connection | undefined
  try {
    // No retry interceptor: we poll ourselves and want each probe to fail fast.
    connection = await Connection.connect({ address, connectTimeout: connectTimeoutMs, interceptors: [] })
    await connection.workflowService.describeNamespace({ namespace })
    return true
  } catch {
    return false
  } finally {
    await connection?.close().catch(() => {})
  }
}

/** SIGTERM to the whole group, SIGKILL after a grace period; resolves once the leader and the group are gone. */
async function stopProcessGroup({ pid, child }: { pid: number; child?: ChildProcess }): Promise<void> {
  const gone = () => (child ? child.exitCode !== null || child.signalCode !== null : !isProcessAlive(pid)) && !isGroupAlive(pid)
  signalGroup(pid, 'SIGTERM')
  if (await waitFor(gone, 10_000)) return
  signalGroup(pid, 'SIGKILL')
  await waitFor(gone, 5_000)
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // group already gone
  }
}

function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (condition()) return true
    await sleep(50)
  }
  return condition()
}

// Ephemeral servers must not outlive a test run that crashes before calling stop(); 'exit' handlers may only do sync work.
const ephemeralPids = new Map<number, string>()
let exitHookInstalled = false
function killOnExit(pid: number, serverDir: string): void {
  if (!exitHookInstalled)
    process.once('exit', () => {
      for (const [p, dir] of ephemeralPids) {
        signalGroup(p, 'SIGKILL')
        rmSync(dir, { recursive: true, force: true })
      }
    })
  exitHookInstalled = true
  ephemeralPids.set(pid, serverDir)
}

async function looksLikeDevServer(pid: number): Promise<boolean> {
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8')
    return cmdline.includes('start-dev')
  } catch {
    return true // no /proc (macOS): the pid check and server.json are all we have
  }
}

const serverInfoPath = (config: KeelConfig) => join(config.stateDir, 'temporal', 'server.json')

async function readServerInfo(path: string): Promise<ServerInfo | undefined> {
  try {
    const parsed = serverInfoSchema.safeParse(JSON.parse(await readFile(path, 'utf8')))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

async function writeServerInfo(path: string, info: ServerInfo): Promise<void> {
  const staging = `${path}.tmp-${process.pid}`
  await writeFile(staging, `${JSON.stringify(info, null, 2)}\n`)
  await rename(staging, path)
}

async function tail(path: string, lines = 20): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '')
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
