import { describe, expect, test } from 'vitest'
import { InvalidInputError } from '../errors.ts'
import { aggregateRisk } from './aggregate.ts'
import { checkLimits } from './limits.ts'
import type { PositionRisk } from './positions.ts'
import type { ScenarioGrid } from './scenario.ts'

const eth = (over: Partial<PositionRisk>): PositionRisk => ({
  id: 'x',
  kind: 'option',
  underlying: 'ETH',
  chain: 'base',
  spot: 2000,
  value: 0,
  delta: 0,
  gamma: 0,
  vega: 0,
  theta: 0,
  ...over,
})

function grid(worstPnl: number, failures: ScenarioGrid['failures'] = []): ScenarioGrid {
  const worst = { spotShock: -0.3, volShift: 0.2, daysForward: 7, value: 0, pnl: worstPnl }
  return {
    underlying: 'all',
    spotShocks: [-0.3],
    volShifts: [0.2],
    daysForward: [7],
    baseValue: 0,
    pnl: [[[worstPnl]]],
    cells: [worst],
    worst,
    failures,
  }
}

describe('checkLimits', () => {
  test('returns one structured verdict per limit, ok and breach alike', () => {
    const aggregate = aggregateRisk({ risks: [eth({ delta: 12, gamma: -0.02, vega: 500 })] })
    const verdicts = checkLimits({
      aggregate,
      scenario: grid(-40_000),
      limits: {
        deltaBand: { ETH: { min: -10, max: 10 }, BTC: { min: -1, max: 1 } },
        maxAbsGamma: { ETH: 0.05 },
        maxAbsVega: { ETH: 400 },
        maxScenarioLoss: 50_000,
      },
    })
    expect(verdicts.map((v) => [v.limit, v.underlying, v.status, v.value, v.bound])).toEqual([
      ['delta-band', 'ETH', 'breach', 12, 10],
      ['delta-band', 'BTC', 'ok', 0, 1],
      ['gamma', 'ETH', 'ok', -0.02, 0.05],
      ['vega', 'ETH', 'breach', 500, 400],
      ['scenario-loss', undefined, 'ok', 40_000, 50_000],
    ])
  })

  test('breaches the scenario loss limit when the worst cell loses more than allowed or no grid was given', () => {
    expect(
      checkLimits({ aggregate: aggregateRisk({ risks: [] }), scenario: grid(-60_000), limits: { maxScenarioLoss: 50_000 } })[0],
    ).toMatchObject({ status: 'breach', value: 60_000 })
    expect(checkLimits({ aggregate: aggregateRisk({ risks: [] }), limits: { maxScenarioLoss: 50_000 } })[0]).toMatchObject({
      status: 'breach',
    })
  })

  test('fails closed when positions of an underlying could not be valued', () => {
    const error = new InvalidInputError({ what: 'x', issues: [] })
    const aggregate = aggregateRisk({ risks: [eth({ delta: 1 })], failures: [{ id: 'f', underlying: 'ETH', chain: 'base', error }] })
    const verdicts = checkLimits({
      aggregate,
      scenario: grid(-1, [{ id: 'f', underlying: 'ETH', chain: 'base', error }]),
      limits: { deltaBand: { ETH: { min: -10, max: 10 } }, maxScenarioLoss: 50_000 },
    })
    expect(verdicts.map((v) => [v.limit, v.status])).toEqual([
      ['valuation', 'breach'],
      ['delta-band', 'breach'],
      ['scenario-loss', 'breach'],
    ])
  })
})
