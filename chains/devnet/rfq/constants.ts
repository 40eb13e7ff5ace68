import type { SviParams } from '../../../agent/risk/svi.ts'
import { usdc } from '../constants.ts'
import type { MakerRole } from './schemas.ts'

/** How one devnet maker prices: its own smile (SVI of annual variance on ln(K/S)), spread and inventory skew. */
export type RfqMakerSpec = {
  id: string
  role: MakerRole
  svi: SviParams
  spreadBps: number
  skewBpsPerOption: number
  validitySec: number
}

/**
 * The devnet's two makers: similar smiles (b's a touch higher) with different spreads, so that b,
 * the narrower, bids more for the same oToken, and keel has a best and a next-best bid.
 */
export const rfqMakerSpecs: readonly RfqMakerSpec[] = [
  {
    id: 'maker-a',
    role: 'rfqMakerA',
    svi: { a: 0.46, b: 0.05, rho: -0.3, m: 0, sigma: 0.2 },
    spreadBps: 300,
    skewBpsPerOption: 20,
    validitySec: 120,
  },
  {
    id: 'maker-b',
    role: 'rfqMakerB',
    svi: { a: 0.49, b: 0.05, rho: -0.3, m: 0, sigma: 0.2 },
    spreadBps: 150,
    skewBpsPerOption: 20,
    validitySec: 120,
  },
]

/** USDC each maker holds on every chain to pay for what it buys: far more than any devnet sale. */
export const makerUsdcInventory = usdc('1000000')

/** How long a maker process gets to answer its health check after it is started. */
export const makerStartTimeoutMs = 30_000
