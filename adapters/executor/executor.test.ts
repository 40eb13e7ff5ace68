import type { PublicClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { InvalidInputError } from '../../agent/errors.ts'
import { InvalidTransactionError } from './errors.ts'
import { createExecutor, gasLimitFor } from './executor.ts'

// anvil's public test key #9; never holds value anywhere.
const account = privateKeyToAccount('0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6')
// Validation must fail before any RPC: a client that throws on use proves no call was made.
const unreachable = new Proxy({}, { get: () => () => Promise.reject(new Error('no RPC expected')) }) as unknown as PublicClient

describe('gasLimitFor', () => {
  test('adds the margin and rounds up when the product is fractional', () => {
    expect(gasLimitFor(100_001n, 3_500)).toBe(135_002n) // 135001.35 → 135002
    expect(gasLimitFor(100_000n, 3_500)).toBe(135_000n)
  })

  test('never goes below the intrinsic 21000 when the simulated gas is tiny', () => {
    expect(gasLimitFor(0n, 3_500)).toBe(21_000n)
  })
})

describe('createExecutor', () => {
  const executor = createExecutor({ chain: 'base', chainId: 8453, publicClient: unreachable, account })

  test('refuses a call for another chain before touching the RPC', async () => {
    const call = { chainId: 1, to: account.address, data: '0x' as const, value: 0n, description: 'x' }
    await expect(executor.prepare({ calls: [call], idempotencyKey: 'k' })).rejects.toBeInstanceOf(InvalidTransactionError)
  })

  test('refuses an empty batch and an empty idempotency key', async () => {
    const err = await executor.prepare({ calls: [], idempotencyKey: '' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InvalidInputError)
    expect((err as InvalidInputError).issues.map((i) => i.path).sort()).toEqual(['calls', 'idempotencyKey'])
  })

  test('refuses a prepared tx whose amounts are not decimal strings', async () => {
    const tx = {
      idempotencyKey: 'k',
      index: 0,
      chainId: 8453,
      from: account.address,
      nonce: 0,
      hash: `0x${'11'.repeat(32)}` as const,
      raw: '0x02' as const,
      gasLimit: '1.5',
      maxFeePerGas: '1',
      maxPriorityFeePerGas: '1',
      description: '',
    }
    const err = await executor.submit(tx).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InvalidInputError)
    expect((err as InvalidInputError).issues[0]?.path).toBe('gasLimit')
  })

  test('refuses a prepared tx whose bytes do not hash to its hash', async () => {
    const tx = {
      idempotencyKey: 'k',
      index: 0,
      chainId: 8453,
      from: account.address,
      nonce: 0,
      hash: `0x${'11'.repeat(32)}` as const,
      raw: '0x02f8' as const,
      gasLimit: '21000',
      maxFeePerGas: '1',
      maxPriorityFeePerGas: '1',
      description: '',
    }
    await expect(executor.submit(tx)).rejects.toBeInstanceOf(InvalidTransactionError)
  })
})
