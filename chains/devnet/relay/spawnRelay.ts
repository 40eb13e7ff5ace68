import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DevnetManifest } from '../../types.ts'
import { devnetDir } from '../manifest.ts'
import { serviceAnswers, spawnService } from '../serviceProcess.ts'
import { relayStartTimeoutMs } from './constants.ts'
import { type RelayProcessConfig, relayProcessConfigSchema } from './schemas.ts'

const mainPath = fileURLToPath(new URL('./main.ts', import.meta.url))

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

/**
 * Starts the relay as a detached process (its own process group, like the anvil nodes), on
 * `config.port` when free, else on a port the OS picks, and waits until it answers as itself.
 */
export async function spawnRelay(p: { config: RelayProcessConfig; stateDir: string }): Promise<RelayEntry> {
  const { config, pid } = await spawnService({
    name: 'the devnet relay',
    mainPath,
    config: p.config,
    configPath: relayConfigPath(p.stateDir),
    logPath: relayLogPath(p.stateDir),
    startTimeoutMs: relayStartTimeoutMs,
  })
  return { url: `http://127.0.0.1:${config.port}/`, pid, blockMs: config.blockMs }
}

/** Whether the relay process `pid` answers its health check at `url`. */
export const relayAnswers = serviceAnswers
