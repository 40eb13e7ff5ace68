import { describe, expect, test } from 'vitest'
import { InvalidInputError } from '../errors.ts'
import { type MandateInput, parseMandate, safeParseMandate } from './schema.ts'

const valid: MandateInput = {
  portfolio: 'treasury-main',
  chains: { ethereum: { treasury: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' } },
  delta: { targetEth: 0, bandEth: '5' },
  hedge: { maxSlippageBps: 50, maxGasCostUsdc: '25', maxHedgeSizeEth: '40.5' },
}

describe('parseMandate', () => {
  test('turns money into base units when the mandate is valid', () => {
    const m = parseMandate(valid)
    expect(m.hedge.maxGasCostUsdc).toBe(25_000_000n)
    expect(m.hedge.maxHedgeSizeEth).toBe(40_500_000_000_000_000_000n)
    expect(m.delta.targetEth).toBe(0n)
    expect(m.delta.bandEth).toBe(5_000_000_000_000_000_000n)
    expect(m.loop.intervalSec).toBe(60)
    expect(m.paused).toBe(false)
  })

  test('names each bad field and its value when several are wrong', () => {
    const bad = {
      ...valid,
      portfolio: 'Bad Id',
      chains: { ethereum: { treasury: '0x1234' }, solana: { treasury: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' } },
      delta: { targetEth: 0, bandEth: -1 },
      hedge: { maxSlippageBps: 50, maxGasCostUsdc: 25, maxHedgeSizeEth: '1.5' },
    }
    let caught: unknown
    try {
      parseMandate(bad, 'examples/mandate.yaml')
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(InvalidInputError)
    const issues = (caught as InvalidInputError).issues
    const paths = issues.map((i) => i.path).sort()
    expect(paths).toEqual(['chains.ethereum.treasury', 'chains.solana', 'delta.bandEth', 'hedge.maxGasCostUsdc', 'portfolio'].sort())
    expect(issues.find((i) => i.path === 'chains.ethereum.treasury')?.message).toContain('"0x1234"')
    expect(issues.find((i) => i.path === 'hedge.maxGasCostUsdc')?.message).toContain('got 25')
    expect((caught as InvalidInputError).shortMessage).toBe('Invalid examples/mandate.yaml')
  })

  test('refuses unknown keys when a field is misspelled', () => {
    const r = safeParseMandate({ ...valid, hedge: { ...valid.hedge, maxSlipageBps: 10 } })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issues.map((i) => i.path).sort()).toEqual(['hedge.maxSlipageBps'])
  })

  test('refuses more decimals than the token has', () => {
    const r = safeParseMandate({ ...valid, hedge: { ...valid.hedge, maxGasCostUsdc: '1.0000001' } })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issues.map((i) => i.path)).toEqual(['hedge.maxGasCostUsdc'])
  })
})

describe('physical bounds', () => {
  test('refuses an ETH target beyond all the ETH in existence, naming the field', () => {
    const r = safeParseMandate({ ...valid, delta: { targetEth: `1${'0'.repeat(80)}`, bandEth: '5' } })
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.issues.map((i) => i.path)).toEqual(['delta.targetEth'])
      expect(r.issues[0]?.message).toContain('more than all the ETH in existence')
    }
  })

  test('refuses a band, a hedge size or a gas budget no transaction could mean', () => {
    const r = safeParseMandate({
      ...valid,
      delta: { targetEth: '1', bandEth: '300000000' },
      hedge: { ...valid.hedge, maxHedgeSizeEth: '0', maxGasCostUsdc: '2000000' },
    })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issues.map((i) => i.path).sort()).toEqual(['delta.bandEth', 'hedge.maxGasCostUsdc', 'hedge.maxHedgeSizeEth'])
  })

  test('accepts the largest meaningful values', () => {
    const r = safeParseMandate({
      ...valid,
      delta: { targetEth: '-200000000', bandEth: '200000000' },
      hedge: { ...valid.hedge, maxHedgeSizeEth: '200000000', maxGasCostUsdc: '1000000' },
    })
    expect(r.ok).toBe(true)
  })
})

describe('capital', () => {
  const capital = (over: Record<string, unknown>) => ({ ...valid, capital: { chains: {}, ...over } })
  test('funded hedges wait at most the delay the mandate gives them', () => {
    expect(parseMandate(capital({})).capital?.fundHedges).toBeUndefined()
    expect(parseMandate(capital({ fundHedges: { maxDelaySec: 300 } })).capital?.fundHedges).toEqual({ maxDelaySec: 300 })
  })

  test('names a bad funded-hedge delay and a misspelled key', () => {
    for (const [fundHedges, path] of [
      [{ maxDelaySec: 0 }, 'capital.fundHedges.maxDelaySec'],
      [{ maxDelaySec: 86_401 }, 'capital.fundHedges.maxDelaySec'],
      [{ maxDelaySec: 1.5 }, 'capital.fundHedges.maxDelaySec'],
      [{ maxDelay: 300 }, 'capital.fundHedges.maxDelay'],
    ] as const) {
      const r = safeParseMandate(capital({ fundHedges }))
      expect(r.ok, JSON.stringify(fundHedges)).toBe(false)
      if (!r.ok) expect(r.issues.map((i) => i.path)).toContain(path)
    }
  })
})

describe('loop', () => {
  test('wakes on a 50 bps move unless the mandate says otherwise, also in mandates written before the setting', () => {
    expect(parseMandate(valid).loop).toEqual({ intervalSec: 60, wakeOnMoveBps: 50 })
    expect(parseMandate({ ...valid, loop: { intervalSec: 30 } }).loop).toEqual({ intervalSec: 30, wakeOnMoveBps: 50 })
    expect(parseMandate({ ...valid, loop: { wakeOnMoveBps: 25 } }).loop.wakeOnMoveBps).toBe(25)
    expect(parseMandate({ ...valid, loop: { wakeOnMoveBps: null } }).loop.wakeOnMoveBps).toBeNull()
  })

  test('names a wake threshold that is not a whole number of bps between 1 and 5000', () => {
    for (const wakeOnMoveBps of [0, 5_001, 12.5, '50']) {
      const r = safeParseMandate({ ...valid, loop: { wakeOnMoveBps } })
      expect(r.ok, JSON.stringify(wakeOnMoveBps)).toBe(false)
      if (!r.ok) expect(r.issues.map((i) => i.path)).toEqual(['loop.wakeOnMoveBps'])
    }
  })
})

describe('options', () => {
  const book = {
    chains: ['ethereum'],
    strategies: [
      {
        kind: 'covered-call',
        sizeEth: '20',
        callDelta: 0.25,
        expiry: { weekday: 'friday' },
        minPremiumUsdc: '250',
        maxDiscountBps: 300,
      },
      {
        kind: 'short-strangle',
        sizeEth: '5.5',
        callDelta: 0.15,
        putDelta: 0.15,
        expiry: { weekday: 'friday', minDaysAway: 6 },
        minPremiumUsdc: '100',
        maxDiscountBps: 500,
        approval: { required: true, deadlineSec: 1800, onTimeout: 'proceed' },
      },
    ],
    objectives: { gammaFloor: -0.08, vegaLimitUsdc: '25000', thetaTargetUsdcPerDay: '180' },
    mark: { svi: { a: 0.45, b: 0.05, rho: -0.3, m: 0, sigma: 0.2 } },
  }
  test('a premium-selling book parses with Gamma’s defaults and amounts in base units', () => {
    const o = parseMandate({ ...valid, options: book }).options!
    expect(o).toMatchObject({ underlying: 'ETH', venue: 'opyn-gamma', hedgePolicy: 'whalley-wilmott' })
    expect(o.strategies[0]).toMatchObject({
      sizeEth: 20n * 10n ** 18n,
      minPremiumUsdc: 250_000_000n,
      expiry: { weekday: 'friday', hourUtc: 8, minDaysAway: 5 },
      approval: { required: false, deadlineSec: 3600, onTimeout: 'skip' },
    })
    expect(o.strategies[1]!.approval).toEqual({ required: true, deadlineSec: 1800, onTimeout: 'proceed' })
    expect(o.objectives.vegaLimitUsdc).toBe(25_000_000_000n)
  })

  test('every bad strategy field is refused by name', () => {
    const bad = {
      ...valid,
      options: {
        ...book,
        strategies: [
          { ...book.strategies[0], kind: 'iron-condor' },
          { ...book.strategies[0], callDelta: 0.7, sizeEth: '0', expiry: { weekday: 'friday', hourUtc: 16 } },
          { ...book.strategies[1], putDelta: undefined, maxDiscountBps: -1, minPremiumUsdc: '1.0000001' },
          { ...book.strategies[0], putDelta: 0.2 },
        ],
        objectives: { gammaFloor: 0.5, vegaLimitUsdc: '25000', thetaTargetUsdcPerDay: '180', deltaBand: 3 },
        hedgePolicy: 'daily',
      },
    }
    const r = safeParseMandate(bad)
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.issues.map((i) => i.path).sort()).toEqual(
      [
        'options.hedgePolicy',
        'options.objectives.deltaBand',
        'options.objectives.gammaFloor',
        'options.strategies.0.kind',
        'options.strategies.1.callDelta',
        'options.strategies.1.expiry.hourUtc',
        'options.strategies.1.sizeEth',
        'options.strategies.2.maxDiscountBps',
        'options.strategies.2.minPremiumUsdc',
        'options.strategies.2.putDelta',
        'options.strategies.3.putDelta',
      ].sort(),
    )
    const hour = r.issues.find((i) => i.path === 'options.strategies.1.expiry.hourUtc')!
    expect(hour.message).toContain('08:00 UTC')
    expect(r.issues.find((i) => i.path === 'options.strategies.3.putDelta')!.message).toBe('a covered-call has no put leg (got 0.2)')
    expect(r.issues.find((i) => i.path === 'options.strategies.2.putDelta')!.message).toBe('required for a short-strangle')
  })

  test('a chain the mandate does not hold is refused by name once the book itself is valid', () => {
    const r = safeParseMandate({ ...valid, options: { ...book, chains: ['ethereum', 'base'] } })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.issues).toEqual([{ path: 'options.chains.1', message: 'base is not one of the mandate\'s chains (got "base")' }])
  })
})
