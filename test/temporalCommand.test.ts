import { rmSync } from 'node:fs'
import { afterAll, describe, expect, test } from 'vitest'
import { findFreePort, isPortFree, isProcessAlive } from '../chains/devnet/localProcess.ts'
import { killGroups, spawnKeel, stateDirWithTemporalCli } from './fixtures/keelProcess.ts'

let stateDir: string | undefined
const pids: number[] = []
afterAll(async () => {
  await killGroups(pids)
  if (stateDir) rmSync(stateDir, { recursive: true, force: true })
})

describe('keel temporal', () => {
  test('start, status and stop manage the local dev server of the state dir; status exits 3 when none runs', async () => {
    stateDir = await stateDirWithTemporalCli('temporal-cli')
    const port = await findFreePort()
    let uiPort = await findFreePort()
    while (uiPort === port) uiPort = await findFreePort()
    const env = {
      ...process.env,
      KEEL_STATE_DIR: stateDir,
      TEMPORAL_ADDRESS: '',
      KEEL_TEMPORAL_PORT: String(port),
      KEEL_TEMPORAL_UI_PORT: String(uiPort),
    }
    const keel = async (...args: string[]) => {
      const p = spawnKeel({ args: ['temporal', ...args, '--json'], env })
      const { code } = await p.exited
      const out = p.output().stdout.trim()
      return { code, json: out ? (JSON.parse(out) as Record<string, unknown>) : undefined }
    }

    expect(await keel('status')).toMatchObject({ code: 3, json: { status: 'not-running' } })
    const start = await keel('start')
    expect(start).toMatchObject({ code: 0, json: { status: 'running', address: `127.0.0.1:${port}`, uiUrl: `http://127.0.0.1:${uiPort}` } })
    const pid = start.json?.pid as number
    pids.push(pid)
    expect(isProcessAlive(pid)).toBe(true)
    expect(await keel('status')).toEqual({
      code: 0,
      json: { status: 'running', address: `127.0.0.1:${port}`, pid, namespace: 'default', uiUrl: `http://127.0.0.1:${uiPort}` },
    })
    // A second start reuses the running server.
    expect((await keel('start')).json?.pid).toBe(pid)

    expect(await keel('stop')).toEqual({ code: 0, json: { status: 'stopped', pid } })
    expect(isProcessAlive(pid)).toBe(false)
    expect([await isPortFree(port), await isPortFree(uiPort)]).toEqual([true, true])
    expect(await keel('status')).toMatchObject({ code: 3, json: { status: 'not-running' } })
    expect(await keel('stop')).toMatchObject({ code: 0, json: { status: 'not-running' } })
  })
})
