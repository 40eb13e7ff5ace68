import { describe, expect, test } from 'vitest'
import { hedgeMoreIntervalSec, loopIntervalSec, type PortfolioState } from './state.ts'

const at = (chainTimeSec: number, hedgeMore?: PortfolioState['hedgeMore']) =>
  ({ lastObservation: { atChainTimeSec: String(chainTimeSec) }, ...(hedgeMore ? { hedgeMore } : {}) }) as PortfolioState

describe('the loop interval', () => {
  test('is the mandate’s, a quarter of it while a gamma breach is met by hedging more, until the expiry', () => {
    const more = { untilChainTimeSec: '2000', intervalSec: hedgeMoreIntervalSec(3600) }
    expect(hedgeMoreIntervalSec(3600)).toBe(900)
    expect(hedgeMoreIntervalSec(2)).toBe(1)
    expect(loopIntervalSec(at(1000), 3600)).toBe(3600)
    expect(loopIntervalSec(at(1000, more), 3600)).toBe(900)
    expect(loopIntervalSec(at(2000, more), 3600)).toBe(3600)
    // A mandate updated to a shorter interval is never lengthened by an older breach.
    expect(loopIntervalSec(at(1000, more), 600)).toBe(600)
    expect(loopIntervalSec({ lastObservation: null } as PortfolioState, 30)).toBe(30)
  })
})
