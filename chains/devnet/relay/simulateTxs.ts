import {
  type Address,
  decodeAbiParameters,
  getAddress,
  type Hex,
  hexToBigInt,
  keccak256,
  numberToHex,
  pad,
  parseTransaction,
  recoverTransactionAddress,
  type TransactionSerialized,
} from 'viem'
import { anvilRpc } from '../anvil.ts'
import type { BlockEnv, DecodedTx, SimResult, TxSim } from './types.ts'

/** Decodes a signed raw transaction, recovering its sender; throws on what is not one. */
export async function decodeTx(raw: Hex): Promise<DecodedTx> {
  const tx = parseTransaction(raw)
  if (tx.type === 'eip4844' || tx.type === 'eip7702') throw new Error(`${tx.type} transactions are not supported in bundles`)
  if (tx.r === undefined) throw new Error('transaction is not signed')
  const from = await recoverTransactionAddress({ serializedTransaction: raw as TransactionSerialized })
  const fees: DecodedTx['fees'] =
    tx.type === 'eip1559'
      ? { kind: 'eip1559', maxFeePerGasWei: tx.maxFeePerGas ?? 0n, maxPriorityFeePerGasWei: tx.maxPriorityFeePerGas ?? 0n }
      : { kind: 'legacy', gasPriceWei: tx.gasPrice ?? 0n }
  return {
    raw,
    hash: keccak256(raw),
    from: getAddress(from),
    nonce: tx.nonce ?? 0,
    to: tx.to ? getAddress(tx.to) : null,
    gas: tx.gas ?? 0n,
    value: tx.value ?? 0n,
    input: tx.data ?? '0x',
    fees,
    accessList: tx.type === 'legacy' ? undefined : tx.accessList,
  }
}

/** The tip per gas a transaction pays the coinbase at `baseFeeWei` (never below zero). */
export function tipPerGas(tx: DecodedTx, baseFeeWei: bigint): bigint {
  const tip =
    tx.fees.kind === 'legacy'
      ? tx.fees.gasPriceWei - baseFeeWei
      : min(tx.fees.maxPriorityFeePerGasWei, tx.fees.maxFeePerGasWei - baseFeeWei)
  return tip > 0n ? tip : 0n
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b)

// `traceTransfers` reports every ETH movement as an ERC-20 style Transfer log from this address.
const ethTransferLogAddress = '0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee'
const transferTopic = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef'

type SimCall = {
  status: Hex
  gasUsed: Hex
  returnData: Hex
  logs: { address: string; topics: Hex[]; data: Hex }[]
  error?: { message?: string }
}

/**
 * Runs `txs` in order in one simulated block on top of `stateBlock` (`eth_simulateV1`, state
 * carried from one transaction to the next). Nonces are checked here, as a block would:
 * a wrong nonce fails the whole simulation with the message mev-geth gives.
 */
export async function simulateTxs(p: {
  rpcUrl: string
  stateBlock: Hex | 'latest'
  env: BlockEnv
  txs: readonly DecodedTx[]
}): Promise<SimResult> {
  const nonceError = await checkNonces(p)
  if (nonceError) return { status: 'failed', reason: nonceError }
  const calls = p.txs.map((tx) => ({
    from: tx.from,
    ...(tx.to ? { to: tx.to } : {}),
    gas: numberToHex(tx.gas),
    value: numberToHex(tx.value),
    input: tx.input,
    nonce: numberToHex(tx.nonce),
    ...(tx.fees.kind === 'legacy'
      ? { gasPrice: numberToHex(tx.fees.gasPriceWei) }
      : { maxFeePerGas: numberToHex(tx.fees.maxFeePerGasWei), maxPriorityFeePerGas: numberToHex(tx.fees.maxPriorityFeePerGasWei) }),
    ...(tx.accessList ? { accessList: tx.accessList } : {}),
  }))
  const blockOverrides = {
    number: numberToHex(p.env.number),
    time: numberToHex(p.env.timestampSec),
    baseFeePerGas: numberToHex(p.env.baseFeeWei),
    feeRecipient: p.env.coinbase,
  }
  let blocks: { calls: SimCall[] }[]
  try {
    blocks = await anvilRpc({
      rpcUrl: p.rpcUrl,
      method: 'eth_simulateV1',
      params: [{ blockStateCalls: [{ blockOverrides, calls }], traceTransfers: true, validation: true }, p.stateBlock],
    })
  } catch (err) {
    return { status: 'failed', reason: err instanceof Error ? err.message : String(err) }
  }
  const results = blocks[0]?.calls ?? []
  if (results.length !== p.txs.length)
    return { status: 'failed', reason: `simulation returned ${results.length} results for ${p.txs.length} txs` }
  return { status: 'ok', txs: p.txs.map((tx, i) => toTxSim({ tx, call: results[i] as SimCall, env: p.env })) }
}

function toTxSim(p: { tx: DecodedTx; call: SimCall; env: BlockEnv }): TxSim {
  const { tx, call } = p
  const coinbaseTopic = pad(p.env.coinbase.toLowerCase() as Address).toLowerCase()
  let ethSentToCoinbaseWei = 0n
  for (const log of call.logs) {
    if (
      log.address.toLowerCase() === ethTransferLogAddress &&
      log.topics[0] === transferTopic &&
      log.topics[2]?.toLowerCase() === coinbaseTopic
    ) {
      ethSentToCoinbaseWei += hexToBigInt(log.data)
    }
  }
  const success = call.status === '0x1'
  const sim: TxSim = {
    hash: tx.hash,
    from: tx.from,
    to: tx.to,
    gasUsed: hexToBigInt(call.gasUsed),
    tipPerGasWei: tipPerGas(tx, p.env.baseFeeWei),
    ethSentToCoinbaseWei,
    success,
    returnData: call.returnData,
  }
  if (!success) {
    sim.error = call.error?.message === 'execution failed' || !call.error?.message ? 'execution reverted' : call.error.message
    sim.revert = revertReason(call.returnData)
  }
  return sim
}

/** `Error(string)` decoded; any other revert data as hex. */
export function revertReason(data: Hex): string {
  if (data.startsWith('0x08c379a0')) {
    try {
      const [reason] = decodeAbiParameters([{ type: 'string' }], `0x${data.slice(10)}`)
      return reason
    } catch {
      return data
    }
  }
  return data
}

async function checkNonces(p: { rpcUrl: string; stateBlock: Hex | 'latest'; txs: readonly DecodedTx[] }): Promise<string | null> {
  const senders = [...new Set(p.txs.map((t) => t.from))]
  const counts = await Promise.all(
    senders.map(async (s) =>
      Number(await anvilRpc<Hex>({ rpcUrl: p.rpcUrl, method: 'eth_getTransactionCount', params: [s, p.stateBlock] })),
    ),
  )
  const next = new Map(senders.map((s, i) => [s, counts[i] ?? 0]))
  for (const tx of p.txs) {
    const expected = next.get(tx.from) ?? 0
    if (tx.nonce < expected) return `err: nonce too low: address ${tx.from}, tx: ${tx.nonce} state: ${expected}`
    if (tx.nonce > expected) return `err: nonce too high: address ${tx.from}, tx: ${tx.nonce} state: ${expected}`
    next.set(tx.from, expected + 1)
  }
  return null
}
