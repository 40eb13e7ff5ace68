import { spawn } from 'node:child_process'
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { DevnetError } from '../../errors.ts'
import { chainKeys } from '../../types.ts'
import { killProcessGroup } from '../anvil.ts'
import type { DevnetBridgeContext } from '../bridges.ts'
import { devnetDir } from '../manifest.ts'
import type { DeployedLayerZero } from './deploy.ts'
import type { DeliveryServiceConfig } from './schemas.ts'

const mainPath = fileURLToPath(new URL('./deliveryMain.ts', import.meta.url))
const projectRoot = fileURLToPath(new URL('../../../', import.meta.url))

/** `<stateDir>/devnet/layerzero-delivery.log`: the delivery service's output (why it did not start, what it did). */
export const deliveryLogPath = (stateDir: string): string => join(devnetDir(stateDir), 'layerzero-delivery.log')
const deliveryConfigPath = (stateDir: string): string => join(devnetDir(stateDir), 'layerzero-delivery.config.json')

/** How often the service polls the chains for PacketSent and due packets. */
const pollMs = 200

/**
 * Starts the delivery service as a detached process (its own process group, like anvil) on the
 * control port recorded in the section, and waits until that port answers; returns its pid.
 */
export async function startDeliveryService(
  ctx: DevnetBridgeContext & { section: DeployedLayerZero & { control: { url: string } } },
): Promise<number> {
  const controlPort = Number(new URL(ctx.section.control.url).port)
  const config: DeliveryServiceConfig = {
    stateDir: ctx.stateDir,
    controlPort,
    pollMs,
    chains: Object.fromEntries(
      chainKeys.map((k) => [
        k,
        { ...ctx.section.chains[k], rpcUrl: ctx.manifest.chains[k].rpcUrl, chainId: ctx.manifest.chains[k].chainId },
      ]),
    ) as DeliveryServiceConfig['chains'],
  }
  mkdirSync(devnetDir(ctx.stateDir), { recursive: true })
  writeFileSync(deliveryConfigPath(ctx.stateDir), `${JSON.stringify(config, null, 2)}\n`)
  const logPath = deliveryLogPath(ctx.stateDir)
  const out = openSync(logPath, 'a')
  let child: ReturnType<typeof spawn>
  try {
    child = spawn(process.execPath, ['--import', 'tsx', mainPath, deliveryConfigPath(ctx.stateDir)], {
      cwd: projectRoot,
      detached: true,
      stdio: ['ignore', out, out],
    })
  } finally {
    closeSync(out)
  }
  const pid = child.pid
  if (pid === undefined) throw new DevnetError('the LayerZero delivery service did not start', { metaMessages: [`its output: ${logPath}`] })
  child.unref()
  const deadline = performance.now() + 60_000
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new DevnetError('the LayerZero delivery service exited at start', { metaMessages: [`its output: ${logPath}`] })
    }
    const answered = await fetch(new URL('/state', ctx.section.control.url)).then(
      (r) => r.ok,
      () => false,
    )
    if (answered) return pid
    if (performance.now() > deadline) {
      await killProcessGroup(pid)
      throw new DevnetError(`the LayerZero delivery service did not answer on port ${controlPort}`, {
        metaMessages: [`its output: ${logPath}`],
      })
    }
    await sleep(100)
  }
}
