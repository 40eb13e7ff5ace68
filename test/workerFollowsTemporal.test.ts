import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { portfolioExposure } from '../agent/portfolio/exposure.ts'
import { startDevnet, stopDevnet } from '../chains/devnet/devnet.ts'
import { findFreePort, isProcessAlive } from '../chains/devnet/localProcess.ts'
import type { DevnetManifest } from '../chains/types.ts'
import { createReadActivities } from '../temporal/activities/createActivities.ts'
import { fromManifest } from '../temporal/chainEnvironment.ts'
import { connectClient, portfolioControls, startPortfolio, waitForStatus } from '../temporal/client.ts'
import { type KeelConfig, loadConfig } from '../temporal/config.ts'
import { ensureTemporal, stopTemporal, type TemporalHandle } from '../temporal/server.ts'
import { createActivityDeps } from '../temporal/worker.ts'
import { type KeelProcess, spawnKeel, stateDirWithTemporalCli } from './fixtures/keelProcess.ts'
import { ethTarget, testMandate } from './fixtures/stack.ts'

// A `keel worker` on keel's local dev server (no TEMPORAL_ADDRESS) follows the server when it is
// restarted on another port, and gives up with a non-zero exit when it stays gone.

let stateDir: string
let manifest: DevnetManifest
const prefix = `follow-${process.pid}-`
const started: TemporalHandle[] = []
const workers: KeelProcess[] = []

async function configOnPorts(): Promise<KeelConfig> {
  const port = await findFreePort()
  let uiPort = await findFreePort()
  while (uiPort === port) uiPort = await findFreePort()
  return loadConfig({
    ...process.env,
    KEEL_STATE_DIR: stateDir,
    TEMPORAL_ADDRESS: '',
    KEEL_TEMPORAL_PORT: String(port),
    KEEL_TEMPORAL_UI_PORT: String(uiPort),
  })
}

async function startServer(): Promise<TemporalHandle> {
  const t = await ensureTemporal({ config: await configOnPorts(), log: () => {} })
  started.push(t)
  return t
}

function spawnWorker(env: Record<string, string>): KeelProcess {
  const w = spawnKeel({
    args: ['worker', '--task-queue-prefix', prefix],
    env: { ...process.env, KEEL_STATE_DIR: stateDir, TEMPORAL_ADDRESS: '', KEEL_LOG_LEVEL: 'WARN', ...env },
  })
  workers.push(w)
  return w
}

beforeAll(async () => {
  stateDir = await stateDirWithTemporalCli('worker-follows')
  manifest = await startDevnet({ stateDir, seed: 3, treasury: 'signer' })
})
afterAll(async () => {
  for (const w of workers) await w.kill()
  for (const t of started) await t.stop().catch(() => undefined)
  await stopDevnet(stateDir)
  rmSync(stateDir, { recursive: true, force: true })
})

describe('keel worker on the local dev server', () => {
  test('follows the server to another port: the same worker process keeps the portfolio cycling', async () => {
    const first = await startServer()
    const worker = spawnWorker({ KEEL_WORKER_TEMPORAL_GIVE_UP_SEC: '120' })
    const treasury = manifest.chains.ethereum.accounts.treasury
    const read = createReadActivities(createActivityDeps({ environment: fromManifest(manifest), signChains: [] }))
    const delta = portfolioExposure(
      await read.observePortfolio({ mandate: testMandate({ portfolio: 'probe', treasury, targetEth: '0', bandEth: '1' }) }),
    ).deltaWei
    const mandate = {
      ...testMandate({ portfolio: 'follow', treasury, targetEth: ethTarget(delta), bandEth: '1000' }),
      loop: { intervalSec: 1, wakeOnMoveBps: null },
    }
    const client = await connectClient({ connectionOptions: first.connectionOptions, namespace: first.namespace })
    await startPortfolio({ client, mandate, taskQueuePrefix: prefix })
    const before = await waitForStatus({
      status: portfolioControls(client, 'follow').status,
      done: (s) => s.cyclesCompleted >= 2,
      timeoutMs: 120_000,
    })
    await client.connection.close()

    // What `keel temporal stop` does, then a server on other ports over the same sqlite file.
    expect((await stopTemporal({ config: loadConfig({ ...process.env, KEEL_STATE_DIR: stateDir }) })).status).toBe('stopped')
    const second = await startServer()
    expect(second.origin).toBe('started')
    expect(second.address).not.toBe(first.address)

    const client2 = await connectClient({ connectionOptions: second.connectionOptions, namespace: second.namespace })
    try {
      const after = await waitForStatus({
        status: portfolioControls(client2, 'follow').status,
        done: (s) => s.cyclesCompleted >= before.cyclesCompleted + 3 && s.lastError === null,
        timeoutMs: 120_000,
        what: 'cycles on the server at its new address',
      })
      console.log(`cycles: ${before.cyclesCompleted} before the move, ${after.cyclesCompleted} after, worker pid ${worker.pid}`)
      expect(after.cyclesCompleted).toBeGreaterThan(before.cyclesCompleted)
      expect(worker.child.exitCode).toBeNull()
      expect(isProcessAlive(worker.pid)).toBe(true)
      // The SDK core's retries while the server was away went through keel's logger: no colour codes.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character is what must be absent
      expect(worker.output().stderr).not.toMatch(/\u001b\[/)
      await client2.workflow.getHandle('portfolio-follow').terminate('test done')
    } finally {
      await client2.connection.close()
    }
    worker.signalGroup('SIGTERM')
    expect(await worker.exited).toEqual({ code: 0, signal: null })
  })

  test('exits non-zero when the server is gone longer than KEEL_WORKER_TEMPORAL_GIVE_UP_SEC', async () => {
    await startServer()
    const worker = spawnWorker({ KEEL_WORKER_TEMPORAL_GIVE_UP_SEC: '3' })
    // Serving: its portfolio queue has a poller (the worker logged what it serves once it was built).
    await waitFor(() => worker.output().stderr.includes('worker: serving'), 120_000)
    const stoppedAt = Date.now()
    expect((await stopTemporal({ config: loadConfig({ ...process.env, KEEL_STATE_DIR: stateDir }) })).status).toBe('stopped')
    const exit = await worker.exited
    const sec = (Date.now() - stoppedAt) / 1000
    const lastLine = worker.output().stderr.trim().split('\n').at(-1) ?? ''
    console.log(`worker exited ${sec.toFixed(1)} s after the server stopped: ${JSON.stringify(exit)}; ${lastLine}`)
    expect(exit).toEqual({ code: 1, signal: null })
    expect(lastLine.startsWith('keel: the local Temporal server at ')).toBe(true)
  })
})

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 200))
  }
}
