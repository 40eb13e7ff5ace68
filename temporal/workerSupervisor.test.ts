import { describe, expect, test } from 'vitest'
import type { ChainEnvironment } from './chainEnvironment.ts'
import { TemporalServerGoneError } from './errors.ts'
import type { KeelWorkers, WorkersStopped } from './worker.ts'
import { type Located, superviseWorkers, type WorkerTarget } from './workerSupervisor.ts'

const environment = (rpcUrl: string): ChainEnvironment => ({
  network: 'devnet',
  chains: { base: { chainId: 8453, rpcUrls: [rpcUrl], contracts: {} as never } },
  signerKeys: {},
})
const target = (address: string, rpcUrl = 'http://127.0.0.1:1'): WorkerTarget => ({
  address,
  connectionOptions: { address },
  environment: environment(rpcUrl),
})

/** Fake workers that run until shut down, recording which target each set was built for. */
function fakeStarts() {
  const built: string[] = []
  const start = async (t: WorkerTarget): Promise<KeelWorkers> => {
    built.push(`${t.address} ${t.environment.chains.base?.rpcUrls[0]}`)
    let stop: (v: WorkersStopped) => void = () => {}
    const stopped = new Promise<WorkersStopped>((r) => (stop = r))
    return { workers: [], portfolioQueue: 'q', served: [], skipped: [], run: () => stopped, shutdown: () => stop({ abandoned: false }) }
  }
  return { built, start }
}

describe('superviseWorkers', () => {
  test('rebuilds the workers when the server address or a chain endpoint moves, and returns when aborted', async () => {
    const { built, start } = fakeStarts()
    const sequence: Located[] = [
      { status: 'up', target: target('127.0.0.1:7000') },
      { status: 'up', target: target('127.0.0.1:7000') },
      { status: 'gone', reason: 'pid 1 exited', lastAddress: '127.0.0.1:7000' },
      { status: 'up', target: target('127.0.0.1:7001') },
      { status: 'up', target: target('127.0.0.1:7001', 'http://127.0.0.1:2') },
    ]
    const abort = new AbortController()
    let i = 0
    const locate = async () => {
      const next = sequence[Math.min(i++, sequence.length - 1)]!
      if (i > sequence.length + 2) abort.abort()
      return next
    }
    const log: string[] = []
    await superviseWorkers({ locate, start, signal: abort.signal, giveUpMs: 60_000, pollMs: 1, log: (l) => log.push(l) })
    expect(built).toEqual(['127.0.0.1:7000 http://127.0.0.1:1', '127.0.0.1:7001 http://127.0.0.1:1', '127.0.0.1:7001 http://127.0.0.1:2'])
    expect(log.filter((l) => l.includes('workers restarted'))).toEqual([
      'worker: temporal 127.0.0.1:7000 → 127.0.0.1:7001; workers restarted',
      'worker: base endpoint changed; workers restarted',
    ])
  })

  test('throws Temporal.ServerGoneError when the server stays gone past giveUpMs', async () => {
    const { start } = fakeStarts()
    let first = true
    const locate = async (): Promise<Located> => {
      if (first) {
        first = false
        return { status: 'up', target: target('127.0.0.1:7000') }
      }
      return { status: 'gone', reason: 'no server.json', lastAddress: '127.0.0.1:7000' }
    }
    const run = superviseWorkers({ locate, start, signal: new AbortController().signal, giveUpMs: 50, pollMs: 5, log: () => {} })
    const err = await run.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TemporalServerGoneError)
    expect((err as TemporalServerGoneError).address).toBe('127.0.0.1:7000')
  })
})
