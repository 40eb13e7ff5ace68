import { describe, expect, test } from 'vitest'
import { type MandateInput, parseMandate, safeParseMandate } from './schema.ts'

const ETH = 10n ** 18n
const valid: MandateInput = {
  portfolio: 'book',
  chains: { ethereum: { treasury: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' } },
  delta: { targetEth: 0, bandEth: '5' },
  hedge: { maxSlippageBps: 50, maxGasCostUsdc: '25', maxHedgeSizeEth: '40' },
}
const book = {
  chains: ['ethereum'],
  strategies: [
    { kind: 'covered-call', sizeEth: '20', callDelta: 0.25, expiry: { weekday: 'friday' }, minPremiumUsdc: '250', maxDiscountBps: 300 },
  ],
  objectives: { gammaFloor: -0.08, vegaLimitUsdc: '25000', thetaTargetUsdcPerDay: '180' },
  mark: { svi: { a: 0.45, b: 0.05, rho: -0.3, m: 0, sigma: 0.2 } },
}
const options = (over: Record<string, unknown>) => parseMandate({ ...valid, options: { ...book, ...over } }).options!
/** The parameters of a time-or-price book; fails the test for any other policy. */
const timeOrPrice = (over: Record<string, unknown>) => {
  const o = options(over)
  if (o.hedgePolicy !== 'time-or-price') throw new Error(`expected time-or-price, got ${o.hedgePolicy}`)
  return o.timeOrPrice
}
const issues = (over: Record<string, unknown>) => {
  const r = safeParseMandate({ ...valid, options: { ...book, ...over } })
  if (r.ok) throw new Error('expected the mandate to be refused')
  return r.issues
}

describe('optionsSchema timeOrPrice', () => {
  test('defaults to a daily interval when time-or-price is chosen without parameters', () => {
    expect(options({ hedgePolicy: 'time-or-price' })).toMatchObject({ hedgePolicy: 'time-or-price', timeOrPrice: { intervalSec: 86_400 } })
    expect(timeOrPrice({ hedgePolicy: 'time-or-price' })).toEqual({ intervalSec: 86_400 })
  })

  test('keeps the operator’s parameters, the dust in wei, when time-or-price is chosen with them', () => {
    expect(timeOrPrice({ hedgePolicy: 'time-or-price', timeOrPrice: { priceMoveBps: 150, minTradeEth: '0.5' } })).toEqual({
      intervalSec: 86_400,
      priceMoveBps: 150,
      minTradeEth: ETH / 2n,
    })
    expect(timeOrPrice({ hedgePolicy: 'time-or-price', timeOrPrice: { intervalSec: 60 } })).toEqual({ intervalSec: 60 })
  })

  test('other policies carry no timeOrPrice', () => {
    expect('timeOrPrice' in options({ hedgePolicy: 'band' })).toBe(false)
    expect('timeOrPrice' in options({})).toBe(false)
  })

  test('refuses timeOrPrice by name when the policy is another one', () => {
    expect(issues({ hedgePolicy: 'band', timeOrPrice: { intervalSec: 3600 } })).toEqual([
      { path: 'options.timeOrPrice', message: 'only for hedgePolicy time-or-price, not band (got {"intervalSec":3600})' },
    ])
    // The default policy is Whalley–Wilmott.
    expect(issues({ timeOrPrice: {} })).toEqual([
      { path: 'options.timeOrPrice', message: 'only for hedgePolicy time-or-price, not whalley-wilmott (got {})' },
    ])
  })

  test('refuses each bad parameter by name', () => {
    const r = issues({ hedgePolicy: 'time-or-price', timeOrPrice: { intervalSec: 59, priceMoveBps: 0, minTradeEth: '0', bandEth: '2' } })
    expect(r).toEqual([
      { path: 'options.timeOrPrice.intervalSec', message: 'at least 60 seconds (got 59)' },
      { path: 'options.timeOrPrice.priceMoveBps', message: 'at least 1 bps (got 0)' },
      { path: 'options.timeOrPrice.minTradeEth', message: 'must be greater than 0 (got "0")' },
      { path: 'options.timeOrPrice.bandEth', message: 'unknown key (misspelled or not supported here)' },
    ])
    expect(issues({ hedgePolicy: 'time-or-price', timeOrPrice: { intervalSec: 90.5 } })).toEqual([
      { path: 'options.timeOrPrice.intervalSec', message: 'expected whole seconds like 86400' },
    ])
    expect(issues({ hedgePolicy: 'time-or-price', timeOrPrice: { minTradeEth: 1 } })).toEqual([
      { path: 'options.timeOrPrice.minTradeEth', message: 'expected a decimal string in ETH like "0.5", got 1' },
    ])
  })

  test('time-or-price is no longer refused', () => {
    expect(safeParseMandate({ ...valid, options: { ...book, hedgePolicy: 'time-or-price' } }).ok).toBe(true)
  })
})
