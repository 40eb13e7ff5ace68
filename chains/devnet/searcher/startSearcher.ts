import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Address, encodeFunctionData, maxUint256 } from 'viem'
import { DevnetError } from '../../errors.ts'
import type { DevnetManifest } from '../../types.ts'
import { erc20Abi, testUsdcAbi, wethAbi } from '../abis.ts'
import { killProcessGroup } from '../anvil.ts'
import { richNativeBalance } from '../constants.ts'
import { createDevnetClients, devnetAccounts } from '../devnetClients.ts'
import { findFreePort } from '../localProcess.ts'
import { devnetDir } from '../manifest.ts'
import { spawnService } from '../serviceProcess.ts'
import { createTxSender, waitForReceipts } from '../txSender.ts'
import { defaultPollMs, searcherHoldings, searcherStartTimeoutMs } from './constants.ts'
import type { SearcherProcessConfig } from './schemas.ts'
import type { SearcherStatus } from './searcher.ts'
import { searcherAccount } from './searcherAccount.ts'

const mainPath = fileURLToPath(new URL('./main.ts', import.meta.url))

/** Where the searcher's process config and output live: next to the manifest. */
export const searcherConfigPath = (stateDir: string): string => join(devnetDir(stateDir), 'searcher.config.json')
export const searcherLogPath = (stateDir: string): string => join(devnetDir(stateDir), 'searcher.log')

export type SearcherHandle = {
  url: string
  pid: number
  address: Address
  /** What the searcher did so far, from its GET /status. */
  status: () => Promise<SearcherStatus>
  stop: () => Promise<void>
}

/**
 * Funds the searcher on the devnet's Ethereum (ETH, WETH, USDC, router approvals) and starts it as
 * a detached process watching the public pool and bundling through the devnet relay. Not part of
 * `startDevnet`: only what measures the mempool's cost starts it.
 */
export async function startSearcher(p: { manifest: DevnetManifest; stateDir: string; pollMs?: number }): Promise<SearcherHandle> {
  const { manifest } = p
  if (!manifest.relay) throw new DevnetError('the devnet has no relay: a searcher needs one to send bundles')
  const eth = manifest.chains.ethereum
  const address = searcherAccount().address
  await fundSearcher(manifest)
  const config: SearcherProcessConfig = {
    port: await findFreePort(),
    rpcUrl: eth.rpcUrl,
    relayUrl: manifest.relay.url,
    chainId: eth.chainId,
    swapRouter: eth.contracts.swapRouter,
    pool: eth.contracts.wethUsdcPool,
    poolFee: eth.poolFee,
    weth: eth.contracts.weth,
    usdc: eth.contracts.usdc,
    pollMs: p.pollMs ?? defaultPollMs,
  }
  const pid = await spawnSearcher({ config, stateDir: p.stateDir })
  const url = `http://127.0.0.1:${config.port}/`
  let stopped = false
  return {
    url,
    pid,
    address,
    async status() {
      const res = await fetch(new URL('status', url), { signal: AbortSignal.timeout(5_000) })
      return (await res.json()) as SearcherStatus
    },
    async stop() {
      if (stopped) return
      stopped = true
      await killProcessGroup(pid)
    },
  }
}

/** Gives the searcher its inventory, the way the devnet funds its other accounts; skipped when it already holds it. */
async function fundSearcher(manifest: DevnetManifest): Promise<void> {
  const eth = manifest.chains.ethereum
  const { publicClient, testClient } = createDevnetClients({ key: 'ethereum', rpcUrl: eth.rpcUrl })
  const account = searcherAccount()
  const { weth, usdc, swapRouter } = eth.contracts
  const held = await publicClient.readContract({ address: weth, abi: erc20Abi, functionName: 'balanceOf', args: [account.address] })
  if (held >= searcherHoldings.weth) return
  await testClient.setBalance({ address: account.address, value: richNativeBalance })
  const fees = { maxFeePerGasWei: 200_000_000_000n, priorityFeeWei: 1_000_000_000n }
  const [searcher, deployer] = await Promise.all([
    createTxSender({ client: publicClient, account, ...fees }),
    createTxSender({ client: publicClient, account: devnetAccounts().deployer, ...fees }),
  ])
  const approve = () => encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [swapRouter, maxUint256] })
  const txs = await Promise.all([
    searcher.send({
      to: weth,
      data: encodeFunctionData({ abi: wethAbi, functionName: 'deposit' }),
      value: searcherHoldings.weth,
      label: 'wrap ETH',
    }),
    searcher.send({ to: weth, data: approve(), label: 'approve WETH to SwapRouter' }),
    searcher.send({ to: usdc, data: approve(), label: 'approve USDC to SwapRouter' }),
    deployer.send({
      to: usdc,
      data: encodeFunctionData({ abi: testUsdcAbi, functionName: 'mint', args: [account.address, searcherHoldings.usdc] }),
      label: 'mint USDC to the searcher',
    }),
  ])
  await waitForReceipts({ client: publicClient, txs })
}

async function spawnSearcher(p: { config: SearcherProcessConfig; stateDir: string }): Promise<number> {
  const { pid } = await spawnService(
    {
      name: 'the devnet searcher',
      mainPath,
      config: p.config,
      configPath: searcherConfigPath(p.stateDir),
      logPath: searcherLogPath(p.stateDir),
      startTimeoutMs: searcherStartTimeoutMs,
    },
    1,
  )
  return pid
}
