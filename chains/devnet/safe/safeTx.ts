import {
  type Address,
  type Chain,
  concat,
  encodeFunctionData,
  encodePacked,
  type Hex,
  hashTypedData,
  isAddressEqual,
  type PublicClient,
  parseEventLogs,
  size,
  type TransactionReceipt,
  type Transport,
  zeroAddress,
} from 'viem'
import { privateKeyToAccount, sign } from 'viem/accounts'
import { DevnetError } from '../../errors.ts'
import type { TxSender } from '../txSender.ts'
import { multiSendAbi, safeAbi } from './artifacts.ts'
import { decodeSafeRevert, SafeExecutionFailedError, SafeTransactionRevertedError } from './errors.ts'

type Client = PublicClient<Transport, Chain>

/** How the Safe runs its transaction: a call, or a delegatecall (only ever to MultiSendCallOnly here). */
export const safeOperation = { call: 0, delegateCall: 1 } as const
export type SafeOperation = (typeof safeOperation)[keyof typeof safeOperation]

/** What a Safe transaction does. */
export type SafeTxBody = { to: Address; value: bigint; data: Hex; operation: SafeOperation }

/** Refund fields; all zero (the default) means the sender pays its own gas and the inner call must succeed. */
export type SafeTxGasFields = { safeTxGas: bigint; baseGas: bigint; gasPrice: bigint; gasToken: Address; refundReceiver: Address }

/** Every field the owners sign. */
export type SafeTx = SafeTxBody & SafeTxGasFields & { nonce: bigint }

/** One call the Safe makes; `description` travels into proposals for the signers to read. */
export type SafeCall = { to: Address; value?: bigint; data?: Hex; description?: string }

const noRefund: SafeTxGasFields = { safeTxGas: 0n, baseGas: 0n, gasPrice: 0n, gasToken: zeroAddress, refundReceiver: zeroAddress }

const safeTxTypes = {
  SafeTx: [
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'data', type: 'bytes' },
    { name: 'operation', type: 'uint8' },
    { name: 'safeTxGas', type: 'uint256' },
    { name: 'baseGas', type: 'uint256' },
    { name: 'gasPrice', type: 'uint256' },
    { name: 'gasToken', type: 'address' },
    { name: 'refundReceiver', type: 'address' },
    { name: 'nonce', type: 'uint256' },
  ],
} as const

/** A Safe transaction at `nonce`, with the zero refund fields unless given. */
export function toSafeTx(tx: SafeTxBody & Partial<SafeTxGasFields>, nonce: bigint): SafeTx {
  return { ...noRefund, ...tx, nonce }
}

/** The EIP-712 hash owners sign; Safe 1.5.0's domain is only chainId and the Safe's address. */
export function safeTxHash(params: { chainId: number; safe: Address; tx: SafeTx }): Hex {
  return hashTypedData({
    domain: { chainId: params.chainId, verifyingContract: params.safe },
    types: safeTxTypes,
    primaryType: 'SafeTx',
    message: params.tx,
  })
}

/** The owners' EIP-712 signatures (v 27/28) over `hash`, sorted by owner address and concatenated as the Safe requires. */
export async function signSafeTx(hash: Hex, ownerKeys: readonly Hex[]): Promise<Hex> {
  const signers = ownerKeys.map((key) => ({ key, address: privateKeyToAccount(key).address }))
  signers.sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : BigInt(a.address) > BigInt(b.address) ? 1 : 0))
  const signatures = await Promise.all(signers.map(({ key }) => sign({ hash, privateKey: key, to: 'hex' })))
  return signatures.length === 0 ? '0x' : concat(signatures)
}

/** `multiSend(bytes)` calldata: each call packed as operation 0 (call), to, value, data length, data. */
export function encodeMultiSend(calls: readonly SafeCall[]): Hex {
  const packed = calls.map((c) => {
    const data = c.data ?? '0x'
    return encodePacked(['uint8', 'address', 'uint256', 'uint256', 'bytes'], [0, c.to, c.value ?? 0n, BigInt(size(data)), data])
  })
  return encodeFunctionData({ abi: multiSendAbi, functionName: 'multiSend', args: [concat(packed)] })
}

/** One call as itself; several as one delegatecall to MultiSendCallOnly (which refuses nested delegatecalls). */
export function toSafeTxBody(params: { calls: readonly SafeCall[]; multiSendCallOnly: Address }): SafeTxBody {
  const [first, ...rest] = params.calls
  if (!first) throw new DevnetError('a Safe transaction needs at least one call')
  if (rest.length === 0) return { to: first.to, value: first.value ?? 0n, data: first.data ?? '0x', operation: safeOperation.call }
  return { to: params.multiSendCallOnly, value: 0n, data: encodeMultiSend(params.calls), operation: safeOperation.delegateCall }
}

/** A Safe transaction that calls the Safe's own `enableModule(module)` (only the Safe may call it). */
export function enableModuleTx(params: { safe: Address; module: Address }): SafeTxBody {
  return {
    to: params.safe,
    value: 0n,
    data: encodeFunctionData({ abi: safeAbi, functionName: 'enableModule', args: [params.module] }),
    operation: safeOperation.call,
  }
}

/** Whether `module` may execute through the Safe without owner signatures. */
export function isModuleEnabled(params: { publicClient: Client; safe: Address; module: Address }): Promise<boolean> {
  return params.publicClient.readContract({ address: params.safe, abi: safeAbi, functionName: 'isModuleEnabled', args: [params.module] })
}

/** The nonce the Safe's next transaction must carry. */
export function readSafeNonce(params: { publicClient: Client; safe: Address }): Promise<bigint> {
  return params.publicClient.readContract({ address: params.safe, abi: safeAbi, functionName: 'nonce' })
}

export type ExecutedSafeTx = { txHash: Hex; safeTxHash: Hex; nonce: bigint; receipt: TransactionReceipt }

/**
 * Signs `tx` at the Safe's current nonce with `ownerKeys` and sends `execTransaction` from
 * `sender` (any funded account: the owners never need ETH). Throws `Safe.TransactionRevertedError`
 * (GSxxx decoded) when it would revert or did, `Safe.ExecutionFailedError` on `ExecutionFailure`.
 */
export async function execSafeTransaction(params: {
  publicClient: Client
  sender: TxSender
  safe: Address
  tx: SafeTxBody & Partial<SafeTxGasFields>
  ownerKeys: readonly Hex[]
  label?: string
}): Promise<ExecutedSafeTx> {
  const { publicClient, safe } = params
  const [chainId, nonce] = await Promise.all([publicClient.getChainId(), readSafeNonce({ publicClient, safe })])
  const tx = toSafeTx(params.tx, nonce)
  const hash = safeTxHash({ chainId, safe, tx })
  const signatures = await signSafeTx(hash, params.ownerKeys)
  const call = {
    address: safe,
    abi: safeAbi,
    functionName: 'execTransaction',
    args: [tx.to, tx.value, tx.data, tx.operation, tx.safeTxGas, tx.baseGas, tx.gasPrice, tx.gasToken, tx.refundReceiver, signatures],
  } as const
  let gas: bigint
  try {
    gas = await publicClient.estimateContractGas({ ...call, account: params.sender.address })
  } catch (err) {
    const revert = decodeSafeRevert(err)
    if (!revert) throw err
    throw new SafeTransactionRevertedError({ safe, safeTxHash: hash, revert, cause: err })
  }
  // Safe reserves gas for its events after the inner call (EIP-150's 1/64 rule): keep a margin.
  const sent = await params.sender.send({
    to: safe,
    data: encodeFunctionData(call),
    gas: (gas * 6n) / 5n + 20_000n,
    label: params.label ?? `Safe ${safe} tx ${nonce}`,
  })
  const receipt = await publicClient.waitForTransactionReceipt({ hash: sent.hash, pollingInterval: 100, timeout: 60_000 })
  if (receipt.status !== 'success') {
    throw new SafeTransactionRevertedError({ safe, safeTxHash: hash, txHash: sent.hash, revert: { code: null, reason: null } })
  }
  const outcome = parseEventLogs({ abi: safeAbi, eventName: ['ExecutionSuccess', 'ExecutionFailure'], logs: receipt.logs }).find(
    (log) => isAddressEqual(log.address, safe) && log.args.txHash === hash,
  )
  if (outcome?.eventName !== 'ExecutionSuccess') {
    const reason = outcome ? 'the inner call failed (ExecutionFailure)' : 'no ExecutionSuccess event for this Safe transaction hash'
    throw new SafeExecutionFailedError({ safe, safeTxHash: hash, txHash: sent.hash, reason })
  }
  return { txHash: sent.hash, safeTxHash: hash, nonce, receipt }
}

/** A batch for owners to check and sign elsewhere (Transaction Builder style); every amount a decimal string. */
export type SafeTransactionProposal = {
  version: '1.0'
  chainId: number
  safe: Address
  nonce: string
  to: Address
  value: string
  data: Hex
  operation: SafeOperation
  safeTxGas: string
  baseGas: string
  gasPrice: string
  gasToken: Address
  refundReceiver: Address
  safeTxHash: Hex
  meta: { name: string; description: string }
  transactions: { to: Address; value: string; data: Hex; description: string }[]
}

/** The proposal for `calls` at the Safe's current nonce (or `nonce`); reads nothing else from the chain. */
export async function writeSafeTransactionProposal(params: {
  publicClient: Client
  chainId: number
  safe: Address
  calls: readonly SafeCall[]
  multiSendCallOnly: Address
  name: string
  description?: string
  nonce?: bigint
}): Promise<SafeTransactionProposal> {
  const nonce = params.nonce ?? (await readSafeNonce({ publicClient: params.publicClient, safe: params.safe }))
  const tx = toSafeTx(toSafeTxBody({ calls: params.calls, multiSendCallOnly: params.multiSendCallOnly }), nonce)
  return {
    version: '1.0',
    chainId: params.chainId,
    safe: params.safe,
    nonce: nonce.toString(),
    to: tx.to,
    value: tx.value.toString(),
    data: tx.data,
    operation: tx.operation,
    safeTxGas: tx.safeTxGas.toString(),
    baseGas: tx.baseGas.toString(),
    gasPrice: tx.gasPrice.toString(),
    gasToken: tx.gasToken,
    refundReceiver: tx.refundReceiver,
    safeTxHash: safeTxHash({ chainId: params.chainId, safe: params.safe, tx }),
    meta: { name: params.name, description: params.description ?? '' },
    transactions: params.calls.map((c) => ({
      to: c.to,
      value: (c.value ?? 0n).toString(),
      data: c.data ?? '0x',
      description: c.description ?? '',
    })),
  }
}
