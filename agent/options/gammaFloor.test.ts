import { describe, expect, test } from 'vitest'
import { decideGammaFloor } from './gammaFloor.ts'

const leg = (over: Partial<Parameters<typeof decideGammaFloor>[0]['legs'][number]> = {}) => ({
  otoken: '0x00000000000000000000000000000000000000a1' as const,
  amountE8: 20n * 10n ** 8n,
  gammaPerOption: 0.004,
  modelUsd: 40,
  askUsd: 42,
  ...over,
})
const base = {
  bookGamma: -0.06,
  gammaFloor: -0.04,
  legs: [leg()],
  spot: 3000,
  vol: 0.7,
  costRate: 0.0008,
  checkIntervalYears: 1 / (365 * 24),
  timeToExpiryYears: 2 / 365,
  buyBackGasUsd: 5,
}

describe('a gamma floor breach', () => {
  test('nothing to do above the floor', () => {
    expect(decideGammaFloor({ ...base, bookGamma: -0.03 }).action).toBe('none')
  })

  test('buys back just enough of the short to reach the floor when that is cheaper than hedging the excess', () => {
    const d = decideGammaFloor(base)
    // Excess 0.02 over 0.004 per option: 5 options, at 2 USD over model each, plus 5 USD of gas.
    expect(d).toMatchObject({ action: 'buy-back', amountE8: 5n * 10n ** 8n })
    if (d.action !== 'buy-back') return
    expect(d.costUsd).toBeCloseTo(15, 9)
    // Leland: 0.0008 · 3000² · 0.7 · √(2/(π·1h)) · 0.02 · 2 days.
    const leland = 0.0008 * 3000 * 3000 * 0.7 * Math.sqrt((2 * 365 * 24) / Math.PI) * 0.02 * (2 / 365)
    expect(d.hedgeMoreCostUsd).toBeCloseTo(leland, 9)
  })

  test('hedges more often when the makers’ asks are dear, and says what the buy-back would have cost', () => {
    const d = decideGammaFloor({ ...base, legs: [leg({ askUsd: 80 })] })
    expect(d.action).toBe('hedge-more')
    if (d.action === 'hedge-more') expect(d.buyBackCostUsd).toBeCloseTo(5 * 40 + 5, 9)
  })

  test('takes the leg whose gamma is cheapest, and never buys back more than is short', () => {
    const d = decideGammaFloor({
      ...base,
      legs: [
        leg({ askUsd: 43 }),
        leg({ otoken: '0x00000000000000000000000000000000000000a2', gammaPerOption: 0.01, askUsd: 42.5, modelUsd: 41 }),
      ],
    })
    expect(d).toMatchObject({ action: 'buy-back', otoken: '0x00000000000000000000000000000000000000a2', amountE8: 2n * 10n ** 8n })
    expect(decideGammaFloor({ ...base, legs: [leg({ amountE8: 10n ** 8n })] }).action).toBe('hedge-more')
  })
})
