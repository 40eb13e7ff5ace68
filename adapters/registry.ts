import { z } from 'zod'
import { BaseError } from '../agent/errors.ts'
import type { ChainKey } from '../chains/types.ts'
import type { AdapterManifest, SwapVenueAdapter } from './types.ts'
import { chainKeySchema, parseInput } from './uniswap-v3/schemas.ts'

/** Anything that plugs in: it is known to the registry only by its manifest. */
export type RegisteredAdapter = { manifest: AdapterManifest }

/** A second adapter tried to register under an id already taken. */
export class DuplicateAdapterError extends BaseError {
  override name = 'AdapterRegistry.DuplicateAdapterError' as const
  constructor(params: { id: string }) {
    super(`An adapter with id "${params.id}" is already registered`, { retryable: false })
  }
}

/** No adapter is registered under the id asked for. */
export class AdapterNotFoundError extends BaseError {
  override name = 'AdapterRegistry.AdapterNotFoundError' as const
  constructor(params: { id: string }) {
    super(`No adapter registered with id "${params.id}"`, { retryable: false })
  }
}

const manifestSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lowercase kebab-case id'),
  kind: z.enum(['amm', 'options', 'bridge', 'submitter']),
  chains: z.array(chainKeySchema),
  version: z.string().min(1),
  description: z.string(),
})

export type AdapterRegistry = {
  /** Adds an adapter; refuses a malformed manifest or an id already taken. */
  register(adapter: RegisteredAdapter): void
  /** The adapter registered under `id`; throws AdapterNotFoundError when there is none. */
  get(id: string): RegisteredAdapter
  has(id: string): boolean
  /** Every AMM venue whose manifest lists `chain`, in registration order. */
  swapVenuesFor(chain: ChainKey): SwapVenueAdapter[]
  list(): readonly AdapterManifest[]
}

/** Creates an empty registry; venues plug in by their manifest. */
export function createAdapterRegistry(): AdapterRegistry {
  const adapters = new Map<string, RegisteredAdapter>()
  return {
    register(adapter) {
      const manifest = parseInput(manifestSchema, adapter.manifest, 'adapter manifest')
      if (adapters.has(manifest.id)) throw new DuplicateAdapterError({ id: manifest.id })
      adapters.set(manifest.id, adapter)
    },
    get(id) {
      const adapter = adapters.get(id)
      if (!adapter) throw new AdapterNotFoundError({ id })
      return adapter
    },
    has: (id) => adapters.has(id),
    swapVenuesFor: (chain) => [...adapters.values()].filter(isSwapVenue).filter((a) => a.manifest.chains.includes(chain)),
    list: () => [...adapters.values()].map((a) => a.manifest),
  }
}

function isSwapVenue(adapter: RegisteredAdapter): adapter is SwapVenueAdapter {
  return adapter.manifest.kind === 'amm' && 'quote' in adapter && 'buildCalls' in adapter
}
