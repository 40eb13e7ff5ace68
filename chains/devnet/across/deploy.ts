import { join } from 'node:path'
import { type Address, encodeDeployData, encodeFunctionData, getContractAddress, maxUint256, zeroAddress } from 'viem'
import { DeploymentMismatchError } from '../../errors.ts'
import { type ChainKey, chainKeys } from '../../types.ts'
import { testUsdcAbi, wethAbi } from '../abis.ts'
import type { DevnetBridgeContext } from '../bridges.ts'
import { chainProfiles, richNativeBalance, usdc, weth } from '../constants.ts'
import { findFreePort } from '../localProcess.ts'
import { devnetDir } from '../manifest.ts'
import { createTxSender, type SentTx, waitForReceipts } from '../txSender.ts'
import { erc20StandInAbi, spokePoolStandInAbi } from './abis.ts'
import { loadAcrossArtifact } from './artifacts.ts'
import {
  type AcrossChainDeployment,
  type AcrossSection,
  defaultFeePolicy,
  defaultKnobs,
  depositQuoteTimeBufferSec,
  fillDeadlineBufferSec,
} from './section.ts'

/** What the relayer holds on every chain to fill from: far more than any devnet transfer. */
export const relayerInventory = { usdc: usdc('5000000'), weth: weth('2000') } as const

/**
 * Deploys Across V3 on every devnet chain as a real deployment would be for a local setup: the
 * published Ethereum_SpokePool behind its ERC1967 proxy, initialised through the proxy, owned by
 * the relayer account standing in for the HubPool, and the relayer's inventory funded.
 */
export async function deployAcross(ctx: DevnetBridgeContext): Promise<AcrossSection> {
  const relayer = ctx.accounts.acrossRelayer.address
  const deployed = await Promise.all(chainKeys.map((key) => deployOnChain({ ctx, key }).then((d) => [key, d] as const)))
  const chains = Object.fromEntries(deployed) as Record<ChainKey, AcrossChainDeployment>
  const port = await findFreePort()
  const dir = devnetDir(ctx.stateDir)
  return {
    version: 1,
    relayer,
    withdrawalRecipient: relayer,
    apiUrl: `http://127.0.0.1:${port}`,
    depositQuoteTimeBufferSec,
    fillDeadlineBufferSec,
    chains,
    fees: defaultFeePolicy,
    knobs: defaultKnobs,
    logPath: join(dir, 'across-relayer.log'),
    statePath: join(dir, 'across-relayer.state.json'),
  }
}

async function deployOnChain(p: { ctx: DevnetBridgeContext; key: ChainKey }): Promise<AcrossChainDeployment> {
  const { ctx, key } = p
  const { publicClient, testClient } = ctx.clients[key]
  const contracts = ctx.manifest.chains[key].contracts
  const relayerAccount = ctx.accounts.acrossRelayer
  const profile = chainProfiles[key]
  const fees = { maxFeePerGasWei: profile.baseFeeWei * 3n + profile.priorityFeeWei, priorityFeeWei: profile.priorityFeeWei }
  const deployer = await createTxSender({ client: publicClient, account: ctx.accounts.deployer, ...fees })

  const spokePoolArtifact = loadAcrossArtifact('Ethereum_SpokePool')
  const implementationTx = await deployer.send({
    label: 'Across Ethereum_SpokePool implementation',
    data: encodeDeployData({
      abi: spokePoolArtifact.abi,
      bytecode: spokePoolArtifact.bytecode,
      // No V5 gateway on the devnet: address(0) deploys with V5 fills disabled, as the constructor allows.
      args: [contracts.weth, depositQuoteTimeBufferSec, fillDeadlineBufferSec, zeroAddress],
    }),
  })
  const implementation = getContractAddress({ from: deployer.address, nonce: BigInt(implementationTx.nonce) })
  const proxyArtifact = loadAcrossArtifact('ERC1967Proxy')
  // Initialising in the proxy's constructor leaves no window in which someone else could initialise it.
  const proxyTx = await deployer.send({
    label: 'Across SpokePool ERC1967Proxy',
    data: encodeDeployData({
      abi: proxyArtifact.abi,
      bytecode: proxyArtifact.bytecode,
      args: [
        implementation,
        encodeFunctionData({ abi: spokePoolStandInAbi, functionName: 'initialize', args: [0, relayerAccount.address] }),
      ],
    }),
  })
  const spokePool = getContractAddress({ from: deployer.address, nonce: BigInt(proxyTx.nonce) })
  // On Ethereum the HubPool owns the spoke pool and relays root bundles to it; the stand-in plays that part.
  const ownership = await deployer.send({
    to: spokePool,
    data: encodeFunctionData({ abi: spokePoolStandInAbi, functionName: 'transferOwnership', args: [relayerAccount.address] }),
    gas: 100_000n,
    label: 'SpokePool ownership to the HubPool stand-in',
  })
  const mint = await deployer.send({
    to: contracts.usdc,
    data: encodeFunctionData({ abi: testUsdcAbi, functionName: 'mint', args: [relayerAccount.address, relayerInventory.usdc] }),
    label: 'USDC inventory for the Across relayer',
  })
  const [, proxyReceipt] = await waitForReceipts({ client: publicClient, txs: [implementationTx, proxyTx, ownership, mint] })

  await testClient.setBalance({ address: relayerAccount.address, value: richNativeBalance })
  const relayer = await createTxSender({ client: publicClient, account: relayerAccount, ...fees })
  const sent: SentTx[] = [
    await relayer.send({
      to: contracts.weth,
      data: encodeFunctionData({ abi: wethAbi, functionName: 'deposit' }),
      value: relayerInventory.weth,
      label: 'WETH inventory for the Across relayer',
    }),
  ]
  for (const token of [contracts.usdc, contracts.weth]) {
    sent.push(
      await relayer.send({
        to: token,
        data: encodeFunctionData({ abi: erc20StandInAbi, functionName: 'approve', args: [spokePool, maxUint256] }),
        gas: 80_000n,
        label: `relayer approves the SpokePool for ${token}`,
      }),
    )
  }
  await waitForReceipts({ client: publicClient, txs: sent })
  await verifySpokePool({ ctx, key, spokePool, weth: contracts.weth, owner: relayerAccount.address })
  return { spokePool, implementation, deployBlock: proxyReceipt?.blockNumber ?? 0n }
}

// A proxy whose initialiser did not run, or an implementation built with another wrapped native
// token, would fail only at the first deposit or fill: check both at deploy time.
async function verifySpokePool(p: { ctx: DevnetBridgeContext; key: ChainKey; spokePool: Address; weth: Address; owner: Address }) {
  const client = p.ctx.clients[p.key].publicClient
  const [owner, wrapped] = await Promise.all([
    client.readContract({ address: p.spokePool, abi: spokePoolStandInAbi, functionName: 'owner' }),
    client.readContract({ address: p.spokePool, abi: spokePoolStandInAbi, functionName: 'wrappedNativeToken' }),
  ])
  if (owner.toLowerCase() !== p.owner.toLowerCase()) {
    throw new DeploymentMismatchError({ what: 'Across SpokePool owner', expected: p.owner, actual: owner, chain: p.key })
  }
  if (wrapped.toLowerCase() !== p.weth.toLowerCase()) {
    throw new DeploymentMismatchError({ what: 'Across SpokePool wrapped native token', expected: p.weth, actual: wrapped, chain: p.key })
  }
}
