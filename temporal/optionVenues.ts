import type { GammaDeployment } from '../adapters/opyn-gamma/gamma.ts'
import { readGammaSection } from '../chains/devnet/gamma/section.ts'
import { readRfqSection } from '../chains/devnet/rfq/deploy.ts'
import type { ChainKey } from '../chains/types.ts'
import type { RfqVenue } from './activities/optionActivities.ts'
import type { ChainEnvironment } from './chainEnvironment.ts'

/**
 * Where Opyn Gamma lives on each chain a worker knows: on the devnet, from the manifest's
 * `options.gamma` section (a devnet started before options has none). Live chains name no Gamma
 * deployment yet, so a live worker observes no option book.
 */
export function gammaDeployments(environment: ChainEnvironment): Partial<Record<ChainKey, GammaDeployment>> {
  const manifest = environment.devnetManifest
  const section = manifest ? readGammaSection(manifest) : null
  if (!manifest || !section) return {}
  const out: Partial<Record<ChainKey, GammaDeployment>> = {}
  for (const [key, g] of Object.entries(section.chains) as [ChainKey, NonNullable<(typeof section.chains)[ChainKey]>][]) {
    const c = manifest.chains[key].contracts
    out[key] = { chainId: manifest.chains[key].chainId, ...g, feed: c.ethUsdFeed, weth: c.weth, usdc: c.usdc }
  }
  return out
}

/**
 * Where the worker asks for option quotes: on the devnet, the manifest's `options.rfq` section
 * (SwapERC20 per chain and the makers' RFQ servers, which quote for every chain). None on live
 * chains yet.
 */
export function rfqVenues(environment: ChainEnvironment): Partial<Record<ChainKey, RfqVenue>> {
  const manifest = environment.devnetManifest
  const section = manifest ? readRfqSection(manifest) : null
  if (!section) return {}
  const makers = (section.makers ?? []).map((m) => ({ id: m.id, url: m.url }))
  const out: Partial<Record<ChainKey, RfqVenue>> = {}
  for (const [key, c] of Object.entries(section.chains) as [ChainKey, { swapErc20: `0x${string}` }][])
    out[key] = { swapContract: c.swapErc20, makers }
  return out
}
