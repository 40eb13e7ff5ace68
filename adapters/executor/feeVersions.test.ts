import { describe, expect, test } from 'vitest'
import { bumpForReplacement, bundleAttemptFees, replacementFees, replacementUuidOf } from './feeVersions.ts'

const first = { maxFeePerGas: 32_000_000_000n, maxPriorityFeePerGas: 2_000_000_000n }

describe('bundleAttemptFees', () => {
  test('raises the tip by the step per attempt, compounding, up to the budget, and the fee cap by as much', () => {
    const policy = { stepBps: 2_500, maxPriorityFeePerGas: 3_500_000_000n }
    expect(bundleAttemptFees(first, 0, policy)).toEqual(first)
    expect(bundleAttemptFees(first, 1, policy)).toEqual({ maxPriorityFeePerGas: 2_500_000_000n, maxFeePerGas: 32_500_000_000n })
    expect(bundleAttemptFees(first, 2, policy)).toEqual({ maxPriorityFeePerGas: 3_125_000_000n, maxFeePerGas: 33_125_000_000n })
    expect(bundleAttemptFees(first, 3, policy)).toEqual({ maxPriorityFeePerGas: 3_500_000_000n, maxFeePerGas: 33_500_000_000n })
    expect(bundleAttemptFees(first, 9, policy)).toEqual({ maxPriorityFeePerGas: 3_500_000_000n, maxFeePerGas: 33_500_000_000n })
  })
  test('never lowers the tip below what was prepared, even with a budget under it', () => {
    expect(bundleAttemptFees(first, 4, { stepBps: 2_500, maxPriorityFeePerGas: 1n })).toEqual(first)
  })
})

describe('replacementFees', () => {
  test('bumps both caps by 12.5 % + 1 wei per replacement while the fee cap stays within the budget', () => {
    expect(bumpForReplacement(8n)).toBe(10n)
    const one = replacementFees(first, 1, 100_000_000_000n)
    expect(one).toEqual({ maxFeePerGas: 36_000_000_001n, maxPriorityFeePerGas: 2_250_000_001n })
    expect(replacementFees(first, 2, 100_000_000_000n)?.maxFeePerGas).toBe(40_500_000_002n)
    expect(replacementFees(first, 1, 36_000_000_000n)).toBeNull()
    expect(replacementFees(first, 0, 1n)).toEqual(first)
  })
})

describe('replacementUuidOf', () => {
  test('is a stable UUID per idempotency key', () => {
    const a = replacementUuidOf('p-hedge-1')
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(replacementUuidOf('p-hedge-1')).toBe(a)
    expect(replacementUuidOf('p-hedge-2')).not.toBe(a)
  })
})
