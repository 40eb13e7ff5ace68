import { FlashbotsBundleProvider } from '@flashbots/ethers-provider-bundle'
import { type Hex, keccak256, parseGwei, toHex } from 'viem'
import { describe, expect, test } from 'vitest'
import { nextBaseFee } from './builder.ts'
import { bundleHash, conflictOf, failureOf, orderBundles, scoreBundle, timestampMismatch } from './orderBundles.ts'
import type { DecodedTx, TxSim } from './types.ts'

const hash = (n: number): Hex => keccak256(toHex(n))
const alice = '0x00000000000000000000000000000000000a11ce'
const bob = '0x0000000000000000000000000000000000000b0b'

const tx = (p: { n: number; from?: `0x${string}`; nonce?: number }): DecodedTx => ({
  raw: '0x',
  hash: hash(p.n),
  from: p.from ?? alice,
  nonce: p.nonce ?? p.n,
  to: null,
  gas: 21_000n,
  value: 0n,
  input: '0x',
  fees: { kind: 'eip1559', maxFeePerGasWei: parseGwei('100'), maxPriorityFeePerGasWei: parseGwei('1') },
  accessList: undefined,
})

const sim = (p: { n: number; gasUsed?: bigint; tipGwei?: string; toCoinbaseWei?: bigint; success?: boolean }): TxSim => ({
  hash: hash(p.n),
  from: alice,
  to: null,
  gasUsed: p.gasUsed ?? 21_000n,
  tipPerGasWei: parseGwei(p.tipGwei ?? '1'),
  ethSentToCoinbaseWei: p.toCoinbaseWei ?? 0n,
  success: p.success ?? true,
  returnData: '0x',
  ...(p.success === false ? { error: 'execution reverted', revert: 'nope' } : {}),
})

describe('bundleHash', () => {
  test('equals the Flashbots client generateBundleHash', () => {
    const hashes = [hash(1), hash(2), hash(3)]
    expect(bundleHash(hashes)).toBe(FlashbotsBundleProvider.generateBundleHash(hashes))
  })
})

describe('orderBundles', () => {
  test('puts the higher coinbase payment per gas first when tips and transfers differ', () => {
    // a: 1 gwei tip on 21k gas = 1 gwei/gas. b: same tip plus 0.001 ETH to coinbase over 42k gas = 1 gwei + 23.8 gwei/gas.
    const a = scoreBundle({ hash: hash(1), seq: 0, sims: [sim({ n: 1 })] })
    const b = scoreBundle({ hash: hash(2), seq: 1, sims: [sim({ n: 2 }), sim({ n: 3, toCoinbaseWei: 10n ** 15n })] })
    const c = scoreBundle({ hash: hash(4), seq: 2, sims: [sim({ n: 4, tipGwei: '3' })] })
    expect(b.coinbaseDiffWei).toBe(42_000n * parseGwei('1') + 10n ** 15n)
    expect(orderBundles([a, b, c]).map((s) => s.hash)).toEqual([hash(2), hash(4), hash(1)])
  })

  test('keeps arrival order when two bundles pay the same per gas', () => {
    const first = scoreBundle({ hash: hash(1), seq: 0, sims: [sim({ n: 1 })] })
    // Twice the gas at the same price: same per-gas payment.
    const second = scoreBundle({ hash: hash(2), seq: 1, sims: [sim({ n: 2 }), sim({ n: 3 })] })
    expect(orderBundles([second, first]).map((s) => s.seq)).toEqual([0, 1])
  })
})

describe('conflictOf', () => {
  test('names a shared transaction hash', () => {
    expect(conflictOf({ accepted: [tx({ n: 1 })], bundle: [tx({ n: 1 })] })).toContain('already in an accepted bundle')
  })

  test('names a sender+nonce already taken by another transaction', () => {
    expect(conflictOf({ accepted: [tx({ n: 1, nonce: 7 })], bundle: [tx({ n: 2, nonce: 7 })] })).toContain('nonce 7')
  })

  test('returns null when hashes and nonces are disjoint', () => {
    expect(
      conflictOf({ accepted: [tx({ n: 1, nonce: 7 })], bundle: [tx({ n: 2, nonce: 7, from: bob }), tx({ n: 3, nonce: 8 })] }),
    ).toBeNull()
  })
})

describe('failureOf', () => {
  test('names the reverting tx when it is not allowed to revert', () => {
    expect(failureOf({ sims: [sim({ n: 1 }), sim({ n: 2, success: false })], revertingTxHashes: [] })).toBe(
      `transaction 1 (${hash(2)}) reverted and is not in revertingTxHashes: nope`,
    )
  })

  test('lets a listed tx revert, whatever the letter case of the hash', () => {
    expect(
      failureOf({ sims: [sim({ n: 2, success: false })], revertingTxHashes: [hash(2).toUpperCase().replace('0X', '0x') as Hex] }),
    ).toBeNull()
  })
})

describe('timestampMismatch', () => {
  test('excludes a block before minTimestamp or after maxTimestamp; 0 or null means no bound', () => {
    expect(timestampMismatch({ minTimestamp: 100, maxTimestamp: null, timestampSec: 99n })).toContain('before minTimestamp 100')
    expect(timestampMismatch({ minTimestamp: null, maxTimestamp: 100, timestampSec: 101n })).toContain('after maxTimestamp 100')
    expect(timestampMismatch({ minTimestamp: 100, maxTimestamp: 100, timestampSec: 100n })).toBeNull()
    expect(timestampMismatch({ minTimestamp: 0, maxTimestamp: 0, timestampSec: 5n })).toBeNull()
  })
})

describe('nextBaseFee', () => {
  // EIP-1559: ±1/8 at an empty or a full block, unchanged at the target.
  test('moves by at most 1/8 towards the gas target', () => {
    const baseFeeWei = 8_000_000_000n
    expect(nextBaseFee({ baseFeeWei, gasUsed: 15_000_000n, gasLimit: 30_000_000n })).toBe(baseFeeWei)
    expect(nextBaseFee({ baseFeeWei, gasUsed: 30_000_000n, gasLimit: 30_000_000n })).toBe(9_000_000_000n)
    expect(nextBaseFee({ baseFeeWei, gasUsed: 0n, gasLimit: 30_000_000n })).toBe(7_000_000_000n)
  })
})
