import { describe, expect, test } from 'vitest'
import { InvalidInputError } from '../agent/errors.ts'
import type { ChainKey } from '../chains/types.ts'
import { AdapterNotFoundError, createAdapterRegistry, DuplicateAdapterError } from './registry.ts'
import type { SwapVenueAdapter } from './types.ts'

const venue = (id: string, chains: ChainKey[]): SwapVenueAdapter => ({
  manifest: { id, kind: 'amm', chains, version: '1', description: id },
  supports: () => true,
  quote: async () => ({ status: 'unavailable', reason: 'test venue' }),
  buildCalls: async () => [],
  readPositions: async () => [],
})

describe('createAdapterRegistry', () => {
  test('returns the swap venues of a chain when several are registered', () => {
    const registry = createAdapterRegistry()
    const a = venue('venue-a', ['ethereum', 'base'])
    const b = venue('venue-b', ['arbitrum'])
    registry.register(a)
    registry.register(b)
    registry.register({ manifest: { id: 'bridge-x', kind: 'bridge', chains: ['base'], version: '1', description: '' } })
    expect(registry.swapVenuesFor('base')).toEqual([a])
    expect(registry.swapVenuesFor('arbitrum')).toEqual([b])
    expect(registry.get('venue-b')).toBe(b)
  })

  test('refuses a duplicate id with a typed error', () => {
    const registry = createAdapterRegistry()
    registry.register(venue('venue-a', ['ethereum']))
    const err = (() => {
      try {
        registry.register(venue('venue-a', ['base']))
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(DuplicateAdapterError)
    expect((err as DuplicateAdapterError).name).toBe('AdapterRegistry.DuplicateAdapterError')
    expect(registry.swapVenuesFor('base')).toEqual([])
  })

  test('throws AdapterNotFoundError when the id is unknown', () => {
    expect(() => createAdapterRegistry().get('nope')).toThrow(AdapterNotFoundError)
  })

  test('refuses a manifest with an unknown chain', () => {
    const registry = createAdapterRegistry()
    expect(() => registry.register(venue('venue-a', ['solana' as ChainKey]))).toThrow(InvalidInputError)
    expect(registry.has('venue-a')).toBe(false)
  })
})
