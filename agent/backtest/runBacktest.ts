import { InvalidInputError } from '../errors.ts'
import { proportionalCostRate } from '../hedging/costModel.ts'
import { hoursToYears } from '../hedging/idealHedge.ts'
import type { ChainCostParams } from '../hedging/types.ts'
import { createPrng, mixSeed } from '../random/prng.ts'
import { bsmGreeks } from '../risk/blackScholes.ts'
import { costAtTrackingError, type FrontierPoint } from './efficientFrontier.ts'
import { policySweep } from './policySweep.ts'
import { priceBookOnPath } from './priceBookOnPath.ts'
import { runPolicyOnPath } from './runPolicyOnPath.ts'
import { modelVariance, simulatePath } from './simulatePath.ts'
import type { BookSpec, PathModel, PathModelId, PolicyResult } from './types.ts'
import { pathModelIds } from './types.ts'

/** Everything a backtest run depends on; same config, byte-identical results. */
export type BacktestConfig = {
  seed: number
  paths: number
  models: readonly PathModel[]
  spot0: number
  horizonYears: number
  stepsPerDay: number
  /** The book; its implied vol is set per model to the model's long-run vol. */
  book: Omit<BookSpec, 'impliedVol'>
  chains: readonly ChainCostParams[]
  limits: { maxTradeUnits: number; minIntervalHours: number }
  /** Fixed-interval hedging at this interval is the benchmark of the acceptance figure. */
  referenceIntervalHours: number
}

/** Cost of one policy family at the benchmark's tracking error, read off its frontier. */
export type EqualRiskComparison = {
  policy: string
  cost: number | null
  how: 'interpolated' | 'loosestPoint' | 'outOfRange'
  /** 1 − cost / benchmark cost; null when out of range. */
  saving: number | null
}

export type ModelReport = {
  model: PathModelId
  impliedVol: number
  costRate: number
  results: PolicyResult[]
  benchmark: PolicyResult
  atBenchmarkRisk: EqualRiskComparison[]
}

export type BacktestReport = { config: BacktestConfig; models: ModelReport[] }

function stats(values: Float64Array): { mean: number; std: number; min: number } {
  let sum = 0
  let min = Number.POSITIVE_INFINITY
  for (const v of values) {
    sum += v
    if (v < min) min = v
  }
  const mean = sum / values.length
  let sq = 0
  for (const v of values) sq += (v - mean) * (v - mean)
  return { mean, std: values.length > 1 ? Math.sqrt(sq / (values.length - 1)) : 0, min }
}

/** Runs every policy setting on the same seeded paths of one model. */
export function runModel(config: BacktestConfig, model: PathModel): ModelReport {
  const dtYears = 1 / (365 * config.stepsPerDay)
  const steps = Math.round(config.horizonYears / dtYears)
  const impliedVol = Math.sqrt(modelVariance(model))
  const book: BookSpec = { ...config.book, impliedVol }
  const gamma0 = book.legs.reduce(
    (g, leg) =>
      g +
      leg.quantity *
        bsmGreeks({
          kind: leg.kind,
          spot: config.spot0,
          strike: leg.moneyness * config.spot0,
          timeYears: book.tenorYears,
          vol: impliedVol,
          rate: book.rate,
        }).gamma,
    0,
  )
  const deltaScale = Math.abs(gamma0) * config.spot0 * impliedVol * Math.sqrt(1 / 365)
  const costRate = proportionalCostRate({ chains: config.chains, sizeBase: deltaScale, spot: config.spot0 })
  const policies = policySweep({
    spot: config.spot0,
    gamma: gamma0,
    vol: impliedVol,
    costRate,
    chains: config.chains,
    // The agent looks every step but may not trade sooner than the minimum interval after a trade.
    // Nothing here is fitted to simulated paths: the band's cost rate follows from this interval,
    // the book's gamma and vol, and the cost model.
    checkIntervalYears: Math.max(dtYears, hoursToYears(config.limits.minIntervalHours)),
    limits: config.limits,
  })
  const pnl = policies.map(() => new Float64Array(config.paths))
  const cost = policies.map(() => new Float64Array(config.paths))
  const trades = policies.map(() => new Float64Array(config.paths))
  const modelIndex = pathModelIds.indexOf(model.id)
  for (let p = 0; p < config.paths; p++) {
    // Path p depends only on (seed, model, p): adding paths never changes the earlier ones.
    const prng = createPrng(mixSeed(config.seed, modelIndex, p))
    const spot = simulatePath({ model, spot0: config.spot0, steps, dtYears, prng })
    const path = priceBookOnPath({ spot, book, dtYears })
    policies.forEach((policy, k) => {
      const out = runPolicyOnPath({ path, book, policy, chains: config.chains, dtYears })
      pnl[k]![p] = out.pnl
      cost[k]![p] = out.cost
      trades[k]![p] = out.trades
    })
  }
  const results: PolicyResult[] = policies.map((policy, k) => {
    const s = stats(pnl[k]!)
    return {
      model: model.id,
      policy: policy.id,
      params: policy.label,
      meanCost: stats(cost[k]!).mean,
      trackingError: s.std,
      worstLoss: -s.min,
      meanPnl: s.mean,
      meanTrades: stats(trades[k]!).mean,
    }
  })
  const benchmarkLabel = `interval=${config.referenceIntervalHours}h`
  const benchmark = results.find((r) => r.policy === 'fixed' && r.params === benchmarkLabel)
  if (benchmark === undefined) {
    throw new InvalidInputError({
      what: 'backtest config',
      issues: [{ path: 'referenceIntervalHours', message: `no swept fixed interval of ${benchmarkLabel}` }],
    })
  }
  return { model: model.id, impliedVol, costRate, results, benchmark, atBenchmarkRisk: compareAtRisk(results, benchmark) }
}

function compareAtRisk(results: readonly PolicyResult[], benchmark: PolicyResult): EqualRiskComparison[] {
  const families = [...new Set(results.map((r) => r.policy))]
  return families.map((policy) => {
    const points: FrontierPoint[] = results
      .filter((r) => r.policy === policy)
      .map((r) => ({ trackingError: r.trackingError, cost: r.meanCost, params: r.params }))
    const at = costAtTrackingError({ points, trackingError: benchmark.trackingError })
    if (at.status === 'outOfRange') return { policy, cost: null, how: 'outOfRange', saving: null }
    return { policy, cost: at.cost, how: at.how, saving: 1 - at.cost / benchmark.meanCost }
  })
}

/** Runs the whole experiment: every model in `config.models`, every policy setting, same seed. */
export function runBacktest(config: BacktestConfig): BacktestReport {
  if (!(config.paths >= 2) || !Number.isInteger(config.paths)) {
    throw new InvalidInputError({
      what: 'backtest config',
      issues: [{ path: 'paths', message: `expected an integer >= 2, got ${config.paths}` }],
    })
  }
  return { config, models: config.models.map((model) => runModel(config, model)) }
}
