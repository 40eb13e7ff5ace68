import { defaultChainCostParams } from '../hedging/constants.ts'
import type { BacktestConfig } from './runBacktest.ts'

/**
 * Default experiment: an ETH book at 3,000 USDC — 100 ETH of weekly 5 %-OTM covered calls plus
 * a 50-lot weekly 90/110 short strangle — rolled every week for four weeks, hourly steps, each
 * model's options marked at the model's long-run vol (no vol risk premium, so the book's
 * expected P&L is ~0 and the spread of the hedged P&L is the hedging error).
 */
export const defaultBacktestConfig: BacktestConfig = {
  seed: 1,
  paths: 200,
  models: [
    { id: 'gbm', drift: 0, vol: 0.6 },
    { id: 'jump', drift: 0, vol: 0.5, jumpsPerYear: 12, jumpMean: -0.03, jumpVol: 0.06 },
    { id: 'regime', drift: 0, calmVol: 0.45, stressVol: 1.0, calmToStressPerYear: 26, stressToCalmPerYear: 104 },
  ],
  spot0: 3000,
  horizonYears: 28 / 365,
  stepsPerDay: 24,
  book: {
    spotHolding: 100,
    legs: [
      { kind: 'call', moneyness: 1.05, quantity: -100 },
      { kind: 'put', moneyness: 0.9, quantity: -50 },
      { kind: 'call', moneyness: 1.1, quantity: -50 },
    ],
    tenorYears: 7 / 365,
    rate: 0,
  },
  chains: defaultChainCostParams,
  limits: { maxTradeUnits: 200, minIntervalHours: 1 },
  referenceIntervalHours: 24,
}
