import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { findFreePort, isPortFree, isProcessAlive } from '../chains/devnet/localProcess.ts'
import { readManifest } from '../chains/devnet/manifest.ts'
import { chainKeys, type DevnetManifest } from '../chains/types.ts'
import { connectClient, portfolioControls } from '../temporal/client.ts'
import { loadConfig } from '../temporal/config.ts'
import { ensureTemporal, type TemporalHandle } from '../temporal/server.ts'
import { eventually, type KeelProcess, killGroups, spawnKeel, stateDirWithTemporalCli } from './fixtures/keelProcess.ts'

// `keel demo` as an operator runs it: its own process group, a state dir and Temporal ports of its own.
const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined)
})

async function demoSetup(name: string) {
  const stateDir = await stateDirWithTemporalCli(name)
  cleanups.push(async () => rmSync(stateDir, { recursive: true, force: true }))
  const port = await findFreePort()
  let uiPort = await findFreePort()
  while (uiPort === port) uiPort = await findFreePort()
  const env = {
    ...process.env,
    KEEL_STATE_DIR: stateDir,
    KEEL_TEMPORAL_PORT: String(port),
    KEEL_TEMPORAL_UI_PORT: String(uiPort),
    TEMPORAL_ADDRESS: '',
  }
  return { stateDir, port, uiPort, env, config: loadConfig(env) }
}

function startDemo(env: NodeJS.ProcessEnv, args: string[]): KeelProcess {
  const demo = spawnKeel({ args: ['demo', ...args], env })
  cleanups.push(() => demo.kill())
  return demo
}

/** The demo's workflow as the Temporal server of this state dir records it (a server started again on its sqlite file if needed). */
async function workflowStatus(temporal: TemporalHandle): Promise<string | undefined> {
  const client = await connectClient({ connectionOptions: temporal.connectionOptions, namespace: temporal.namespace })
  try {
    const d = await client.workflow.getHandle('portfolio-treasury-demo').describe()
    return d.status.name
  } finally {
    await client.connection.close()
  }
}

const anvilPorts = (m: DevnetManifest) => chainKeys.map((k) => Number(new URL(m.chains[k].rpcUrl).port))

describe('keel demo', () => {
  test('on SIGINT to its process group stops the worker, the devnet and the Temporal server it started, and terminates its workflow', async () => {
    const s = await demoSetup('demo-sigint')
    const demo = startDemo(s.env, ['--days', '5'])
    // Ticking: the portfolio workflow has observed a few ticks of the price path.
    const manifest = await eventually({ what: 'the demo devnet', timeoutMs: 120_000, check: () => readManifest(s.stateDir) ?? undefined })
    const server = JSON.parse(
      await eventually({
        what: 'server.json',
        timeoutMs: 60_000,
        check: () => readFileSync(join(s.stateDir, 'temporal', 'server.json'), 'utf8'),
      }),
    ) as { pid: number; address: string }
    // Only if the demo leaks them: a failing run must not leave them behind for the next test.
    cleanups.push(() => killGroups([...chainKeys.map((k) => manifest.chains[k].pid), server.pid]))
    const client = await connectClient({ connectionOptions: { address: server.address }, namespace: 'default' })
    const cycles = await eventually({
      what: 'three demo cycles',
      timeoutMs: 180_000,
      check: async () => {
        const st = await portfolioControls(client, 'treasury-demo').status()
        return st.cyclesCompleted >= 3 ? st.cyclesCompleted : undefined
      },
    })
    await client.connection.close()
    expect(cycles).toBeGreaterThanOrEqual(3)
    const anvilPids = chainKeys.map((k) => manifest.chains[k].pid)
    expect([...anvilPids, server.pid].every(isProcessAlive)).toBe(true)

    const sent = Date.now()
    demo.signalGroup('SIGINT')
    const exit = await demo.exited
    const exitSec = (Date.now() - sent) / 1000
    console.log(`demo exited ${exitSec.toFixed(1)} s after SIGINT with ${JSON.stringify(exit)}`)

    expect(exit).toEqual({ code: 130, signal: null })
    expect(anvilPids.filter(isProcessAlive)).toEqual([])
    expect(isProcessAlive(server.pid)).toBe(false)
    const ports = [s.port, s.uiPort, ...anvilPorts(manifest)]
    expect(await Promise.all(ports.map(isPortFree))).toEqual(ports.map(() => true))
    // Its devnet is gone, so is its workflow: a Temporal server on the same sqlite file finds it terminated.
    const again = await ensureTemporal({ config: s.config, log: () => {} })
    cleanups.push(() => again.stop())
    expect(again.origin).toBe('started')
    expect(await workflowStatus(again)).toBe('TERMINATED')
  })

  test('at normal completion terminates its workflow, stops its devnet and leaves a Temporal server it reused running', async () => {
    const s = await demoSetup('demo-complete')
    const temporal = await ensureTemporal({ config: s.config, log: () => {} })
    cleanups.push(() => temporal.stop())
    const demo = startDemo(s.env, ['--days', '0.1'])
    const manifest = await eventually({ what: 'the demo devnet', timeoutMs: 120_000, check: () => readManifest(s.stateDir) ?? undefined })
    cleanups.push(() => killGroups(chainKeys.map((k) => manifest.chains[k].pid)))
    const exit = await demo.exited

    expect(exit).toEqual({ code: 0, signal: null })
    expect(chainKeys.map((k) => manifest.chains[k].pid).filter(isProcessAlive)).toEqual([])
    expect(readManifest(s.stateDir)).toBeNull()
    expect(isProcessAlive(temporal.pid!)).toBe(true)
    expect(await workflowStatus(temporal)).toBe('TERMINATED')
  })
})
