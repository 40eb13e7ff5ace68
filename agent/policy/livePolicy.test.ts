import { describe, expect, test } from 'vitest'
import { rehedgeCostRate } from '../hedging/rehedgeCostRate.ts'
import { whalleyWilmottHalfWidth } from '../hedging/whalleyWilmottPolicy.ts'
import { type MandateInput, parseMandate } from '../mandate/schema.ts'
import type { PortfolioExposure, PortfolioSnapshot } from '../portfolio/types.ts'
import { sviTotalVariance } from '../risk/svi.ts'
import { decideBandHedge } from './bandPolicy.ts'
import { decideHedge, liveChainCosts } from './livePolicy.ts'

const ETH = 10n ** 18n
const treasury = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const mark = { a: 0.45, b: 0.05, rho: -0.3, m: 0, sigma: 0.2 }
const now = 1_800_000_000n
const expiry = now + 5n * 86_400n
const base: MandateInput = {
  portfolio: 'book',
  chains: { ethereum: { treasury } },
  delta: { targetEth: '500', bandEth: '20' },
  hedge: { maxSlippageBps: 30, maxGasCostUsdc: '30', maxHedgeSizeEth: '100' },
  loop: { intervalSec: 3600 },
}
const withBook = (over: Record<string, unknown> = {}) =>
  parseMandate({
    ...base,
    options: {
      chains: ['ethereum'],
      strategies: [
        { kind: 'covered-call', sizeEth: '10', callDelta: 0.25, expiry: { weekday: 'friday' }, minPremiumUsdc: '1', maxDiscountBps: 500 },
      ],
      objectives: { gammaFloor: -1, vegaLimitUsdc: '100000', thetaTargetUsdcPerDay: '1' },
      mark: { svi: mark },
      ...over,
    },
  })
const snapshot = (gasGwei: bigint) =>
  ({
    portfolio: 'book',
    chains: [
      {
        chain: 'ethereum',
        blockTimestampSec: now.toString(),
        baseFeePerGasWei: (gasGwei * 10n ** 9n).toString(),
        priorityFeePerGasWei: '0',
        pool: { liquidity: '5477225575051661000', fee: 500 },
        options: {
          vaults: [
            {
              id: '1',
              type: 0,
              short: { otoken: '0x01', isPut: false, strikeE8: '330000000000', expirySec: expiry.toString(), amountE8: '1000000000' },
              collateral: null,
            },
          ],
          longs: [],
          mark,
        },
      },
    ],
  }) as unknown as PortfolioSnapshot
const exposure = (deltaEth: bigint, gamma: number) =>
  ({
    portfolio: 'book',
    chains: [{ chain: 'ethereum', priceUsdc: 3000 }],
    deltaWei: deltaEth * ETH,
    gamma,
    vega: 0,
    theta: 0,
    inFlightWethWei: 0n,
  }) as unknown as PortfolioExposure

describe('the live hedge policy', () => {
  test('without an option book, or with the band policy, it is the mandate band back to the target', () => {
    const plain = parseMandate(base)
    for (const m of [plain, withBook({ hedgePolicy: 'band' })]) {
      const d = decideHedge({ mandate: m, paused: false, exposure: exposure(530n, -0.05), snapshot: snapshot(15n) })
      expect(d).toEqual({ ...decideBandHedge({ mandate: { ...m, paused: false }, deltaWei: 530n * ETH }), policy: 'band' })
    }
  })

  test('Whalley–Wilmott: the band from the book’s gamma, the smile’s vol and the cheapest re-hedge, traded to its edge', () => {
    const m = withBook()
    const gamma = -0.05
    const d = decideHedge({ mandate: m, paused: false, exposure: exposure(530n, gamma), snapshot: snapshot(15n) })
    const vol = Math.sqrt(sviTotalVariance(mark, 0))
    const costRate = rehedgeCostRate({
      chains: liveChainCosts(snapshot(15n)),
      gamma,
      spot: 3000,
      vol,
      checkIntervalYears: 3600 / (365 * 86_400),
      side: -1,
    })
    const h = whalleyWilmottHalfWidth({ spot: 3000, gamma, costRate, riskAversion: 0.0001, rate: 0, timeToExpiryYears: 5 / 365 })
    expect(h).toBeGreaterThan(0)
    expect(h).toBeLessThan(20)
    expect(d).toMatchObject({ action: 'hedge', direction: 'sell-eth', policy: 'whalley-wilmott', bandWei: BigInt(Math.floor(h * 1e18)) })
    // To the band's edge, not the centre.
    if (d.action === 'hedge') expect(d.sizeWei).toBe(30n * ETH - d.bandWei)
  })

  test('the band widens with gamma and with the cost of trading, and never past the mandate’s', () => {
    const m = withBook()
    const band = (gamma: number, gasGwei: bigint) =>
      decideHedge({ mandate: m, paused: false, exposure: exposure(501n, gamma), snapshot: snapshot(gasGwei) }).bandWei
    expect(band(-0.1, 15n)).toBeGreaterThan(band(-0.05, 15n))
    expect(band(-0.05, 150n)).toBeGreaterThan(band(-0.05, 15n))
    expect(band(-50, 15_000n)).toBe(20n * ETH)
    // Inside a band that wide, nothing to do.
    expect(decideHedge({ mandate: m, paused: false, exposure: exposure(510n, -50), snapshot: snapshot(15_000n) }).action).toBe('hold')
  })

  test('time-or-price is refused by name until the live loop runs it', () => {
    expect(() => withBook({ hedgePolicy: 'time-or-price' })).toThrow(/options\.hedgePolicy: time-or-price runs in the lab/)
  })
})
