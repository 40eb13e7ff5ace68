import { spawn } from 'node:child_process'
import { closeSync, openSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DevnetError } from '../../errors.ts'
import { chainKeys } from '../../types.ts'
import { killProcessGroup } from '../anvil.ts'
import type { DevnetBridge } from '../bridges.ts'
import { chainProfiles } from '../constants.ts'
import { devnetDir } from '../manifest.ts'
import { deployAcross } from './deploy.ts'
import { acrossSectionSchema, acrossSectionToJson } from './section.ts'

export { type AcrossSection, acrossSectionSchema } from './section.ts'

const mainPath = fileURLToPath(new URL('./main.ts', import.meta.url))
// tsx resolves from the project root whatever directory keel was started in.
const projectRoot = fileURLToPath(new URL('../../../', import.meta.url))

/** Across V3 on the devnet: the published SpokePool on every chain, and the relayer/dataworker stand-in as a process. */
export const acrossDevnetBridge: DevnetBridge = {
  id: 'across',
  async deploy(ctx) {
    return acrossSectionToJson(await deployAcross(ctx))
  },
  async startServices(ctx) {
    const section = acrossSectionSchema.parse(ctx.section)
    const configPath = join(devnetDir(ctx.stateDir), 'across-relayer.config.json')
    const config = {
      chains: chainKeys.map((key) => ({
        key,
        chainId: ctx.manifest.chains[key].chainId,
        rpcUrl: ctx.manifest.chains[key].rpcUrl,
        spokePool: section.chains[key].spokePool,
        usdc: ctx.manifest.chains[key].contracts.usdc,
        weth: ctx.manifest.chains[key].contracts.weth,
        deployBlock: section.chains[key].deployBlock.toString(),
        priorityFeeWei: chainProfiles[key].priorityFeeWei.toString(),
      })),
      fees: acrossSectionToJson(section).fees,
      knobs: section.knobs,
      statePath: section.statePath,
      apiPort: Number(new URL(section.apiUrl).port),
    }
    writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`)
    const out = openSync(section.logPath, 'a')
    let pid: number | undefined
    try {
      // The real binary (node, with tsx as its loader) in its own process group, like the anvil nodes.
      const child = spawn(process.execPath, ['--import', 'tsx', mainPath, configPath], {
        cwd: projectRoot,
        detached: true,
        stdio: ['ignore', out, out],
      })
      child.unref()
      pid = child.pid
    } finally {
      closeSync(out)
    }
    if (pid === undefined) throw new DevnetError('the Across relayer stand-in did not start')
    try {
      await waitForHealth({ url: `${section.apiUrl}/health`, timeoutMs: 30_000 })
    } catch (cause) {
      await killProcessGroup(pid)
      throw new DevnetError('the Across relayer stand-in did not answer', { cause, metaMessages: [`its output: ${section.logPath}`] })
    }
    ctx.log(`across: relayer stand-in pid ${pid} at ${section.apiUrl}`)
    return [pid]
  },
}

async function waitForHealth(p: { url: string; timeoutMs: number }): Promise<void> {
  const deadline = performance.now() + p.timeoutMs
  let last: unknown
  while (performance.now() < deadline) {
    try {
      if ((await fetch(p.url)).ok) return
    } catch (err) {
      last = err
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new DevnetError(`no answer from ${p.url}`, { cause: last })
}
