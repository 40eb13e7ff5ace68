import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client'
import { type Address, parseAbi } from 'viem'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import {
  readExcessCollateral,
  readExpiryPrice,
  readNakedMarginRequired,
  readOraclePriceE8,
  readVaults,
} from '../adapters/opyn-gamma/gamma.ts'
import type { MandateInput } from '../agent/mandate/schema.ts'
import { gammaVaultProceeds } from '../agent/options/gammaSettlement.ts'
import { grossUp, type RollRecord } from '../agent/options/rolls.ts'
import { readRfqSection } from '../chains/devnet/rfq/deploy.ts'
import type { ChainKey } from '../chains/types.ts'
import { portfolioControls, waitForStatus } from '../temporal/client.ts'
import { gammaDeployments } from '../temporal/optionVenues.ts'
import type { PortfolioStatus } from '../workflows/portfolioWorkflow.ts'
import { ethTarget, type Stack, startAndObserve, startStack, testMandate } from './fixtures/stack.ts'

/**
 * The option book's lifecycle on the devnet with real Temporal and real makers: a roll sold by RFQ,
 * hedged by the Whalley–Wilmott band as the price moves, settled after expiry to the wei against
 * Gamma's arithmetic, and rolled into the next series; approval, misbehaving makers and a worker
 * killed mid-roll.
 */

const ETH = 10n ** 18n
const DAY = 86_400
// keel marks on maker-a's surface: maker-b's higher vol and narrower spread make it the better bid.
const mark = { a: 0.46, b: 0.05, rho: -0.3, m: 0, sigma: 0.2 }
const erc20 = parseAbi(['function balanceOf(address) view returns (uint256)'])

let stack: Stack

beforeAll(async () => {
  stack = await startStack({ name: 'rolls', devnet: { treasury: 'safe' } })
  await stack.startWorkers()
})

afterAll(async () => {
  await stack?.stop()
})

// One treasury, one portfolio at a time: whatever a test started is stopped before the next begins.
const started: string[] = []
afterEach(async () => {
  for (const id of started.splice(0))
    await portfolioControls(stack.client, id)
      .stop('test over')
      .catch(() => undefined)
})
const start = async (mandate: MandateInput & { portfolio: string }) => {
  started.push(mandate.portfolio)
  const { controls } = await startAndObserve(stack, mandate)
  await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted >= 1, what: `${mandate.portfolio}'s first cycle` })
  return controls
}
const note = (s: PortfolioStatus) => `last decision: ${s.lastDecision}; options: ${s.lastOptionNote}; error: ${s.lastError}`

const strategy = (over: Record<string, unknown> = {}) => ({
  kind: 'covered-call' as const,
  sizeEth: '10',
  callDelta: 0.25,
  expiry: { weekday: 'friday' as const },
  minPremiumUsdc: '1',
  maxDiscountBps: 1000,
  ...over,
})

async function bookMandate(
  portfolio: string,
  options: Record<string, unknown>,
  bandEth = '1000',
): Promise<MandateInput & { portfolio: string }> {
  const target = (await stack.exposure()).deltaWei
  return testMandate({
    portfolio,
    treasury: stack.treasury,
    targetEth: ethTarget(target),
    bandEth,
    options: {
      chains: ['ethereum', 'arbitrum', 'base'],
      strategies: [strategy()],
      objectives: { gammaFloor: -1, vegaLimitUsdc: '100000', thetaTargetUsdcPerDay: '1' },
      mark: { svi: mark },
      // No hedging unless a test asks for it: a band of bandEth around the target, back to the target.
      hedgePolicy: 'band',
      ...options,
    },
  }) as MandateInput & { portfolio: string }
}

const rollsOf = (s: PortfolioStatus): RollRecord[] => s.rolls ?? []
const makerUrl = (id: string) => readRfqSection(stack.manifest)!.makers.find((m) => m.id === id)!.url
async function knobs(id: string, k: Record<string, unknown>): Promise<void> {
  const res = await fetch(new URL('/control', makerUrl(id)), { method: 'POST', body: JSON.stringify(k) })
  expect(res.status).toBe(200)
}
const resetKnobs = () =>
  Promise.all(['maker-a', 'maker-b'].map((m) => knobs(m, { refuse: false, delayMs: 0, stale: false, offMarketBps: 0, renege: false })))
const balanceOf = (chain: ChainKey, token: Address, owner: Address) =>
  stack.chains[chain].publicClient.readContract({ address: token, abi: erc20, functionName: 'balanceOf', args: [owner] })

describe('the option book on the devnet', () => {
  test('a weekly cycle: RFQ sale, hedges by the WW band, expiry, settlement to the wei, the next roll by delta', async () => {
    const mandate = await bookMandate('weekly', { hedgePolicy: 'whalley-wilmott' }, '0.5')
    const controls = await start(mandate)
    const first = await waitForStatus({
      status: controls.status,
      done: (s) => rollsOf(s).some((r) => r.status !== 'rolling'),
      what: 'the first roll',
    })
    const roll = rollsOf(first)[0]!
    expect(roll, roll.error).toMatchObject({ status: 'sold' })
    const chain = roll.proposal.chain
    // Ethereum's gas makes an L2 the better place to write.
    expect(chain).not.toBe('ethereum')
    const d = gammaDeployments(stack.environment)[chain]!
    const client = stack.chains[chain].publicClient
    // The vault: fully collateralised, short exactly what was sold; the maker holds the oTokens.
    const vault = (await readVaults(client, d, stack.treasury)).find((v) => v.id === BigInt(roll.vaultId!))!
    expect(vault.short?.amountE8).toBe(10n * 10n ** 8n)
    expect(vault.collateral?.amount).toBe(10n * ETH)
    expect(await balanceOf(chain, roll.otoken!, stack.treasury)).toBe(0n)
    const maker = readRfqSection(stack.manifest)!.makers.find((m) => m.id === roll.maker)!
    expect(await balanceOf(chain, roll.otoken!, maker.address)).toBe(10n * 10n ** 8n)
    // keel marks on maker-a's smile; maker-b prices higher vol with half the spread, so its bid wins and
    // lies above maker-a's (model less 3 %).
    const model = BigInt(roll.proposal.modelPremiumUsdc)
    expect(roll.maker).toBe('maker-b')
    expect(BigInt(roll.premiumUsdc!)).toBeGreaterThan((model * 9700n) / 10_000n)
    expect(roll.rejected).toEqual([{ maker: 'maker-a', reason: 'a better bid was taken' }])

    // The week: the price rises through the strike in steps of two days; the WW band hedges the short calls.
    const expiry = Number(roll.proposal.series.expirySec)
    let now = Number((await client.getBlock()).timestamp)
    while (now < expiry + 3600) {
      const step = Math.min(2 * DAY, expiry + 3600 - now)
      await stack.sim.shock({ pct: 2.5, advanceSec: step })
      now += step
      const before = (await controls.status()).cyclesCompleted
      await controls.wake()
      await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted > before, what: 'the cycle after a move' })
    }
    const hedged = await controls.status()
    expect(hedged.hedges.filter((h) => h.status === 'completed').length).toBeGreaterThan(0)

    // After the locking period keel posted the expiry price; after the dispute period it settles and rolls.
    await stack.sim.shock({ pct: 0, advanceSec: 3600 })
    await controls.wake()
    const settled = await waitForStatus({
      status: controls.status,
      done: (s) =>
        rollsOf(s).some((r) => r.id === roll.id && r.status === 'settled') && rollsOf(s).length >= 2 && rollsOf(s)[1]!.status !== 'rolling',
      what: 'settlement and the next roll',
    })
    const done = rollsOf(settled).find((r) => r.id === roll.id)!
    const price = await readExpiryPrice(client, d, BigInt(expiry))
    expect(price.final).toBe(true)
    expect(done.settlement!.expiryPriceE8).toBe(price.priceE8.toString())
    const proceeds = gammaVaultProceeds({
      isPut: false,
      strikeE8: BigInt(roll.proposal.series.strikeE8),
      collateralDecimals: 18,
      shortE8: 10n * 10n ** 8n,
      collateral: 10n * ETH,
      expiryPriceE8: price.priceE8,
    })
    expect(BigInt(done.settlement!.collateralReturned)).toBe(proceeds)
    expect(BigInt(done.settlement!.paidOut)).toBe(10n * ETH - proceeds)
    const next = rollsOf(settled)[1]!
    expect(next, next.error).toMatchObject({ status: 'sold' })
    expect(Number(next.proposal.series.expirySec)).toBeGreaterThan(expiry + 5 * DAY)
    expect(Math.abs(next.proposal.delta - 0.25)).toBeLessThan(0.05)
  })

  test('approval: the proposal waits in status; approved it proceeds, unanswered past the deadline it is skipped', async () => {
    const mandate = await bookMandate('approval', {
      strategies: [
        strategy({ approval: { required: true, deadlineSec: 60, onTimeout: 'skip' } }),
        strategy({
          kind: 'cash-secured-put',
          callDelta: undefined,
          putDelta: 0.2,
          sizeEth: '1',
          approval: { required: true, deadlineSec: 60 },
        }),
      ],
    })
    const controls = await start(mandate)
    const proposed = await waitForStatus({
      status: controls.status,
      done: (s) => rollsOf(s).filter((r) => r.status === 'awaiting-approval').length === 2,
      what: 'two proposals',
    })
    const [call, put] = rollsOf(proposed)
    expect(call!.proposal.leg).toBe('call')
    expect(BigInt(call!.proposal.modelPremiumUsdc)).toBeGreaterThan(0n)
    // Nothing minted while waiting.
    const vaultsBefore = await Promise.all((['ethereum', 'arbitrum', 'base'] as const).map((c) => vaultCount(c)))
    const unknown = await controls.approveRoll('approval-roll-404', true).catch((e: unknown) => e)
    expect(unknown).toBeInstanceOf(WorkflowUpdateFailedError)
    const cause = (unknown as WorkflowUpdateFailedError).cause as ApplicationFailure
    expect(cause).toBeInstanceOf(ApplicationFailure)
    expect(cause.type).toBe('Keel.InvalidInputError')
    expect(cause.message).toMatch(/no roll approval-roll-404/)
    await controls.approveRoll(call!.id, true, 'dao-ops')
    const approved = await waitForStatus({
      status: controls.status,
      done: (s) => rollsOf(s).find((r) => r.id === call!.id)?.status === 'sold',
      what: 'the approved roll sold',
    })
    expect(rollsOf(approved).find((r) => r.id === put!.id)!.status).toBe('awaiting-approval')
    // The put's deadline is a minute of workflow time; once past, the next cycle skips it.
    await new Promise((r) => setTimeout(r, 61_000))
    await controls.wake()
    const skipped = await waitForStatus({
      status: controls.status,
      done: (s) => rollsOf(s).find((r) => r.id === put!.id)?.status === 'skipped',
      what: 'the unanswered roll skipped',
    })
    expect(rollsOf(skipped).find((r) => r.id === put!.id)!.error).toMatch(/no approval by the deadline/)
    const vaultsAfter = await Promise.all((['ethereum', 'arbitrum', 'base'] as const).map((c) => vaultCount(c)))
    expect(vaultsAfter.reduce((a, b) => a + b, 0)).toBe(vaultsBefore.reduce((a, b) => a + b, 0) + 1)
    const late = await controls.approveRoll(put!.id, true).catch((e: unknown) => e)
    expect(((late as WorkflowUpdateFailedError).cause as ApplicationFailure).message).toMatch(/is skipped, not awaiting approval/)
  })

  test('stale and off-market makers are refused before anything is minted; makers that renege leave nothing minted', async () => {
    await knobs('maker-a', { stale: true })
    await knobs('maker-b', { offMarketBps: 3000 })
    const vaults = await vaultCount('base')
    const controls = await start(await bookMandate('makers', { chains: ['base'], strategies: [strategy({ sizeEth: '1' })] }))
    const refused = await waitForStatus({
      status: controls.status,
      done: (s) => rollsOf(s).some((r) => r.status === 'unsold'),
      what: 'an unsold roll',
    }).catch(async (e: Error) => Promise.reject(new Error(`${e.message}; ${note(await controls.status())}`)))
    const r = rollsOf(refused)[0]!
    expect(r.error).toMatch(/nothing minted/)
    expect(r.rejected!.map((x) => x.maker).sort()).toEqual(['maker-a', 'maker-b'])
    expect(r.rejected!.find((x) => x.maker === 'maker-a')!.reason).toMatch(/too soon to send/)
    expect(r.rejected!.find((x) => x.maker === 'maker-b')!.reason).toMatch(/is below/)
    expect(await vaultCount('base')).toBe(vaults)
    await controls.stop('test over')
    started.splice(0)

    // Both makers now quote, then cancel their order's nonce before keel can take it: the mint is burnt.
    await resetKnobs()
    await knobs('maker-a', { renege: true })
    await knobs('maker-b', { renege: true })
    const base = stack.manifest.chains.base.contracts
    const wethBefore = await balanceOf('base', base.weth, stack.treasury)
    const second = await start(await bookMandate('reneging', { chains: ['base'], strategies: [strategy({ sizeEth: '1' })] }))
    const burnt = await waitForStatus({
      status: second.status,
      done: (s) => rollsOf(s).some((x) => x.status === 'unsold' || x.status === 'failed'),
      what: 'a roll whose sale failed',
    })
    const b = rollsOf(burnt)[0]!
    expect(b, b.error).toMatchObject({ status: 'unsold', burntE8: '100000000' })
    expect(b.rejected!.filter((x) => x.reason.startsWith('sale failed'))).toHaveLength(2)
    const d = gammaDeployments(stack.environment).base!
    const vault = (await readVaults(stack.chains.base.publicClient, d, stack.treasury)).find((v) => v.id === BigInt(b.vaultId!))!
    expect(vault.short?.amountE8 ?? 0n).toBe(0n)
    expect(vault.collateral?.amount ?? 0n).toBe(0n)
    expect(await balanceOf('base', b.otoken!, stack.treasury)).toBe(0n)
    // The collateral came back to the wei (gas is paid in native ETH, not WETH).
    expect(await balanceOf('base', base.weth, stack.treasury)).toBe(wethBefore)
    await resetKnobs()
  })
})

// The risk tests read the whole book's gamma and margin on a chain: a fresh devnet, so that the shorts the tests
// above left behind do not count, and each on a chain of its own where it can.
describe('the option book’s risk on the devnet', () => {
  beforeAll(async () => {
    await stack.stop()
    stack = await startStack({ name: 'rolls-risk', devnet: { treasury: 'safe' } })
    await stack.startWorkers()
  })

  test('a gamma floor breach near expiry at the money: part of the short is bought back from a maker and burnt, its collateral withdrawn', async () => {
    const controls = await start({
      ...(await bookMandate('floor', {
        chains: ['arbitrum'],
        objectives: { gammaFloor: -0.02, vegaLimitUsdc: '100000', thetaTargetUsdcPerDay: '1' },
      })),
      // A short interval makes hedging the excess gamma dear (Leland's cost grows as 1/√interval): buying back wins.
      loop: { intervalSec: 60, wakeOnMoveBps: null },
    })
    const sold = await waitForStatus({
      status: controls.status,
      done: (s) => rollsOf(s).some((r) => r.status !== 'rolling'),
      what: 'the roll',
    })
    const roll = rollsOf(sold)[0]!
    expect(roll, roll.error).toMatchObject({ status: 'sold' })
    expect(sold.lastGammaFloor).toBeUndefined()
    const d = gammaDeployments(stack.environment).arbitrum!
    const client = stack.chains.arbitrum.publicClient
    const vaultOf = async () => (await readVaults(client, d, stack.treasury)).find((v) => v.id === BigInt(roll.vaultId!))!
    const before = await vaultOf()
    const wethBefore = await balanceOf('arbitrum', stack.manifest.chains.arbitrum.contracts.weth, stack.treasury)
    const maker = readRfqSection(stack.manifest)!.makers.find((m) => m.id === roll.maker)!
    const makerUsdc = await balanceOf('arbitrum', stack.manifest.chains.arbitrum.contracts.usdc, maker.address)
    // A day before expiry, at the strike: ten short calls carry far more gamma than the floor allows.
    const strike = Number(BigInt(roll.proposal.series.strikeE8) / 10n ** 8n)
    const price = Number(stack.sim.priceE8()) / 1e8
    const now = Number((await client.getBlock()).timestamp)
    await stack.sim.shock({ pct: (strike / price - 1) * 100, advanceSec: Number(roll.proposal.series.expirySec) - now - DAY })
    await controls.wake()
    const bought = await waitForStatus({
      status: controls.status,
      done: (s) =>
        rollsOf(s)[0]!.boughtBackE8 !== undefined || (s.lastGammaFloor !== undefined && s.lastGammaFloor.decision.action !== 'buy-back'),
      what: 'the gamma floor met',
    })
    expect(bought.lastGammaFloor!.bookGamma).toBeLessThan(-0.02)
    expect(bought.lastGammaFloor!.decision, JSON.stringify(bought.lastGammaFloor)).toMatchObject({ action: 'buy-back' })
    const amount = BigInt(bought.lastGammaFloor!.decision.amountE8 as string)
    expect(Number(bought.lastGammaFloor!.decision.costUsd)).toBeLessThan(Number(bought.lastGammaFloor!.decision.hedgeMoreCostUsd))
    const r = rollsOf(bought)[0]!
    expect(r.boughtBackE8, JSON.stringify(bought.lastGammaFloor!.outcome)).toBe(amount.toString())
    // The vault is short exactly that much less, and its collateral came back to the treasury to the wei.
    const after = await vaultOf()
    expect(after.short!.amountE8).toBe(before.short!.amountE8 - amount)
    expect(after.collateral!.amount).toBe(before.collateral!.amount - amount * 10n ** 10n)
    expect(await balanceOf('arbitrum', stack.manifest.chains.arbitrum.contracts.weth, stack.treasury)).toBe(
      wethBefore + amount * 10n ** 10n,
    )
    // What the treasury paid is what the maker received.
    expect(await balanceOf('arbitrum', stack.manifest.chains.arbitrum.contracts.usdc, maker.address)).toBe(
      makerUsdc + BigInt(r.buyBackCostUsdc!),
    )
    // Enough was bought back to bring the book's option gamma to the floor.
    const g = await waitForStatus({
      status: controls.status,
      done: (s) => s.cyclesCompleted > bought.cyclesCompleted,
      what: 'the next cycle',
    })
    const optionGamma = g.lastObservation!.chains.reduce((sum, c) => sum + (c.options?.gamma ?? 0), 0)
    // (a minute of chain time later, so within a hair of it)
    expect(optionGamma).toBeGreaterThanOrEqual(-0.0201)
  })

  test('a margined put: Gamma’s own margin plus the buffer at the mint, and a top-up when the price falls, before liquidation is possible', async () => {
    const controls = await start(
      await bookMandate('margin', {
        chains: ['base'],
        strategies: [
          strategy({
            kind: 'short-strangle',
            sizeEth: '2',
            callDelta: 0.15,
            putDelta: 0.15,
            putCollateral: 'margin',
            marginBufferBps: 5000,
          }),
        ],
      }),
    )
    const sold = await waitForStatus({
      status: controls.status,
      done: (s) => rollsOf(s).length === 2 && rollsOf(s).every((r) => r.status !== 'rolling'),
      what: 'both legs sold',
    })
    const put = rollsOf(sold).find((r) => r.proposal.leg === 'put')!
    expect(put, put.error).toMatchObject({ status: 'sold' })
    const d = gammaDeployments(stack.environment).base!
    const client = stack.chains.base.publicClient
    const series = { isPut: true, strikeE8: BigInt(put.proposal.series.strikeE8), expirySec: BigInt(put.proposal.series.expirySec) }
    const amountE8 = 2n * 10n ** 8n
    const required = async () => readNakedMarginRequired(client, d, { series, amountE8, spotE8: await readOraclePriceE8(client, d) })
    const vaultOf = async () => (await readVaults(client, d, stack.treasury)).find((v) => v.id === BigInt(put.vaultId!))!
    const atMint = await vaultOf()
    expect(atMint.type).toBe(1)
    // The margin plus half again, rounded up, far less than the strike × size a cash-secured put locks.
    const wanted = async () => ((await required()) * 15_000n + 9_999n) / 10_000n
    expect(atMint.collateral!.amount).toBe(await wanted())
    expect(BigInt(put.collateralDeposited!)).toBe(atMint.collateral!.amount)
    expect(atMint.collateral!.amount).toBeLessThan((BigInt(put.proposal.series.strikeE8) * amountE8) / 10n ** 10n)
    // ETH falls 15 %: the margin rises past collateral / 1.25, and the next cycle tops the vault up.
    await stack.sim.shock({ pct: -15, advanceSec: 3600 })
    expect(atMint.collateral!.amount * 10_000n).toBeLessThan((await required()) * 12_500n)
    await controls.wake()
    const toppedUp = await waitForStatus({
      status: controls.status,
      done: (s) => s.lastDecision.includes('top-up') || (s.optionSeq ?? 0) > 0,
      what: 'a top-up',
    })
    await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted > toppedUp.cyclesCompleted, what: 'the cycle after' })
    const after = await vaultOf()
    expect(after.collateral!.amount).toBe(await wanted())
    expect(await readExcessCollateral(client, d, stack.treasury, BigInt(put.vaultId!))).toBeGreaterThan(0n)
  })

  test('a roll on a chain without the collateral: the capital moves first, then the leg rolls there, once', async () => {
    const base = stack.manifest.chains.base.contracts
    const held = await balanceOf('base', base.weth, stack.treasury)
    const size = held / 10n ** 18n + 20n
    const controls = await start({
      ...(await bookMandate('funded', { chains: ['base'], strategies: [strategy({ sizeEth: size.toString() })] })),
      capital: { chains: {}, maxCostBps: 30, bridges: ['across-v3'] },
    })
    // The loop's interval is an hour: wake it while the transfer is on its way, as its next cycles would.
    let rolled: PortfolioStatus | null = null
    for (let i = 0; i < 40 && !rolled; i++) {
      await controls.wake()
      rolled = await waitForStatus({
        status: controls.status,
        done: (s) => rollsOf(s).some((r) => r.status !== 'rolling'),
        timeoutMs: 5_000,
        what: 'the funded roll',
      }).catch(() => null)
    }
    if (!rolled) throw new Error(`no roll after the transfer; ${note(await controls.status())}`)
    const roll = rollsOf(rolled)[0]!
    expect(roll, roll.error).toMatchObject({ status: 'sold', proposal: { chain: 'base' } })
    // What moved: WETH to Base, the shortfall plus at most the route's 30 bp, delivered before the roll.
    const moved = (rolled.transfers ?? []).filter((t) => t.to === 'base' && t.asset === 'WETH')
    expect(moved.length).toBeGreaterThan(0)
    expect(moved.every((t) => t.state === 'delivered')).toBe(true)
    const sent = moved.reduce((sum, t) => sum + BigInt(t.amount), 0n)
    const shortfall = size * 10n ** 18n - held
    expect(sent).toBe(grossUp(shortfall, 30))
    const arrived = moved.reduce((sum, t) => sum + BigInt(t.settledAmount ?? '0'), 0n)
    expect(arrived).toBeGreaterThanOrEqual(shortfall)
    // The vault holds the whole size, and Base keeps exactly what arrived beyond it.
    const d = gammaDeployments(stack.environment).base!
    const vault = (await readVaults(stack.chains.base.publicClient, d, stack.treasury)).find((v) => v.id === BigInt(roll.vaultId!))!
    expect(vault.collateral!.amount).toBe(size * 10n ** 18n)
    expect(await balanceOf('base', base.weth, stack.treasury)).toBe(held + arrived - size * 10n ** 18n)
  })
})

async function vaultCount(chain: ChainKey): Promise<number> {
  const d = gammaDeployments(stack.environment)[chain]!
  return (await readVaults(stack.chains[chain].publicClient, d, stack.treasury)).length
}
