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
const snapshot = (gasGwei: bigint, l1DataFeeWei?: string) =>
  ({
    portfolio: 'book',
    chains: [
      {
        chain: 'ethereum',
        blockTimestampSec: now.toString(),
        baseFeePerGasWei: (gasGwei * 10n ** 9n).toString(),
        priorityFeePerGasWei: '0',
        ...(l1DataFeeWei === undefined ? {} : { l1DataFeeWei }),
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
    // To the band's edge (a tenth of the band inside it), not the centre.
    if (d.action === 'hedge') expect(d.sizeWei).toBe(30n * ETH - (d.bandWei * 9n) / 10n)
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
})

describe('liveChainCosts', () => {
  test('carries the observed L1 data fee of a swap into the lab’s cost inputs, 0 when the observation has none', () => {
    expect(liveChainCosts(snapshot(15n, '123000000000'))[0]?.l1DataFeeWei).toBe(123_000_000_000n)
    expect(liveChainCosts(snapshot(15n))[0]?.l1DataFeeWei).toBe(0n)
  })
})

describe('decideHedge with time-or-price', () => {
  const tp = (timeOrPrice: Record<string, unknown> = { priceMoveBps: 200, minTradeEth: '1' }) =>
    withBook({ hedgePolicy: 'time-or-price', timeOrPrice })
  const at = (p: { deltaEth: bigint; lastHedgeAgoSec?: bigint | null; lastHedgeSpotUsdc?: number | null; m?: ReturnType<typeof tp> }) =>
    decideHedge({
      mandate: p.m ?? tp(),
      paused: false,
      exposure: exposure(p.deltaEth, -0.05),
      snapshot: snapshot(15n),
      ...(p.lastHedgeAgoSec === undefined ? {} : { lastHedgeAtChainTimeSec: p.lastHedgeAgoSec === null ? null : now - p.lastHedgeAgoSec }),
      ...(p.lastHedgeSpotUsdc === undefined ? {} : { lastHedgeSpotUsdc: p.lastHedgeSpotUsdc }),
    })

  test('hedges back to the target once intervalSec of chain time passed since the last hedge', () => {
    const d = at({ deltaEth: 505n, lastHedgeAgoSec: 86_400n, lastHedgeSpotUsdc: 3000 })
    expect(d).toMatchObject({
      action: 'hedge',
      direction: 'sell-eth',
      sizeWei: 5n * ETH,
      capped: false,
      policy: 'time-or-price',
      trigger: 'time',
    })
    expect(d.bandWei).toBe(20n * ETH)
    expect(d.why).toBe('time-or-price: 86400 s since the last hedge (interval 86400 s): back to the target')
    expect(at({ deltaEth: 495n, lastHedgeAgoSec: 90_000n, lastHedgeSpotUsdc: 3000 })).toMatchObject({
      action: 'hedge',
      direction: 'buy-eth',
      sizeWei: 5n * ETH,
    })
  })

  test('holds inside the band before intervalSec passed when ETH has not moved', () => {
    const d = at({ deltaEth: 505n, lastHedgeAgoSec: 86_399n, lastHedgeSpotUsdc: 3000 })
    expect(d).toMatchObject({ action: 'hold', reason: 'inside-band', policy: 'time-or-price', bandWei: 20n * ETH })
    expect(d.trigger).toBeUndefined()
    expect(d.why).toMatch(/86399 s since the last hedge.*ETH moved 0\.00% since the last hedge \(trigger 2\.00%\): hold/)
  })

  test('hedges when ETH moved more than priceMoveBps, however recent the last hedge', () => {
    // 3000 / 2940 − 1 = 2.04 % and 3000 / 3070 − 1 = −2.28 %: beyond 2 %; 3000 / 2950 − 1 = 1.69 %: within.
    expect(at({ deltaEth: 505n, lastHedgeAgoSec: 1n, lastHedgeSpotUsdc: 2940 })).toMatchObject({
      action: 'hedge',
      sizeWei: 5n * ETH,
      trigger: 'price',
      why: 'time-or-price: ETH moved 2.04% since the last hedge (trigger 2.00%): back to the target',
    })
    expect(at({ deltaEth: 505n, lastHedgeAgoSec: 1n, lastHedgeSpotUsdc: 3070 })).toMatchObject({ action: 'hedge', trigger: 'price' })
    expect(at({ deltaEth: 505n, lastHedgeAgoSec: 1n, lastHedgeSpotUsdc: 2950 }).action).toBe('hold')
  })

  test('without priceMoveBps the move is one standard deviation over the interval, as the lab sweeps it', () => {
    // policySweep: priceMoveFraction = vol·√interval. The vol is the mark's at the money, where raw SVI
    // (Gatheral 2004) gives w(0) = a + b·(ρ·(0 − m) + √(m² + σ²)) = 0.45 + 0.05·0.2 = 0.46.
    const move = Math.sqrt(0.46) * Math.sqrt(1 / 365)
    expect(move).toBeCloseTo(0.0355, 4)
    const m = tp({ minTradeEth: '1' })
    expect(at({ m, deltaEth: 505n, lastHedgeAgoSec: 1n, lastHedgeSpotUsdc: 3000 / (1 + move * 1.01) }).trigger).toBe('price')
    expect(at({ m, deltaEth: 505n, lastHedgeAgoSec: 1n, lastHedgeSpotUsdc: 3000 / (1 + move * 0.99) }).action).toBe('hold')
  })

  test('holds when a trigger fired but delta is within minTradeEth of the target', () => {
    const d = at({ deltaEth: 501n, lastHedgeAgoSec: 86_400n, lastHedgeSpotUsdc: 3000 })
    expect(d).toMatchObject({ action: 'hold', reason: 'inside-band', trigger: 'time' })
    expect(d.why).toMatch(/but delta is within 1 ETH of the target: hold$/)
    // Without minTradeEth the dust is a tenth of the mandate's band: 2 ETH here.
    const m = tp({ priceMoveBps: 200 })
    expect(at({ m, deltaEth: 502n, lastHedgeAgoSec: 86_400n }).action).toBe('hold')
    expect(at({ m, deltaEth: 503n, lastHedgeAgoSec: 86_400n })).toMatchObject({ action: 'hedge', sizeWei: 3n * ETH })
  })

  test('hedges at once when there was no hedge yet, as the lab does at its first step', () => {
    expect(at({ deltaEth: 505n, lastHedgeAgoSec: null, lastHedgeSpotUsdc: null })).toMatchObject({
      action: 'hedge',
      trigger: 'time',
      why: 'time-or-price: no hedge yet: back to the target',
    })
  })

  test('the mandate’s band still bounds delta: outside it, back to the target whatever the clock and price', () => {
    const d = at({ deltaEth: 530n, lastHedgeAgoSec: 1n, lastHedgeSpotUsdc: 3000 })
    expect(d).toMatchObject({ action: 'hedge', direction: 'sell-eth', sizeWei: 30n * ETH, trigger: 'band', bandWei: 20n * ETH })
  })

  test('only the band acts when the caller does not pass the last hedge’s time', () => {
    const d = at({ deltaEth: 519n })
    expect(d).toMatchObject({ action: 'hold', reason: 'inside-band', policy: 'time-or-price' })
    expect(d.why).toMatch(/last hedge’s time is unknown/)
    expect(at({ deltaEth: 521n })).toMatchObject({ action: 'hedge', trigger: 'band', sizeWei: 21n * ETH })
  })

  test('a triggered hedge is capped by the mandate’s max hedge size', () => {
    const m = { ...tp(), hedge: { ...tp().hedge, maxHedgeSizeEth: 2n * ETH } }
    expect(at({ m, deltaEth: 505n, lastHedgeAgoSec: 86_400n })).toMatchObject({ action: 'hedge', sizeWei: 2n * ETH, capped: true })
  })

  test('holds when paused, whatever fired', () => {
    const d = decideHedge({
      mandate: tp(),
      paused: true,
      exposure: exposure(530n, -0.05),
      snapshot: snapshot(15n),
      lastHedgeAtChainTimeSec: now - 90_000n,
    })
    expect(d).toMatchObject({ action: 'hold', reason: 'paused' })
  })

  test('band and Whalley–Wilmott ignore the last hedge', () => {
    for (const m of [withBook({ hedgePolicy: 'band' }), withBook()]) {
      const args = { mandate: m, paused: false, exposure: exposure(530n, -0.05), snapshot: snapshot(15n) }
      expect(decideHedge({ ...args, lastHedgeAtChainTimeSec: now - 90_000n, lastHedgeSpotUsdc: 2000 })).toEqual(decideHedge(args))
    }
  })
})
