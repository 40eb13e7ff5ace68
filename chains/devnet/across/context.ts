import { type Address, type Hex, type PrivateKeyAccount, zeroAddress } from 'viem'
import { fromBytes32 } from '../../../adapters/across-v3/relayData.ts'
import type { ChainKey } from '../../types.ts'
import { createDevnetClients, type DevnetClients } from '../devnetClients.ts'
import { createTxSender, type TxRequest, waitForReceipts } from '../txSender.ts'
import type { AcrossFeePolicy, AcrossKnobs } from './section.ts'

/** One chain as the stand-in sees it. */
export type StandInChain = {
  key: ChainKey
  chainId: number
  rpcUrl: string
  spokePool: Address
  usdc: Address
  weth: Address
  deployBlock: bigint
  priorityFeeWei: bigint
}

/** Everything the relayer process is started with (written by `startServices`, read by `main.ts`). */
export type StandInConfig = {
  chains: StandInChain[]
  fees: AcrossFeePolicy
  knobs: AcrossKnobs
  statePath: string
  apiPort: number
}

/** The relayer and dataworker's shared view: clients per chain and its own account. */
export type StandInContext = {
  config: StandInConfig
  account: PrivateKeyAccount
  clients: Map<number, DevnetClients & { chain: StandInChain }>
  log: (line: string) => void
}

export function createStandInContext(p: {
  config: StandInConfig
  account: PrivateKeyAccount
  log: (line: string) => void
}): StandInContext {
  const clients = new Map(p.config.chains.map((c) => [c.chainId, { ...createDevnetClients({ key: c.key, rpcUrl: c.rpcUrl }), chain: c }]))
  return { config: p.config, account: p.account, clients, log: p.log }
}

/** Across's bytes32 addresses: the encoding is the protocol's, shared with keel's adapter. */
export const isZeroBytes32 = (word: Hex): boolean => fromBytes32(word) === zeroAddress

/** Which asset a token is on a chain; undefined for anything else. */
export function assetOf(chain: StandInChain, token: Address): 'USDC' | 'WETH' | undefined {
  if (token.toLowerCase() === chain.usdc.toLowerCase()) return 'USDC'
  if (token.toLowerCase() === chain.weth.toLowerCase()) return 'WETH'
  return undefined
}

/**
 * Sends the stand-in's transactions on one chain in order and waits for them: fees follow the
 * chain's current base fee (the market simulator moves it), and gas is estimated, so a call that
 * would revert is refused before it is sent.
 */
export async function sendAndWait(p: { ctx: StandInContext; chainId: number; txs: readonly TxRequest[] }) {
  const c = p.ctx.clients.get(p.chainId)
  if (!c) throw new Error(`chain ${p.chainId} is not served`)
  const block = await c.publicClient.getBlock({ blockTag: 'latest' })
  const sender = await createTxSender({
    client: c.publicClient,
    account: p.ctx.account,
    maxFeePerGasWei: (block.baseFeePerGas ?? 0n) * 3n + c.chain.priorityFeeWei,
    priorityFeeWei: c.chain.priorityFeeWei,
  })
  const receipts = []
  // One at a time: a later call (a leaf execution) may only simulate once the one before it (its root) is mined.
  for (const tx of p.txs) receipts.push(...(await waitForReceipts({ client: c.publicClient, txs: [await sender.send(tx)] })))
  return receipts
}
