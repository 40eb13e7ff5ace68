import { describe, expect, test } from 'vitest'
import { UnknownChainError } from './errors.ts'
import { chainKeyOf, getChainMeta } from './registry.ts'

describe('chainKeyOf', () => {
  test('maps each real chain id to its key', () => {
    expect([1, 42161, 8453].map(chainKeyOf)).toEqual(['ethereum', 'arbitrum', 'base'])
  })

  test('throws UnknownChainError when the chain id is not served', () => {
    expect(() => chainKeyOf(10)).toThrow(UnknownChainError)
  })
})

describe('getChainMeta', () => {
  test('sends ethereum as bundles and the L2s privately', () => {
    expect(getChainMeta('ethereum').submission).toBe('bundle')
    expect(getChainMeta('arbitrum').submission).toBe('private')
    expect(getChainMeta('base').submission).toBe('private')
    expect(getChainMeta('base').rpcEnvVar).toBe('KEEL_RPC_BASE')
  })
})
