import { encodeFunctionData, maxUint256 } from 'viem'
import { type ChainKey, chainKeys, type DevnetManifest } from '../../types.ts'
import { erc20Abi, testUsdcAbi } from '../abis.ts'
import { chainProfiles } from '../constants.ts'
import type { DevnetAccounts, DevnetClients } from '../devnetClients.ts'
import { findFreePort } from '../localProcess.ts'
import { createTxSender, type SentTx, waitForReceipts } from '../txSender.ts'
import { makerUsdcInventory, rfqMakerSpecs } from './constants.ts'
import type { RfqDeployment, RfqMakerEntry } from './deploy.ts'
import { makerConfigOf, spawnMaker } from './spawnMaker.ts'

/**
 * Funds the devnet's RFQ makers on every chain with SwapERC20 (USDC minted by the deployer, SwapERC20
 * allowed to pull it), then starts each maker as its own process quoting on all those chains. Each
 * pid goes into `started` as soon as it runs, so a caller that fails later can stop it.
 */
export async function startRfqMakers(p: {
  manifest: DevnetManifest
  clients: Record<ChainKey, DevnetClients>
  accounts: DevnetAccounts
  rfq: RfqDeployment
  stateDir: string
  log: (line: string) => void
  started: number[]
}): Promise<RfqMakerEntry[]> {
  await fundRfqMakers(p)
  return spawnRfqMakers(p)
}

/** The makers' inventory and approvals on every chain (deployer and maker transactions, mined before this returns). */
export async function fundRfqMakers(p: {
  manifest: DevnetManifest
  clients: Record<ChainKey, DevnetClients>
  accounts: DevnetAccounts
  rfq: RfqDeployment
}): Promise<void> {
  await Promise.all(chainKeys.filter((key) => p.rfq.chains[key]).map((key) => fundMakers({ ...p, key })))
}

/** Starts every maker as its own process; each pid goes into `started` as soon as it runs. */
export async function spawnRfqMakers(p: {
  manifest: DevnetManifest
  rfq: RfqDeployment
  stateDir: string
  log: (line: string) => void
  started: number[]
}): Promise<RfqMakerEntry[]> {
  const ports = new Set<number>()
  for (const _ of rfqMakerSpecs) {
    // A port the OS picked a moment ago, as for the bridges' stand-ins; spawnMaker moves on if it is taken by then.
    let port = await findFreePort()
    while (ports.has(port)) port = await findFreePort()
    ports.add(port)
  }
  // The makers start side by side (each process takes seconds to load); the list keeps the specs' order.
  return Promise.all(
    rfqMakerSpecs.map(async (spec, i) => {
      const port = [...ports][i]!
      const entry = await spawnMaker({ config: makerConfigOf({ spec, manifest: p.manifest, rfq: p.rfq, port }), stateDir: p.stateDir })
      p.started.push(entry.pid)
      p.log(`rfq: ${entry.id} (${entry.address}) pid ${entry.pid} at ${entry.url}`)
      return entry
    }),
  )
}

async function fundMakers(p: {
  key: ChainKey
  manifest: DevnetManifest
  clients: Record<ChainKey, DevnetClients>
  accounts: DevnetAccounts
  rfq: RfqDeployment
}): Promise<void> {
  const { publicClient } = p.clients[p.key]
  const usdc = p.manifest.chains[p.key].contracts.usdc
  const swapErc20 = p.rfq.chains[p.key]!.swapErc20
  const profile = chainProfiles[p.key]
  const fees = { maxFeePerGasWei: profile.baseFeeWei * 3n + profile.priorityFeeWei, priorityFeeWei: profile.priorityFeeWei }
  const deployer = await createTxSender({ client: publicClient, account: p.accounts.deployer, ...fees })
  const sent: SentTx[] = []
  for (const spec of rfqMakerSpecs) {
    const account = p.accounts[spec.role]
    sent.push(
      await deployer.send({
        to: usdc,
        data: encodeFunctionData({ abi: testUsdcAbi, functionName: 'mint', args: [account.address, makerUsdcInventory] }),
        label: `USDC inventory for RFQ ${spec.id}`,
      }),
    )
    // The role accounts hold anvil's default 10,000 ETH: enough gas for an approval and whatever a test has them send.
    const maker = await createTxSender({ client: publicClient, account, ...fees })
    sent.push(
      await maker.send({
        to: usdc,
        data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [swapErc20, maxUint256] }),
        gas: 80_000n,
        label: `RFQ ${spec.id} approves SwapERC20 for USDC`,
      }),
    )
  }
  await waitForReceipts({ client: publicClient, txs: sent })
}
