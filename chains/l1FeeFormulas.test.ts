import { type Hex, parseGwei, parseTransaction } from 'viem'
import { describe, expect, test } from 'vitest'
import { unsignedTxForL1Fee } from './l1DataFee.ts'
import { ecotoneL1FeeWei, ecotoneL1GasUsed, nitroGasEstimateForL1 } from './l1FeeFormulas.ts'

// 100 non-zero bytes: 100 × 16 + 68 × 16 (the signature GasPriceOracle adds) = 2688 L1 gas.
const hundredNonZero = `0x${'ab'.repeat(100)}` as Hex
// Base's scalars (2269, 1055762) at a 15 gwei L1 base fee; values worked by hand from GasPriceOracle._getL1FeeEcotone.
const base = { baseFeeScalar: 2269n, blobBaseFeeScalar: 1_055_762n, l1BaseFeeWei: parseGwei('15') }

describe('ecotoneL1GasUsed', () => {
  test('counts 4 per zero byte and 16 per non-zero byte, plus 68 bytes of signature at 16', () => {
    expect(ecotoneL1GasUsed('0x00ff')).toBe(4n + 16n + 1088n)
    expect(ecotoneL1GasUsed(hundredNonZero)).toBe(2688n)
  })
})

describe('ecotoneL1FeeWei', () => {
  test('prices L1 gas at baseFeeScalar·16·l1BaseFee + blobBaseFeeScalar·blobBaseFee over 16e6 when blobs cost 1 wei', () => {
    // 2688 × (2269·16·15e9 + 1055762·1) / 16e6 = 2688 × 544560001055762 / 16e6 = 91486080177.37 → 91486080177
    expect(ecotoneL1FeeWei({ unsignedTx: hundredNonZero, ...base, blobBaseFeeWei: 1n })).toBe(91_486_080_177n)
  })

  test('charges the blob scalar when blob gas is dear', () => {
    // 2688 × (544560000000000 + 1055762·5e9) / 16e6 = 978326160000 exactly
    expect(ecotoneL1FeeWei({ unsignedTx: hundredNonZero, ...base, blobBaseFeeWei: parseGwei('5') })).toBe(978_326_160_000n)
  })

  test('is 0 when L1 costs nothing', () => {
    expect(
      ecotoneL1FeeWei({ unsignedTx: hundredNonZero, l1BaseFeeWei: 0n, blobBaseFeeWei: 0n, baseFeeScalar: 2269n, blobBaseFeeScalar: 1n }),
    ).toBe(0n)
  })
})

describe('nitroGasEstimateForL1', () => {
  test('pads 16 units per byte by 256 units and 1 %, the fee by 10 %, and converts at the L2 base fee', () => {
    // units = (400·16 + 256)·10100/10000 = 6722; fee = 5e7·6722·11000/10000 = 369710000000; / 1e7 = 36971
    expect(nitroGasEstimateForL1({ postedBytes: 400n, pricePerUnitWei: 50_000_000n, l2BaseFeeWei: 10_000_000n })).toBe(36_971n)
  })

  test('rounds the L2 gas down, so gas × base fee never exceeds the padded fee', () => {
    const gas = nitroGasEstimateForL1({ postedBytes: 401n, pricePerUnitWei: 50_000_000n, l2BaseFeeWei: 30_000_001n })
    expect(gas * 30_000_001n).toBeLessThanOrEqual(((((401n * 16n + 256n) * 10_100n) / 10_000n) * 50_000_000n * 11_000n) / 10_000n)
  })
})

describe('unsignedTxForL1Fee', () => {
  test('serializes an unsigned EIP-1559 tx with viem’s estimateL1Fee stubs for the fields a plan leaves open', () => {
    const to = '0x1111111111111111111111111111111111111111'
    const tx = parseTransaction(unsignedTxForL1Fee({ chainId: 8453, tx: { to, data: '0x1234' } }))
    expect(tx).toMatchObject({ type: 'eip1559', chainId: 8453, to, data: '0x1234', nonce: 1, gas: 300_000n })
    expect([tx.maxFeePerGas, tx.maxPriorityFeePerGas, tx.r]).toEqual([parseGwei('5'), parseGwei('1'), undefined])
  })
})
