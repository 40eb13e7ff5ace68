import {
  type AccessList,
  type Address,
  decodeFunctionData,
  getAddress,
  type Hex,
  hexToBigInt,
  hexToNumber,
  keccak256,
  serializeTransaction,
} from 'viem'
import { swapRouterAbi } from '../abis.ts'

/** A transaction as `txpool_content` lists it (hex quantities, signature fields). */
export type PoolTx = {
  hash: Hex
  from: Address
  to: Address | null
  nonce: Hex
  type?: Hex
  chainId?: Hex
  gas: Hex
  value: Hex
  input: Hex
  gasPrice?: Hex
  maxFeePerGas?: Hex
  maxPriorityFeePerGas?: Hex
  accessList?: AccessList
  r: Hex
  s: Hex
  v: Hex
  yParity?: Hex
}

export type TxPoolContent = { pending: Record<string, Record<string, PoolTx>>; queued: Record<string, Record<string, PoolTx>> }

/** A pending transaction with its signed bytes, rebuilt from the pool entry. */
export type SignedPoolTx = { hash: Hex; raw: Hex; from: Address; nonce: number; to: Address | null; data: Hex; value: bigint }

/**
 * The signed bytes of a pool entry, serialized again from its fields and signature; null for a
 * type this does not rebuild or when the rebuilt bytes do not hash to the entry's hash.
 */
export function signedRawOf(tx: PoolTx): SignedPoolTx | null {
  const type = tx.type ?? '0x0'
  const base = { nonce: hexToNumber(tx.nonce), gas: hexToBigInt(tx.gas), value: hexToBigInt(tx.value), data: tx.input }
  const to = tx.to ? { to: tx.to } : {}
  let raw: Hex
  if (type === '0x2') {
    if (!tx.chainId || !tx.maxFeePerGas || !tx.maxPriorityFeePerGas) return null
    raw = serializeTransaction(
      {
        type: 'eip1559',
        chainId: hexToNumber(tx.chainId),
        ...base,
        ...to,
        maxFeePerGas: hexToBigInt(tx.maxFeePerGas),
        maxPriorityFeePerGas: hexToBigInt(tx.maxPriorityFeePerGas),
        accessList: tx.accessList ?? [],
      },
      { r: tx.r, s: tx.s, yParity: hexToNumber(tx.yParity ?? tx.v) },
    )
  } else if (type === '0x0') {
    if (!tx.gasPrice) return null
    const v = hexToBigInt(tx.v)
    raw = serializeTransaction(
      { type: 'legacy', ...base, ...to, gasPrice: hexToBigInt(tx.gasPrice), ...(v > 28n ? { chainId: Number((v - 35n) / 2n) } : {}) },
      { r: tx.r, s: tx.s, v },
    )
  } else return null
  if (keccak256(raw) !== tx.hash.toLowerCase()) return null
  return {
    hash: tx.hash,
    raw,
    from: getAddress(tx.from),
    nonce: base.nonce,
    to: tx.to ? getAddress(tx.to) : null,
    data: tx.input,
    value: base.value,
  }
}

export type ExactInputSingle = {
  tokenIn: Address
  tokenOut: Address
  fee: number
  recipient: Address
  deadline: bigint
  amountIn: bigint
  amountOutMinimum: bigint
  sqrtPriceLimitX96: bigint
}

/** The swap a transaction asks SwapRouter for, when it is an `exactInputSingle` on `pair` at `poolFee` without a price limit. */
export function decodeSwap(p: {
  tx: SignedPoolTx
  swapRouter: Address
  poolFee: number
  pair: readonly [Address, Address]
}): ExactInputSingle | null {
  if (p.tx.to?.toLowerCase() !== p.swapRouter.toLowerCase() || p.tx.value !== 0n) return null
  let decoded: ReturnType<typeof decodeFunctionData<typeof swapRouterAbi>>
  try {
    decoded = decodeFunctionData({ abi: swapRouterAbi, data: p.tx.data })
  } catch {
    return null
  }
  if (decoded.functionName !== 'exactInputSingle') return null
  const [s] = decoded.args
  const inPair = (a: Address) => p.pair.some((t) => t.toLowerCase() === a.toLowerCase())
  if (s.fee !== p.poolFee || !inPair(s.tokenIn) || !inPair(s.tokenOut) || s.tokenIn.toLowerCase() === s.tokenOut.toLowerCase()) return null
  // A price limit makes the swap stop short instead of reverting: its output floor is not the whole story.
  if (s.sqrtPriceLimitX96 !== 0n || s.amountOutMinimum === 0n) return null
  return { ...s, tokenIn: getAddress(s.tokenIn), tokenOut: getAddress(s.tokenOut), recipient: getAddress(s.recipient) }
}
