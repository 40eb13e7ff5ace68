import { Options } from '@layerzerolabs/lz-v2-utilities'
import { type Address, encodeDeployData, encodeFunctionData, getContractAddress, type Hex, pad } from 'viem'
import { type ChainKey, chainKeys } from '../../types.ts'
import { type Artifact, loadOwnArtifact, loadPublishedArtifact } from '../artifacts.ts'
import type { DevnetBridgeContext } from '../bridges.ts'
import { chainProfiles } from '../constants.ts'
import { createTxSender, type SentTx, type TxSender, waitForReceipts } from '../txSender.ts'
import { endpointAbi, messageLibAbi, oftAdminAbi, usdcMinterAbi } from './abis.ts'
import { enforcedLzReceiveGas, layerZeroEids, oftMsgTypes } from './constants.ts'
import type { LayerZeroChainSection, LayerZeroSection } from './schemas.ts'

/** The section `deploy` returns: everything but the processes `startServices` adds. */
export type DeployedLayerZero = Omit<LayerZeroSection, 'services' | 'control'>

/** Type-3 options with an lzReceive gas and no native drop, as LayerZero's Options builder writes them. */
export const lzReceiveOptions = (gas: bigint): Hex => Options.newOptions().addExecutorLzReceiveOption(gas, 0).toHex() as Hex

/**
 * Deploys LayerZero V2 on every devnet chain after what exists (the deployer's next nonces, in a
 * fixed order, so addresses are the same every run), then wires every pair of chains both ways.
 */
export async function deployLayerZero(ctx: DevnetBridgeContext): Promise<DeployedLayerZero> {
  const delivery = ctx.accounts.lzDelivery.address
  const senders = Object.fromEntries(
    await Promise.all(chainKeys.map(async (key) => [key, await deployerSender(ctx, key)] as const)),
  ) as Record<ChainKey, TxSender>
  const deployed = await Promise.all(chainKeys.map((key) => deployOnChain({ ctx, key, sender: senders[key], delivery })))
  const chains = Object.fromEntries(deployed.map((d) => [d.key, d.section])) as DeployedLayerZero['chains']
  await Promise.all(chainKeys.map((key) => wirePeers({ ctx, key, sender: senders[key], chains })))
  ctx.log(`layerzero: endpoints ${chainKeys.map((k) => `${k} ${chains[k].eid}`).join(', ')}; USDC OFT ${chains.ethereum.oft}`)
  return { deliveryAccount: delivery, enforcedLzReceiveGas: enforcedLzReceiveGas.toString(), chains }
}

async function deployerSender(ctx: DevnetBridgeContext, key: ChainKey): Promise<TxSender> {
  const profile = chainProfiles[key]
  return createTxSender({
    client: ctx.clients[key].publicClient,
    account: ctx.accounts.deployer,
    maxFeePerGasWei: profile.baseFeeWei * 3n + profile.priorityFeeWei,
    priorityFeeWei: profile.priorityFeeWei,
  })
}

/**
 * One chain: EndpointV2 with the chain's real eid, SimpleMessageLib as default send and receive
 * library for every remote (validatePacket restricted to the delivery account, as a real verifier
 * set is restricted), and the USDC OFT with the token's minter role. Each step waits for the one it
 * reads from: gas is estimated against the latest block, which must already hold the contract.
 */
async function deployOnChain(p: {
  ctx: DevnetBridgeContext
  key: ChainKey
  sender: TxSender
  delivery: Address
}): Promise<{ key: ChainKey; section: LayerZeroChainSection }> {
  const { key, sender } = p
  const client = p.ctx.clients[key].publicClient
  const usdc = p.ctx.manifest.chains[key].contracts.usdc
  const deployBlock = await client.getBlockNumber()
  const eid = layerZeroEids[key]
  const wait = (txs: SentTx[]) => waitForReceipts({ client, txs })
  const deploy = async (label: string, artifact: Artifact, args: readonly unknown[]) => {
    const tx = await sender.send({ data: encodeDeployData({ abi: artifact.abi, bytecode: artifact.bytecode, args }), label })
    return { tx, address: getContractAddress({ from: sender.address, nonce: BigInt(tx.nonce) }) }
  }
  const call = (label: string, to: Address, data: Hex) => sender.send({ to, data, label: `${key}: ${label}` })

  const endpoint = await deploy(`${key}: EndpointV2`, loadPublishedArtifact('EndpointV2'), [eid, sender.address])
  await wait([endpoint.tx])
  const lib = await deploy(`${key}: SimpleMessageLib`, loadPublishedArtifact('SimpleMessageLib'), [endpoint.address, sender.address])
  const oft = await deploy(`${key}: UsdcOFTAdapter`, loadOwnArtifact('UsdcOFTAdapter'), [usdc, endpoint.address, sender.address])
  await wait([lib.tx, oft.tx])
  await wait([
    await call(
      'register SimpleMessageLib',
      endpoint.address,
      encodeFunctionData({ abi: endpointAbi, functionName: 'registerLibrary', args: [lib.address] }),
    ),
  ])
  const wiring: SentTx[] = []
  for (const remote of chainKeys.filter((k) => k !== key)) {
    const remoteEid = layerZeroEids[remote]
    wiring.push(
      await call(
        `default send library for ${remote}`,
        endpoint.address,
        encodeFunctionData({ abi: endpointAbi, functionName: 'setDefaultSendLibrary', args: [remoteEid, lib.address] }),
      ),
      await call(
        `default receive library for ${remote}`,
        endpoint.address,
        encodeFunctionData({ abi: endpointAbi, functionName: 'setDefaultReceiveLibrary', args: [remoteEid, lib.address, 0n] }),
      ),
    )
  }
  wiring.push(
    await call(
      'restrict validatePacket to the delivery account',
      lib.address,
      encodeFunctionData({ abi: messageLibAbi, functionName: 'setWhitelistCaller', args: [p.delivery] }),
    ),
    await call(
      'USDC minter role for the OFT',
      usdc,
      encodeFunctionData({ abi: usdcMinterAbi, functionName: 'setMinter', args: [oft.address, true] }),
    ),
  )
  await wait(wiring)
  return {
    key,
    section: {
      eid,
      endpoint: endpoint.address,
      messageLib: lib.address,
      oft: oft.address,
      token: usdc,
      deployBlock: deployBlock.toString(),
    },
  }
}

/** Peers both ways and enforced options (a non-zero lzReceive gas) for every remote of one chain. */
async function wirePeers(p: { ctx: DevnetBridgeContext; key: ChainKey; sender: TxSender; chains: DeployedLayerZero['chains'] }) {
  const { key, sender, chains } = p
  const oft = chains[key].oft
  const remotes = chainKeys.filter((k) => k !== key)
  const txs: SentTx[] = []
  for (const remote of remotes) {
    txs.push(
      await sender.send({
        to: oft,
        data: encodeFunctionData({ abi: oftAdminAbi, functionName: 'setPeer', args: [chains[remote].eid, pad(chains[remote].oft)] }),
        label: `${key}: OFT peer on ${remote}`,
      }),
    )
  }
  const options = lzReceiveOptions(enforcedLzReceiveGas)
  const params = remotes.flatMap((remote) => Object.values(oftMsgTypes).map((msgType) => ({ eid: chains[remote].eid, msgType, options })))
  txs.push(
    await sender.send({
      to: oft,
      data: encodeFunctionData({ abi: oftAdminAbi, functionName: 'setEnforcedOptions', args: [params] }),
      label: `${key}: OFT enforced options`,
    }),
  )
  await waitForReceipts({ client: p.ctx.clients[key].publicClient, txs })
}
