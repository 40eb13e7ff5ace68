import {
  type Abi,
  type Address,
  type Chain,
  createWalletClient,
  decodeErrorResult,
  type Hex,
  HttpRequestError,
  http,
  type PrivateKeyAccount,
  type PublicClient,
  type Transport,
  BaseError as ViemBaseError,
  type WalletClient,
} from 'viem'
import type { ChainKey } from '../../types.ts'
import { loadOwnArtifact, loadPublishedArtifact } from '../artifacts.ts'
import { createDevnetClients } from '../devnetClients.ts'
import { endpointAbi } from './abis.ts'
import type { DeliveryServiceConfig, TxOutcome } from './schemas.ts'

export type ServiceChain = DeliveryServiceConfig['chains'][ChainKey]

/** One chain as the delivery service reaches it: reads, and the delivery account's transactions. */
export type DeliveryChain = {
  key: ChainKey
  rpcUrl: string
  contracts: ServiceChain
  client: PublicClient<Transport, Chain>
  wallet: WalletClient<Transport, Chain, PrivateKeyAccount>
  /** Every custom error the endpoint, the library or the OFT can refuse with, so a refusal has a name. */
  errors: Abi
}

export function connectDeliveryChain(p: {
  key: ChainKey
  rpcUrl: string
  contracts: ServiceChain
  account: PrivateKeyAccount
}): DeliveryChain {
  const { publicClient } = createDevnetClients({ key: p.key, rpcUrl: p.rpcUrl })
  const wallet = createWalletClient({ account: p.account, chain: publicClient.chain, transport: http(p.rpcUrl) })
  const errors = [loadPublishedArtifact('EndpointV2'), loadPublishedArtifact('SimpleMessageLib'), loadOwnArtifact('UsdcOFTAdapter')]
    .flatMap((a) => a.abi)
    .filter((item) => item.type === 'error')
  return { key: p.key, rpcUrl: p.rpcUrl, contracts: p.contracts, client: publicClient, wallet, errors }
}

/** The custom error a call is refused with, `'reverted without data'` when it carries none, or null when it would succeed. */
export async function simulateRefusal(chain: DeliveryChain, p: { to: Address; data: Hex; gas?: bigint }): Promise<string | null> {
  try {
    await chain.client.call({
      account: chain.wallet.account.address,
      to: p.to,
      data: p.data,
      ...(p.gas === undefined ? {} : { gas: p.gas }),
    })
    return null
  } catch (err) {
    if (!(err instanceof ViemBaseError)) throw err
    const withData = err.walk((e) => typeof (e as { data?: unknown }).data === 'string') as { data?: Hex } | null
    const data = withData?.data
    if (!data || data === '0x') {
      // No revert data: out of gas, or a node that did not run the call at all (connection refused).
      if (err.walk((e) => e instanceof HttpRequestError)) throw err
      return 'reverted without data'
    }
    try {
      return decodeErrorResult({ abi: chain.errors, data }).errorName
    } catch {
      return `unknown error ${data.slice(0, 10)}`
    }
  }
}

/**
 * Sends one transaction from the delivery account and waits for its receipt. With `gas` the node
 * does not estimate, so a call that will revert (a starved execution, a duplicate) still lands.
 */
export async function sendAndWait(
  chain: DeliveryChain,
  p: { to: Address; data: Hex; gas?: bigint },
): Promise<Omit<TxOutcome, 'refusedWith'>> {
  const hash = await chain.wallet.sendTransaction({ to: p.to, data: p.data, ...(p.gas === undefined ? {} : { gas: p.gas }) })
  const receipt = await chain.client.waitForTransactionReceipt({ hash, pollingInterval: 100, timeout: 120_000 })
  const gas = p.gas ?? (await chain.client.getTransaction({ hash })).gas
  return { txHash: hash, status: receipt.status, gas: gas.toString(), gasUsed: receipt.gasUsed.toString() }
}

/** The endpoint's inbound state of one packet, read at one block. */
export async function readInbound(
  chain: DeliveryChain,
  p: { receiver: Address; srcEid: number; sender: Hex; nonce: bigint },
): Promise<{ payloadHash: Hex; lazyNonce: bigint }> {
  const blockNumber = await chain.client.getBlockNumber()
  const [payloadHash, lazyNonce] = await Promise.all([
    chain.client.readContract({
      address: chain.contracts.endpoint,
      abi: endpointAbi,
      functionName: 'inboundPayloadHash',
      args: [p.receiver, p.srcEid, p.sender, p.nonce],
      blockNumber,
    }),
    chain.client.readContract({
      address: chain.contracts.endpoint,
      abi: endpointAbi,
      functionName: 'lazyInboundNonce',
      args: [p.receiver, p.srcEid, p.sender],
      blockNumber,
    }),
  ])
  return { payloadHash: payloadHash.toLowerCase() as Hex, lazyNonce }
}
