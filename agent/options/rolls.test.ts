import { describe, expect, test } from 'vitest'
import type { ChainKey } from '../../chains/types.ts'
import { optionsSchema } from '../mandate/optionsSchema.ts'
import type { ChainObservation } from '../portfolio/types.ts'
import { bsmGreeks } from '../risk/blackScholes.ts'
import { sviTotalVariance } from '../risk/svi.ts'
import type { ChainOptionsJson } from './mark.ts'
import { grossUp, marginTopUps, planRolls, ROLL_GAS, type RollRecord, settlementSteps } from './rolls.ts'

const svi = { a: 0.36, b: 0.05, rho: -0.3, m: 0, sigma: 0.2 }
const monday = Date.UTC(2026, 10, 30, 12) / 1000
const ETH = 10n ** 18n
const USDC = 10n ** 6n

const book = (over: Record<string, unknown> = {}) =>
  optionsSchema.parse({
    chains: ['ethereum', 'arbitrum'],
    strategies: [
      { kind: 'covered-call', sizeEth: '10', callDelta: 0.25, expiry: { weekday: 'friday' }, minPremiumUsdc: '50', maxDiscountBps: 500 },
      {
        kind: 'short-strangle',
        sizeEth: '2',
        callDelta: 0.15,
        putDelta: 0.15,
        expiry: { weekday: 'friday' },
        minPremiumUsdc: '1',
        maxDiscountBps: 500,
      },
    ],
    objectives: { gammaFloor: -1, vegaLimitUsdc: '100000', thetaTargetUsdcPerDay: '1' },
    mark: { svi },
    ...over,
  })

const obs = (chain: ChainKey, p: { weth: bigint; usdc: bigint; baseFeeGwei: number; options?: ChainOptionsJson; nowSec?: number }) =>
  ({
    chain,
    chainId: 1,
    blockNumber: '1',
    blockTimestampSec: String(p.nowSec ?? monday),
    baseFeePerGasWei: String(BigInt(Math.round(p.baseFeeGwei * 1e9))),
    priorityFeePerGasWei: '0',
    treasury: '0x0000000000000000000000000000000000000001',
    weth: '0x00000000000000000000000000000000000000e1',
    usdc: '0x00000000000000000000000000000000000000c1',
    balances: { weth: p.weth.toString(), usdc: p.usdc.toString() },
    ...(p.options ? { options: p.options } : {}),
  }) as unknown as ChainObservation

describe('planRolls', () => {
  const spotUsd = { ethereum: 3000, arbitrum: 3000 }

  test('every leg that holds nothing gets the next Friday, its strike by delta, on the chain with the best premium net of gas', () => {
    const chains = [
      obs('ethereum', { weth: 20n * ETH, usdc: 100_000n * USDC, baseFeeGwei: 20 }),
      obs('arbitrum', { weth: 20n * ETH, usdc: 100_000n * USDC, baseFeeGwei: 0.01 }),
    ]
    const out = planRolls({ book: book(), chains, spotUsd, records: [] })
    expect(out.map((c) => (c.status === 'roll' ? `${c.proposal.strategy}:${c.proposal.leg}@${c.proposal.chain}` : c.reason))).toEqual([
      '0:call@arbitrum',
      '1:call@arbitrum',
      '1:put@arbitrum',
    ])
    const cc = out[0]!
    if (cc.status !== 'roll') throw new Error('expected a roll')
    const p = cc.proposal
    expect(new Date(Number(p.series.expirySec) * 1000).toISOString()).toBe('2026-12-11T08:00:00.000Z')
    expect(p.amountE8).toBe('1000000000')
    expect(p.collateral).toBe((10n * ETH).toString())
    // The strike's delta, recomputed from the smile, is within a grid step of 0.25.
    const strike = Number(BigInt(p.series.strikeE8) / 10n ** 8n)
    expect(strike % 50).toBe(0)
    const t = (Number(p.series.expirySec) - monday) / (365 * 86_400)
    const vol = Math.sqrt(sviTotalVariance(svi, Math.log(strike / 3000)))
    const g = bsmGreeks({ kind: 'call', spot: 3000, strike, timeYears: t, vol, rate: 0 })
    expect(p.delta).toBeCloseTo(g.delta, 10)
    expect(Math.abs(g.delta - 0.25)).toBeLessThan(0.03)
    expect(BigInt(p.modelPremiumUsdc)).toBe(BigInt(Math.floor(g.price * 10 * 1e6)))
    // Ethereum's gas at 20 gwei is what made Arbitrum win.
    const ethGas = ((ROLL_GAS.createSeries + ROLL_GAS.mintAndSell) * 20n * 10n ** 9n * 3000n) / 10n ** 12n
    const eth = p.chains.find((c) => c.chain === 'ethereum')!
    expect(BigInt(eth.netUsdc!)).toBeGreaterThanOrEqual(BigInt(p.modelPremiumUsdc) - ethGas - 1n)
    expect(BigInt(eth.netUsdc!)).toBeLessThanOrEqual(BigInt(p.modelPremiumUsdc) - ethGas + 1n)
  })

  test('never naked: a chain without the collateral is passed over, and collateral promised to one leg is not counted for the next', () => {
    // 11 WETH on Arbitrum covers the 10-ETH covered call but not the strangle's 2-ETH call as well.
    const chains = [
      obs('ethereum', { weth: 5n * ETH, usdc: 0n, baseFeeGwei: 1 }),
      obs('arbitrum', { weth: 11n * ETH, usdc: 100_000n * USDC, baseFeeGwei: 0.01 }),
    ]
    const out = planRolls({ book: book(), chains, spotUsd, records: [] })
    const where = out.map((c) => (c.status === 'roll' ? c.proposal.chain : 'none'))
    expect(where).toEqual(['arbitrum', 'ethereum', 'arbitrum'])
    const none = planRolls({ book: book(), chains: [obs('ethereum', { weth: 1n * ETH, usdc: 0n, baseFeeGwei: 1 })], spotUsd, records: [] })
    expect(none[0]).toMatchObject({ status: 'none' })
    expect(none[0]!.status === 'none' && none[0]!.reason).toMatch(/ethereum: holds 1\.0000 WETH free, the vault needs 10\.0000/)
  })

  test('a leg with a sold series, a roll under way or waiting, is left alone; a skipped expiry waits for the next', () => {
    const chains = [obs('arbitrum', { weth: 20n * ETH, usdc: 100_000n * USDC, baseFeeGwei: 0.01 })]
    const [first] = planRolls({ book: book({ chains: ['arbitrum'] }), chains, spotUsd, records: [] })
    if (first?.status !== 'roll') throw new Error('expected a roll')
    const rec = (status: RollRecord['status']): RollRecord => ({ id: 'r', proposal: first.proposal, status, proposedAtChainTimeSec: '0' })
    for (const status of ['sold', 'rolling', 'awaiting-approval', 'skipped', 'unsold'] as const) {
      const out = planRolls({ book: book({ chains: ['arbitrum'] }), chains, spotUsd, records: [rec(status)] })
      expect(out.filter((c) => c.status === 'roll' && c.proposal.strategy === 0)).toHaveLength(0)
    }
    // After its expiry a skipped leg rolls again; a settled one too.
    const later = [
      obs('arbitrum', { weth: 20n * ETH, usdc: 100_000n * USDC, baseFeeGwei: 0.01, nowSec: Number(first.proposal.series.expirySec) + 60 }),
    ]
    for (const status of ['skipped', 'settled'] as const) {
      const out = planRolls({ book: book({ chains: ['arbitrum'] }), chains: later, spotUsd, records: [rec(status)] })
      expect(out.filter((c) => c.status === 'roll' && c.proposal.strategy === 0)).toHaveLength(1)
    }
  })

  test('no leg is written that would take the book’s vega past the limit; the legs of one plan count together', () => {
    const chains = [obs('arbitrum', { weth: 50n * ETH, usdc: 200_000n * USDC, baseFeeGwei: 0.01 })]
    const all = planRolls({ book: book({ chains: ['arbitrum'] }), chains, spotUsd, records: [] })
    const vegas = all.map((c) => {
      if (c.status !== 'roll') throw new Error('expected rolls')
      const p = c.proposal
      const strike = Number(BigInt(p.series.strikeE8) / 10n ** 8n)
      const t = (Number(p.series.expirySec) - monday) / (365 * 86_400)
      return (-(Number(p.amountE8) / 1e8) * bsmGreeks({ kind: p.leg, spot: 3000, strike, timeYears: t, vol: p.vol, rate: 0 }).vega) / 100
    })
    // A limit that fits the book's vega now plus the first leg, but not the second as well.
    const bookVega = -10
    const limit = Math.abs(bookVega + vegas[0]!) + Math.abs(vegas[1]!) / 2
    const limited = book({
      chains: ['arbitrum'],
      objectives: { gammaFloor: -1, vegaLimitUsdc: limit.toFixed(6), thetaTargetUsdcPerDay: '1' },
    })
    const out = planRolls({ book: limited, chains, spotUsd, records: [], bookVega })
    expect(out[0]!.status).toBe('roll')
    expect(out[1]).toMatchObject({ status: 'none', strategy: 1, leg: 'call' })
    expect(out[1]!.status === 'none' && out[1]!.reason).toMatch(/past the limit of/)
  })

  test('with a capital policy, the chain that pays best is funded first when it lacks the collateral; capital on its way is waited for', () => {
    // Ethereum's gas (40 gwei: ~107 USDC a roll) makes Arbitrum better even after a 30 bp transfer of
    // 7 WETH (~63 USDC), but Arbitrum holds 3 WETH: 7 more come from Ethereum.
    const chains = [
      obs('ethereum', { weth: 50n * ETH, usdc: 0n, baseFeeGwei: 40 }),
      obs('arbitrum', { weth: 3n * ETH, usdc: 0n, baseFeeGwei: 0.01 }),
    ]
    const cc = book({ strategies: [book().strategies[0]!].map(raw) })
    const funded = planRolls({ book: cc, chains, spotUsd, records: [], capital: { maxCostBps: 30, inFlight: [] } })
    expect(funded).toHaveLength(1)
    expect(funded[0]).toMatchObject({
      status: 'fund',
      move: { asset: 'WETH', from: 'ethereum', to: 'arbitrum', amount: grossUp(7n * ETH, 30) },
    })
    // Without a capital policy the leg is written where the collateral is.
    const where = planRolls({ book: cc, chains, spotUsd, records: [] })
    expect(where[0]!.status === 'roll' && where[0]!.proposal.chain).toBe('ethereum')
    // Once the 7 WETH are on their way, the leg waits for them instead of funding again.
    const waiting = planRolls({
      book: cc,
      chains,
      spotUsd,
      records: [],
      capital: { maxCostBps: 30, inFlight: [{ asset: 'WETH', to: 'arbitrum', amount: (7n * ETH).toString() }] },
    })
    expect(waiting[0]).toMatchObject({ status: 'none' })
    expect(waiting[0]!.status === 'none' && waiting[0]!.reason).toMatch(/on its way/)
    // A transfer that costs more than Arbitrum saves on gas leaves the leg on Ethereum.
    const dear = planRolls({ book: cc, chains, spotUsd, records: [], capital: { maxCostBps: 5_000, inFlight: [] } })
    expect(dear[0]!.status === 'roll' && dear[0]!.proposal.chain).toBe('ethereum')
  })

  test('grossing up: what is sent less the most a route may keep covers the need, by the least whole unit', () => {
    for (const [need, bps] of [
      [7n * ETH, 30],
      [1n, 30],
      [123_456_789n, 1],
      [10n ** 6n, 0],
    ] as const) {
      const sent = grossUp(need, bps)
      expect(sent - (sent * BigInt(bps)) / 10_000n).toBeGreaterThanOrEqual(need)
      const less = sent - 1n
      expect(less - (less * BigInt(bps) + 9_999n) / 10_000n).toBeLessThan(need)
    }
  })

  test('a premium net of gas below the minimum writes nothing', () => {
    const chains = [obs('ethereum', { weth: 20n * ETH, usdc: 0n, baseFeeGwei: 20 })]
    const out = planRolls({
      book: book({ chains: ['ethereum'], strategies: [{ ...book().strategies[0]!, minPremiumUsdc: 10_000_000n * USDC }].map(raw) }),
      chains,
      spotUsd,
      records: [],
    })
    expect(out[0]).toMatchObject({ status: 'none' })
    expect(out[0]!.status === 'none' && out[0]!.reason).toMatch(/below the minimum 10000000\.00/)
  })
})

/** A parsed strategy back into mandate input. */
const raw = (s: ReturnType<typeof book>['strategies'][number]) => ({
  ...s,
  sizeEth: (Number(s.sizeEth) / 1e18).toString(),
  minPremiumUsdc: (Number(s.minPremiumUsdc) / 1e6).toString(),
})

describe('settlementSteps', () => {
  const leg = (expirySec: number, isPut = false) => ({
    otoken: '0x00000000000000000000000000000000000000a1' as const,
    isPut,
    strikeE8: '320000000000',
    expirySec: String(expirySec),
    amountE8: '1000000000',
  })
  const expiry = monday - 3600
  const book = (e: NonNullable<ChainOptionsJson['expiries']>[number]): ChainOptionsJson => ({
    vaults: [
      {
        id: '1',
        type: 0,
        short: leg(expiry),
        collateral: { asset: '0x00000000000000000000000000000000000000e1', amount: String(10n * ETH) },
      },
      { id: '2', type: 0, short: leg(monday + 86_400), collateral: null },
    ],
    longs: [leg(expiry, true)],
    mark: svi,
    expiries: [e],
  })
  const at = (e: NonNullable<ChainOptionsJson['expiries']>[number]) =>
    settlementSteps([obs('base', { weth: 0n, usdc: 0n, baseFeeGwei: 0.01, options: book(e) })])

  test('no price yet: post it once the locking period is over and the feed has a round after expiry', () => {
    const e = {
      expirySec: String(expiry),
      priceE8: null,
      final: false,
      lockingOver: true,
      round: { roundId: '7', priceE8: '310000000000' },
    }
    expect(at(e)).toEqual([{ kind: 'post-expiry-price', chain: 'base', expirySec: String(expiry), roundId: '7' }])
    expect(at({ ...e, lockingOver: false })).toEqual([])
    expect(at({ ...e, round: null })).toEqual([])
  })
  test('a price in dispute: wait; final: settle the expired vault and redeem the expired oTokens, nothing live', () => {
    const e = { expirySec: String(expiry), priceE8: '310000000000', final: false, lockingOver: true, round: null }
    expect(at(e)).toEqual([])
    expect(at({ ...e, final: true })).toEqual([
      { kind: 'settle-vault', chain: 'base', vaultId: '1', expirySec: String(expiry) },
      { kind: 'redeem', chain: 'base', otoken: leg(expiry).otoken, amountE8: '1000000000', expirySec: String(expiry) },
    ])
  })
})

describe('margined puts', () => {
  const now = monday
  const vault = (collateral: bigint, marginRequired: bigint) => ({
    id: '4',
    type: 1,
    short: {
      otoken: '0x00000000000000000000000000000000000000b2' as const,
      isPut: true,
      strikeE8: '265000000000',
      expirySec: String(now + 5 * 86_400),
      amountE8: '200000000',
    },
    collateral: { asset: '0x00000000000000000000000000000000000000c1' as const, amount: collateral.toString() },
    marginRequired: marginRequired.toString(),
  })
  const chain = (usdc: bigint, v: ReturnType<typeof vault>) =>
    obs('arbitrum', { weth: 0n, usdc, baseFeeGwei: 0.01, options: { vaults: [v], longs: [], mark: svi } })
  const record = {
    id: 'r-1',
    status: 'sold',
    vaultId: '4',
    proposedAtChainTimeSec: '0',
    proposal: { chain: 'arbitrum', margin: { bufferBps: 5000 }, maxDiscountBps: 400 },
  } as unknown as RollRecord

  test('inside margin plus half the buffer: nothing; below it: a deposit back to margin plus the whole buffer', () => {
    expect(marginTopUps([chain(10n ** 12n, vault(2_500n * USDC, 2_000n * USDC))], [record])).toEqual([])
    expect(marginTopUps([chain(10n ** 12n, vault(2_400n * USDC, 2_000n * USDC))], [record])).toEqual([
      {
        kind: 'top-up',
        chain: 'arbitrum',
        vaultId: '4',
        series: { isPut: true, strikeE8: '265000000000', expirySec: String(now + 5 * 86_400) },
        amount: (600n * USDC).toString(),
        expirySec: String(now + 5 * 86_400),
      },
    ])
  })
  test('without the USDC for the deposit, enough of the short is bought back that the collateral covers the rest with its buffer', () => {
    const [step] = marginTopUps([chain(100n * USDC, vault(2_400n * USDC, 2_000n * USDC))], [record])
    expect(step).toMatchObject({ kind: 'margin-buy-back', rollId: 'r-1', vaultId: '4', maxDiscountBps: 400 })
    const amount = BigInt((step as { amountE8: string }).amountE8)
    // Margin is linear in the short: 2 options need 2,000 USDC, so 2,400 covers 1.6 of them at 1.5 ×.
    const kept = 200_000_000n - amount
    expect(kept).toBe(160_000_000n)
    expect(2_400n * USDC * 10_000n).toBeGreaterThanOrEqual(((2_000n * USDC * kept) / 200_000_000n) * 15_000n)
  })
})
