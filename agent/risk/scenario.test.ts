import { describe, expect, test } from 'vitest'
import { InvalidInputError } from '../errors.ts'
import { lpGreeks } from '../lp/lpGreeks.ts'
import { getSqrtRatioAtTick } from '../lp/tickMath.ts'
import { bsmPrice } from './blackScholes.ts'
import type { LpRiskPosition, OptionRiskPosition, RiskMarket } from './positions.ts'
import { scenarioGrid } from './scenario.ts'

const NOW = 1_750_000_000
const DAY = 86_400
const market: RiskMarket = { nowSec: NOW, spot: { ETH: 2000, BTC: 60_000 }, rate: 0.03, flatVols: { ETH: 0.6, BTC: 0.5 } }
const shortPut: OptionRiskPosition = {
  id: 'p',
  kind: 'option',
  underlying: 'ETH',
  chain: 'base',
  optionKind: 'put',
  strike: 1900,
  expirySec: NOW + 30 * DAY,
  quantity: -10n,
  decimals: 0,
}

describe('scenarioGrid', () => {
  test('reprices options fully at the shocked spot, vol and remaining time', () => {
    const grid = scenarioGrid({ positions: [shortPut], market, spotShocks: [-0.3, 0, 0.3], volShifts: [0, 0.2], daysForward: [0, 7] })
    const base = -10 * bsmPrice({ kind: 'put', spot: 2000, strike: 1900, timeYears: 30 / 365, vol: 0.6, rate: 0.03 })
    expect(grid.baseValue).toBeCloseTo(base, 9)
    const cell = grid.cells.find((c) => c.spotShock === -0.3 && c.volShift === 0.2 && c.daysForward === 7)!
    const shocked = -10 * bsmPrice({ kind: 'put', spot: 1400, strike: 1900, timeYears: 23 / 365, vol: 0.8, rate: 0.03 })
    expect(cell.pnl).toBeCloseTo(shocked - base, 9)
    expect(grid.pnl[1]![1]![0]).toBe(cell.pnl)
    expect(grid.worst.pnl).toBe(Math.min(...grid.cells.map((c) => c.pnl)))
    expect(grid.worst).toMatchObject({ spotShock: -0.3, volShift: 0.2 }) // short put: crash with vol up
    expect(grid.cells).toHaveLength(12)
  })

  test('returns zero P&L in the unshocked cell and captures convexity a delta expansion would miss', () => {
    const grid = scenarioGrid({ positions: [shortPut], market, spotShocks: [-0.3, 0], volShifts: [0], daysForward: [0] })
    expect(grid.pnl[0]![0]![1]).toBe(0)
    // Short put, −30 %: the loss is far larger than delta·ΔS because gamma works against us.
    const g = scenarioGrid({ positions: [shortPut], market, spotShocks: [-0.001, 0.001], volShifts: [0], daysForward: [0] })
    const delta = (g.pnl[0]![0]![1]! - g.pnl[0]![0]![0]!) / (2 * 0.001 * 2000)
    expect(grid.pnl[0]![0]![0]!).toBeLessThan(delta * -600 * 1.5)
  })

  test('values an option that expires inside the horizon at its payoff', () => {
    const weekly = { ...shortPut, expirySec: NOW + 3 * DAY }
    const grid = scenarioGrid({ positions: [weekly], market, spotShocks: [-0.2], volShifts: [0], daysForward: [7] })
    expect(grid.cells[0]!.value).toBeCloseTo(-10 * (1900 - 1600), 9)
  })

  test('revalues an LP at the shocked pool price and moves spot and perps linearly', () => {
    const lp: LpRiskPosition = {
      id: 'lp',
      kind: 'uniswap-v3-lp',
      underlying: 'ETH',
      chain: 'base',
      liquidity: 10n ** 18n,
      tickLower: 200_000,
      tickUpper: 202_000,
      sqrtPriceX96: getSqrtRatioAtTick(200_311),
      decimals0: 6,
      decimals1: 18,
      riskyIsToken0: false,
    }
    const base = lpGreeks(lp)
    const grid = scenarioGrid({ positions: [lp], market, spotShocks: [-0.3, 0.1], volShifts: [0.1], daysForward: [1] })
    // −30 % is below the range: all ETH, whose amount we know from the position at the lower price bound.
    const belowValue = grid.cells[0]!.value
    const ethHeld = lpGreeks({ ...lp, sqrtPriceX96: getSqrtRatioAtTick(202_500) }).delta
    expect(belowValue).toBeCloseTo(ethHeld * base.price * 0.7, 3)
    expect(grid.cells[1]!.pnl).toBeLessThan(base.delta * base.price * 0.1) // short gamma: less than delta·ΔP
    const linear = scenarioGrid({
      positions: [
        { id: 's', kind: 'spot', underlying: 'BTC', chain: 'ethereum', amount: 2n * 10n ** 8n, decimals: 8 },
        {
          id: 'f',
          kind: 'perp',
          underlying: 'BTC',
          chain: 'arbitrum',
          size: -1n * 10n ** 8n,
          decimals: 8,
          entryPrice: 60_000,
          fundingRatePerYear: 0.365,
        },
      ],
      market,
      spotShocks: [0.1],
      volShifts: [0],
      daysForward: [1],
    })
    // +6000·2 on spot, −6000 on the short perp, + one day of funding received on 66 000 notional.
    expect(linear.cells[0]!.pnl).toBeCloseTo(12_000 - 6_000 + 66, 9)
  })

  test('excludes and reports positions it cannot value today', () => {
    const grid = scenarioGrid({
      positions: [shortPut, { ...shortPut, id: 'sol', underlying: 'SOL' }],
      market,
      spotShocks: [0.1],
      volShifts: [0],
      daysForward: [0],
    })
    expect(grid.failures.map((f) => f.id)).toEqual(['sol'])
    expect(Number.isFinite(grid.worst.pnl)).toBe(true)
  })

  test('throws InvalidInputError when a spot shock is −100 % or the axes are empty', () => {
    expect(() => scenarioGrid({ positions: [shortPut], market, spotShocks: [-1] })).toThrowError(InvalidInputError)
    expect(() => scenarioGrid({ positions: [shortPut], market, daysForward: [] })).toThrowError(InvalidInputError)
  })
})
