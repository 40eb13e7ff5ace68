import type { ChainEnvironment } from './chainEnvironment.ts'
import { TemporalServerGoneError } from './errors.ts'
import type { TemporalConnectionOptions } from './server.ts'
import type { KeelWorkers, WorkersStopped } from './worker.ts'

export type Log = (line: string) => void

/** Where the workers should be connected right now. */
export type WorkerTarget = {
  /** `host:port` of the Temporal frontend. */
  address: string
  connectionOptions: TemporalConnectionOptions
  environment: ChainEnvironment
}

/** What the watched sources say now: a target, or that the Temporal server is gone (and where it last was). */
export type Located = { status: 'up'; target: WorkerTarget } | { status: 'gone'; reason: string; lastAddress: string | undefined }

export type SuperviseParams = {
  /** Reads the sources (server.json, the devnet manifest) afresh; called every `pollMs`. */
  locate: () => Promise<Located>
  /** Builds the workers for a target; they are not running yet. */
  start: (target: WorkerTarget) => Promise<KeelWorkers>
  /** Aborted when the operator asks the process to stop. */
  signal: AbortSignal
  /** How long the server may stay gone before the supervisor gives up. */
  giveUpMs: number
  pollMs?: number
  log: Log
}

/** What a restart is about, for the operator: the Temporal address or chain endpoints that changed. */
export function describeChange(from: WorkerTarget, to: WorkerTarget): string[] {
  const changes: string[] = []
  if (from.address !== to.address) changes.push(`temporal ${from.address} → ${to.address}`)
  for (const [chain, c] of Object.entries(to.environment.chains)) {
    const before = from.environment.chains[chain as keyof ChainEnvironment['chains']]
    if (before?.rpcUrls.join(',') !== c?.rpcUrls.join(',')) changes.push(`${chain} endpoint changed`)
  }
  return changes
}

type Watched = { kind: 'stopped' } | { kind: 'moved'; target: WorkerTarget } | { kind: 'gave-up'; error: TemporalServerGoneError }

/**
 * Runs the workers of one process and keeps them pointed at the right places: when the local
 * Temporal server or a chain endpoint moves, the workers shut down gracefully and are rebuilt for
 * the new target; when the server stays gone longer than `giveUpMs`, it throws
 * `Temporal.ServerGoneError`. Returns when `signal` is aborted and the workers have stopped.
 */
export async function superviseWorkers(p: SuperviseParams): Promise<void> {
  const pollMs = p.pollMs ?? 500
  let target = await waitUntilUp(p, pollMs)
  while (target && !p.signal.aborted) {
    let workers: KeelWorkers
    try {
      workers = await p.start(target)
    } catch (err) {
      // The server may have gone between locating it and connecting: look again rather than fail.
      const now = await p.locate()
      if (now.status === 'up' && describeChange(target, now.target).length === 0) throw err
      p.log(`worker: could not connect to ${target.address}; looking for the server again`)
      target = await waitUntilUp(p, pollMs)
      continue
    }
    const running = workers.run()
    const watched = await watch({ ...p, pollMs, target, running })
    workers.shutdown()
    await settle(running, p.log)
    if (watched.kind === 'gave-up') throw watched.error
    if (watched.kind === 'stopped') return
    p.log(`worker: ${describeChange(target, watched.target).join(', ')}; workers restarted`)
    target = watched.target
  }
}

async function waitUntilUp(p: SuperviseParams, pollMs: number): Promise<WorkerTarget | undefined> {
  const since = Date.now()
  let announced = false
  for (;;) {
    if (p.signal.aborted) return undefined
    const now = await p.locate()
    if (now.status === 'up') return now.target
    if (Date.now() - since >= p.giveUpMs)
      throw new TemporalServerGoneError({
        address: now.lastAddress ?? 'unknown',
        reason: now.reason,
        waitedSec: Math.round(p.giveUpMs / 1000),
      })
    if (!announced) p.log(`worker: waiting up to ${Math.round(p.giveUpMs / 1000)} s for the local Temporal server (${now.reason})`)
    announced = true
    await sleep(pollMs, p.signal)
  }
}

async function watch(p: SuperviseParams & { pollMs: number; target: WorkerTarget; running: Promise<WorkersStopped> }): Promise<Watched> {
  let ended = false
  let failure: unknown
  p.running.then(
    () => {
      ended = true
    },
    (err: unknown) => {
      ended = true
      failure = err
    },
  )
  let goneSince: number | undefined
  for (;;) {
    await sleep(p.pollMs, p.signal)
    if (ended && failure !== undefined) throw failure
    if (p.signal.aborted || ended) return { kind: 'stopped' }
    const now = await p.locate().catch(() => undefined)
    if (!now) continue
    if (now.status === 'up') {
      goneSince = undefined
      // Back at the same address: the SDK core reconnects by itself, nothing to rebuild.
      if (describeChange(p.target, now.target).length > 0) return { kind: 'moved', target: now.target }
      continue
    }
    if (goneSince === undefined) {
      goneSince = Date.now()
      p.log(`worker: the local Temporal server is gone (${now.reason}); waiting up to ${Math.round(p.giveUpMs / 1000)} s for it`)
    }
    if (Date.now() - goneSince >= p.giveUpMs) {
      const waitedSec = Math.round(p.giveUpMs / 1000)
      return { kind: 'gave-up', error: new TemporalServerGoneError({ address: p.target.address, reason: now.reason, waitedSec }) }
    }
  }
}

/** Waits for stopped workers; activities that outlived the force time are left to Temporal's retries. */
async function settle(running: Promise<WorkersStopped>, log: Log): Promise<void> {
  const stopped = await running
  if (stopped.abandoned) log('worker: activities still running past the shutdown grace time were abandoned; Temporal retries them')
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
