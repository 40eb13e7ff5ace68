import { keccak256, parseGwei, parseTransaction, type RpcTransaction, type TransactionSerialized } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { reserialize } from './takePublicTxs.ts'

// Anvil's public test key 1.
const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')

/** The pool's JSON view of a signed transaction, as `txpool_content` lists it. */
function asPoolTx(raw: TransactionSerialized): RpcTransaction {
  const tx = parseTransaction(raw)
  const hex = (n: bigint | number | undefined) => (n === undefined ? undefined : `0x${n.toString(16)}`)
  const common = {
    hash: keccak256(raw),
    from: account.address,
    nonce: hex(tx.nonce ?? 0),
    gas: hex(tx.gas),
    to: tx.to ?? null,
    value: hex(tx.value ?? 0n),
    input: tx.data ?? '0x',
    r: tx.r,
    s: tx.s,
    blockHash: null,
    blockNumber: null,
    transactionIndex: null,
  }
  if (tx.type === 'legacy')
    return { ...common, type: '0x0', gasPrice: hex(tx.gasPrice), v: hex(tx.v), chainId: hex(tx.chainId) } as unknown as RpcTransaction
  return {
    ...common,
    type: '0x2',
    chainId: hex(tx.chainId),
    maxFeePerGas: hex(tx.maxFeePerGas),
    maxPriorityFeePerGas: hex(tx.maxPriorityFeePerGas),
    accessList: ('accessList' in tx ? tx.accessList : undefined) ?? [],
    yParity: hex(tx.yParity),
    v: hex(tx.yParity),
  } as unknown as RpcTransaction
}

describe('reserialize', () => {
  test('keeps a contract call’s calldata (the pool lists it as `input`)', async () => {
    const raw = await account.signTransaction({
      chainId: 1,
      nonce: 4,
      to: '0x000000000000000000000000000000000000dEaD',
      data: '0x12345678000000000000000000000000000000000000000000000000000000000000002a',
      value: 0n,
      gas: 60_000n,
      maxFeePerGas: parseGwei('30'),
      maxPriorityFeePerGas: parseGwei('1'),
    })
    expect(reserialize(asPoolTx(raw as TransactionSerialized))).toBe(raw)
  })

  test('gives back the signed bytes of an EIP-1559 pool tx', async () => {
    const raw = await account.signTransaction({
      chainId: 1,
      nonce: 3,
      to: '0x000000000000000000000000000000000000dEaD',
      value: 5n,
      gas: 21_000n,
      maxFeePerGas: parseGwei('30'),
      maxPriorityFeePerGas: parseGwei('1'),
      type: 'eip1559',
    })
    expect(reserialize(asPoolTx(raw as TransactionSerialized))).toBe(raw)
  })

  test('gives back the signed bytes of an EIP-155 legacy pool tx', async () => {
    const raw = await account.signTransaction({
      chainId: 1,
      nonce: 0,
      to: '0x000000000000000000000000000000000000dEaD',
      gas: 21_000n,
      gasPrice: parseGwei('20'),
      type: 'legacy',
    })
    expect(reserialize(asPoolTx(raw as TransactionSerialized))).toBe(raw)
  })

  test('returns null when the fields do not hash to the pool hash (an impersonated sender)', async () => {
    const raw = await account.signTransaction({
      chainId: 1,
      nonce: 0,
      to: '0x000000000000000000000000000000000000dEaD',
      gas: 21_000n,
      gasPrice: parseGwei('20'),
      type: 'legacy',
    })
    expect(reserialize({ ...asPoolTx(raw as TransactionSerialized), hash: keccak256('0x01') })).toBeNull()
  })
})
