import { spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { DevnetError } from '../../errors.ts'
import { chainKeys, type DevnetManifest } from '../../types.ts'
import { killProcessGroup } from '../anvil.ts'
import { devnetAccounts } from '../devnetClients.ts'
import { findFreePort } from '../localProcess.ts'
import { devnetDir } from '../manifest.ts'
import { makerStartTimeoutMs, type RfqMakerSpec } from './constants.ts'
import type { RfqDeployment, RfqMakerEntry } from './deploy.ts'
import { type MakerProcessConfig, makerProcessConfigSchema } from './schemas.ts'

const mainPath = fileURLToPath(new URL('./main.ts', import.meta.url))
// tsx resolves from the project root whatever directory keel was started in.
const projectRoot = fileURLToPath(new URL('../../../', import.meta.url))

/** Where a maker's process config and output live: next to the manifest. */
export const makerConfigPath = (stateDir: string, id: string): string => join(devnetDir(stateDir), `rfq-${id}.config.json`)
export const makerLogPath = (stateDir: string, id: string): string => join(devnetDir(stateDir), `rfq-${id}.log`)

/** A maker's process config on the devnet as recorded: every chain with SwapERC20, at its current RPC URL. */
export function makerConfigOf(p: { spec: RfqMakerSpec; manifest: DevnetManifest; rfq: RfqDeployment; port: number }): MakerProcessConfig {
  const chains = chainKeys.flatMap((key) => {
    const swap = p.rfq.chains[key]
    const c = p.manifest.chains[key]
    if (!swap) return []
    return [
      { key, chainId: c.chainId, rpcUrl: c.rpcUrl, swapContract: swap.swapErc20, usdc: c.contracts.usdc, feed: c.contracts.ethUsdFeed },
    ]
  })
  const { id, role, svi, spreadBps, skewBpsPerOption, validitySec } = p.spec
  return { id, role, port: p.port, chains, svi, spreadBps, skewBpsPerOption, validitySec }
}

/** The config a maker process was last started with, or null when there is none or it no longer reads. */
export function readMakerConfig(stateDir: string, id: string): MakerProcessConfig | null {
  try {
    return makerProcessConfigSchema.parse(JSON.parse(readFileSync(makerConfigPath(stateDir, id), 'utf8')))
  } catch {
    return null
  }
}

/** How many ports a maker start tries: another devnet may take a picked port before the maker binds it. */
const portAttempts = 3

/**
 * Starts a maker as a detached process (its own process group, like the anvil nodes), on `port`
 * when given and free, else on a port the OS picks, and waits until it answers as itself.
 */
export async function spawnMaker(p: { config: MakerProcessConfig; stateDir: string }): Promise<RfqMakerEntry> {
  let config = p.config
  for (let attempt = 1; ; attempt++) {
    const started = await spawnOnce({ config, stateDir: p.stateDir })
    if (started.status === 'up') {
      const address = devnetAccounts()[config.role].address
      return { id: config.id, url: `http://127.0.0.1:${config.port}/`, address, pid: started.pid }
    }
    if (attempt >= portAttempts) {
      throw new DevnetError(`RFQ maker ${config.id} did not start`, {
        metaMessages: [`its output: ${makerLogPath(p.stateDir, config.id)}`],
      })
    }
    config = { ...config, port: await findFreePort() }
  }
}

/** One start: 'exited' when the process died before answering (a port taken); throws when it hangs. */
async function spawnOnce(p: {
  config: MakerProcessConfig
  stateDir: string
}): Promise<{ status: 'up'; pid: number } | { status: 'exited' }> {
  const { config } = p
  const configPath = makerConfigPath(p.stateDir, config.id)
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`)
  const out = openSync(makerLogPath(p.stateDir, config.id), 'a')
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
  if (pid === undefined) throw new DevnetError(`RFQ maker ${config.id} did not start`)
  const exited = () => child.exitCode !== null || child.signalCode !== null
  const deadline = performance.now() + makerStartTimeoutMs
  while (performance.now() < deadline) {
    if (exited()) return { status: 'exited' }
    // Its own pid in the answer: a maker of another devnet on the same port does not count.
    if (await makerAnswers({ url: `http://127.0.0.1:${config.port}/`, pid })) return { status: 'up', pid }
    await sleep(100)
  }
  await killProcessGroup(pid)
  throw new DevnetError(`RFQ maker ${config.id} did not answer on port ${config.port}`, {
    metaMessages: [`its output: ${makerLogPath(p.stateDir, config.id)}`],
  })
}

/** Whether the maker process `pid` answers its health check at `url`. */
export async function makerAnswers(p: { url: string; pid: number }): Promise<boolean> {
  try {
    const res = await fetch(new URL('health', p.url), { signal: AbortSignal.timeout(2_000) })
    if (!res.ok) return false
    const body = (await res.json()) as { pid?: unknown }
    return body.pid === p.pid
  } catch {
    return false
  }
}
