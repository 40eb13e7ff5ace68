import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { DevnetError } from '../../errors.ts'
import type { DevnetManifest } from '../../types.ts'
import { killProcessGroup } from '../anvil.ts'
import { findFreePort } from '../localProcess.ts'
import { devnetDir } from '../manifest.ts'
import { relayStartTimeoutMs } from './constants.ts'
import { type RelayProcessConfig, relayProcessConfigSchema } from './schemas.ts'

const mainPath = fileURLToPath(new URL('./main.ts', import.meta.url))
// tsx resolves from the project root whatever directory keel was started in.
const projectRoot = fileURLToPath(new URL('../../../', import.meta.url))

/** Where the relay's process config and output live: next to the manifest. */
export const relayConfigPath = (stateDir: string): string => join(devnetDir(stateDir), 'relay.config.json')
export const relayLogPath = (stateDir: string): string => join(devnetDir(stateDir), 'relay.log')

export type RelayEntry = NonNullable<DevnetManifest['relay']>

/** The config the relay process was last started with, or null when there is none or it no longer reads. */
export function readRelayConfig(stateDir: string): RelayProcessConfig | null {
  try {
    return relayProcessConfigSchema.parse(JSON.parse(readFileSync(relayConfigPath(stateDir), 'utf8')))
  } catch {
    return null
  }
}

/** How many ports a start tries: another devnet may take a picked port before the relay binds it. */
const portAttempts = 3

/**
 * Starts the relay as a detached process (its own process group, like the anvil nodes), on
 * `config.port` when free, else on a port the OS picks, and waits until it answers as itself.
 */
export async function spawnRelay(p: { config: RelayProcessConfig; stateDir: string }): Promise<RelayEntry> {
  let config = p.config
  for (let attempt = 1; ; attempt++) {
    const started = await spawnOnce({ config, stateDir: p.stateDir })
    if (started.status === 'up') return { url: `http://127.0.0.1:${config.port}/`, pid: started.pid, blockMs: config.blockMs }
    if (attempt >= portAttempts) {
      throw new DevnetError('the devnet relay did not start', { metaMessages: [`its output: ${relayLogPath(p.stateDir)}`] })
    }
    config = { ...config, port: await findFreePort() }
  }
}

async function spawnOnce(p: {
  config: RelayProcessConfig
  stateDir: string
}): Promise<{ status: 'up'; pid: number } | { status: 'exited' }> {
  mkdirSync(devnetDir(p.stateDir), { recursive: true })
  const configPath = relayConfigPath(p.stateDir)
  writeFileSync(configPath, `${JSON.stringify(p.config, null, 2)}\n`)
  const out = openSync(relayLogPath(p.stateDir), 'a')
  let child: ReturnType<typeof spawn>
  try {
    child = spawn(process.execPath, ['--import', 'tsx', mainPath, configPath], {
      cwd: projectRoot,
      detached: true,
      stdio: ['ignore', out, out],
    })
  } finally {
    closeSync(out)
  }
  child.unref()
  const pid = child.pid
  if (pid === undefined) throw new DevnetError('the devnet relay did not start')
  const exited = () => child.exitCode !== null || child.signalCode !== null
  const deadline = performance.now() + relayStartTimeoutMs
  while (performance.now() < deadline) {
    if (exited()) return { status: 'exited' }
    // Its own pid in the answer: a relay of another devnet on the same port does not count.
    if (await relayAnswers({ url: `http://127.0.0.1:${p.config.port}/`, pid })) return { status: 'up', pid }
    await sleep(100)
  }
  await killProcessGroup(pid)
  throw new DevnetError(`the devnet relay did not answer on port ${p.config.port}`, {
    metaMessages: [`its output: ${relayLogPath(p.stateDir)}`],
  })
}

/** Whether the relay process `pid` answers its health check at `url`. */
export async function relayAnswers(p: { url: string; pid: number }): Promise<boolean> {
  try {
    const res = await fetch(new URL('health', p.url), { signal: AbortSignal.timeout(2_000) })
    if (!res.ok) return false
    const body = (await res.json()) as { pid?: unknown }
    return body.pid === p.pid
  } catch {
    return false
  }
}
