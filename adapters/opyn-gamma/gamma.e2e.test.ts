import { type Address, encodeFunctionData, type Hex, parseAbi } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type MandateInput, parseMandate } from '../../agent/mandate/schema.ts'
import {
  gammaFullCollateral,
  gammaNakedPutExcess,
  gammaNakedPutMarginE27,
  gammaPayout,
  gammaVaultProceeds,
} from '../../agent/options/gammaSettlement.ts'
import { portfolioExposure } from '../../agent/portfolio/exposure.ts'
import { observationView } from '../../agent/portfolio/ledger.ts'
import { bsmGreeks } from '../../agent/risk/blackScholes.ts'
import { sviTotalVariance } from '../../agent/risk/svi.ts'
import { createDevnetClients, type DevnetClients } from '../../chains/devnet/devnetClients.ts'
import { readGammaSection } from '../../chains/devnet/gamma/section.ts'
import { createReadActivities } from '../../temporal/activities/createActivities.ts'
import { fromManifest } from '../../temporal/chainEnvironment.ts'
import { gammaDeployments } from '../../temporal/optionVenues.ts'
import { createActivityDeps } from '../../temporal/worker.ts'
import { sendDevnetCalls } from '../devnetSend.ts'
import type { Call } from '../types.ts'
import { type DevnetFixture, startDevnetFixture } from '../uniswap-v3/devnetFixture.ts'
import { controllerAbi, erc20Abi, feedAbi } from './abis.ts'
import {
  createSeriesCall,
  depositCollateralCalls,
  expiryRound,
  findSeries,
  type GammaDeployment,
  listSeries,
  openShortCalls,
  postExpiryPriceCall,
  readExcessCollateral,
  readExpiryPrice,
  readVaults,
  redeemCall,
  type Series,
  settleVaultCall,
} from './gamma.ts'

const E8 = 10n ** 8n
const DAY = 86_400n

let fx: DevnetFixture
let chain: DevnetClients
let d: GammaDeployment
let treasury: Address
let holder: Address

beforeAll(async () => {
  fx = await startDevnetFixture()
  const m = fx.manifest
  chain = createDevnetClients({ key: 'ethereum', rpcUrl: m.chains.ethereum.rpcUrl })
  const _c = m.chains.ethereum.contracts
  d = gammaDeployments(fromManifest(m)).ethereum!
  treasury = m.chains.ethereum.accounts.treasury
  holder = m.chains.ethereum.accounts.arbitrageur
})

afterAll(async () => {
  await fx?.stop()
})

/** Sends calls from a devnet account, one after the other, each mined and successful. */
const send = (key: Hex, calls: Call[]) =>
  sendDevnetCalls({ client: chain.publicClient, rpcUrl: fx.manifest.chains.ethereum.rpcUrl, key, calls, pollingInterval: 1_000 })
const balance = (token: Address, owner: Address) =>
  chain.publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [owner] })
const at = async (timestampSec: bigint) => {
  // One call, so the relay that builds Ethereum's blocks cannot mine between setting the time and mining.
  await chain.testClient.request({ method: 'evm_mine' as never, params: [{ timestamp: Number(timestampSec), blocks: 1 }] as never })
}

describe('Opyn Gamma on the devnet, through keel’s adapter', () => {
  test('short calls and puts settle to the wei as Gamma pays them: ITM and OTM, the vault owner and the holder', async () => {
    const keys = fx.manifest.devKeys
    const now = (await chain.publicClient.getBlock()).timestamp
    // Gamma's expiries are 08:00 UTC: the first one at least a day away.
    const expirySec = ((now + DAY) / DAY + 1n) * DAY + 8n * 3600n
    const expiryPriceE8 = 3_100n * E8
    const cases = [
      { name: 'call ITM', isPut: false, strikeE8: 2_800n * E8, amountE8: 25n * 10n ** 7n },
      { name: 'call OTM', isPut: false, strikeE8: 3_400n * E8, amountE8: 4n * E8 },
      { name: 'put ITM', isPut: true, strikeE8: 3_200n * E8, amountE8: 3n * E8 },
      { name: 'put OTM', isPut: true, strikeE8: 2_800n * E8, amountE8: 5n * E8 },
    ]
    const opened: { name: string; series: Series; vaultId: bigint; amountE8: bigint; collateral: bigint }[] = []
    for (const [i, c] of cases.entries()) {
      const spec = { isPut: c.isPut, strikeE8: c.strikeE8, expirySec }
      expect(await findSeries(chain.publicClient, d, spec)).toBeNull()
      const created = await createSeriesCall(chain.publicClient, d, spec)
      await send(keys.treasury, [created.call])
      expect((await findSeries(chain.publicClient, d, spec))?.otoken).toBe(created.series.otoken)
      const vaultId = BigInt(i + 1)
      await send(keys.treasury, openShortCalls(d, { series: created.series, owner: treasury, vaultId, amountE8: c.amountE8, to: holder }))
      opened.push({
        name: c.name,
        series: created.series,
        vaultId,
        amountE8: c.amountE8,
        collateral: gammaFullCollateral({ ...created.series, amountE8: c.amountE8 }),
      })
    }
    expect((await listSeries(chain.publicClient, d, 0n)).map((s) => s.otoken).sort()).toEqual(opened.map((o) => o.series.otoken).sort())
    // Vaults read back as opened: one short and its full collateral each, nothing in excess.
    const vaults = await readVaults(chain.publicClient, d, treasury)
    expect(vaults.map((v) => [v.id, v.type, v.short?.otoken, v.short?.amountE8, v.collateral?.amount])).toEqual(
      opened.map((o) => [o.vaultId, 0, o.series.otoken, o.amountE8, o.collateral]),
    )
    for (const o of opened) expect(await readExcessCollateral(chain.publicClient, d, treasury, o.vaultId)).toBe(0n)
    for (const o of opened) expect(await balance(o.series.otoken, holder)).toBe(o.amountE8)

    // Expiry: the feed's first round after it carries the price; the pricer posts it after the locking period.
    await at(expirySec + 60n)
    await send(keys.deployer, [
      {
        chainId: d.chainId,
        to: d.feed,
        data: encodeFunctionData({
          abi: parseAbi(['function updateAnswer(int256 answer)']),
          functionName: 'updateAnswer',
          args: [expiryPriceE8],
        }),
        value: 0n,
        description: 'feed update after expiry',
      },
    ])
    const round = await expiryRound(chain.publicClient, d, expirySec)
    expect(round?.priceE8).toBe(expiryPriceE8)
    const { lockingPeriodSec, disputePeriodSec } = readGammaSection(fx.manifest)!
    await at(expirySec + 60n + BigInt(lockingPeriodSec) + 1n)
    // Posted by keel's treasury, not the pricer's bot: the pricer checks the round before is earlier than expiry.
    await send(keys.treasury, [postExpiryPriceCall(d, { expirySec, roundId: round!.roundId })])
    expect(await readExpiryPrice(chain.publicClient, d, expirySec)).toEqual({ priceE8: expiryPriceE8, final: false })
    // The dispute period runs from the block that posted the price (the relay may mine it a few seconds after the warp).
    const postedBy = (await chain.publicClient.getBlock({ blockTag: 'latest' })).timestamp
    await at(postedBy + BigInt(disputePeriodSec) + 2n)
    expect(await readExpiryPrice(chain.publicClient, d, expirySec)).toEqual({ priceE8: expiryPriceE8, final: true })

    const poolBefore = { weth: await balance(d.weth, d.marginPool), usdc: await balance(d.usdc, d.marginPool) }
    const paidOut = { weth: 0n, usdc: 0n }
    for (const o of opened) {
      const series = { ...o.series, expiryPriceE8 }
      const payout = gammaPayout({ ...series, amountE8: o.amountE8 })
      const proceeds = gammaVaultProceeds({ ...series, shortE8: o.amountE8, collateral: o.collateral })
      // keel's own arithmetic equals Gamma's, to the wei.
      expect(
        await chain.publicClient.readContract({
          address: d.controller,
          abi: controllerAbi,
          functionName: 'getPayout',
          args: [o.series.otoken, o.amountE8],
        }),
        o.name,
      ).toBe(payout)
      expect(
        await chain.publicClient.readContract({
          address: d.controller,
          abi: controllerAbi,
          functionName: 'getProceed',
          args: [treasury, o.vaultId],
        }),
        o.name,
      ).toBe(proceeds)
      if (o.name.endsWith('OTM')) expect([payout, proceeds]).toEqual([0n, o.collateral])
      else expect(payout).toBeGreaterThan(0n)
      // And the tokens move exactly so: the holder redeems, the treasury settles its vault.
      const holderBefore = await balance(o.series.collateral, holder)
      const treasuryBefore = await balance(o.series.collateral, treasury)
      await send(keys.arbitrageur, [redeemCall(d, { otoken: o.series.otoken, holder, amountE8: o.amountE8 })])
      await send(keys.treasury, [settleVaultCall(d, { owner: treasury, vaultId: o.vaultId, to: treasury })])
      expect(await balance(o.series.collateral, holder), o.name).toBe(holderBefore + payout)
      expect(await balance(o.series.collateral, treasury), o.name).toBe(treasuryBefore + proceeds)
      expect(await balance(o.series.otoken, holder)).toBe(0n)
      // A full collateral pays the holder and the writer between them, down to Gamma's rounding in the pool's favour.
      expect(o.collateral - payout - proceeds).toBeGreaterThanOrEqual(0n)
      paidOut[o.series.isPut ? 'usdc' : 'weth'] += payout + proceeds
    }
    expect(await balance(d.weth, d.marginPool)).toBe(poolBefore.weth - paidOut.weth)
    expect(await balance(d.usdc, d.marginPool)).toBe(poolBefore.usdc - paidOut.usdc)
    // Settled vaults are empty.
    for (const v of await readVaults(chain.publicClient, d, treasury)) expect([v.short, v.collateral]).toEqual([null, null])
  })

  test('a partially collateralised put needs exactly the margin keel computes, and a fall in ETH is met by a top-up to zero deficit', async () => {
    const keys = fx.manifest.devKeys
    const section = readGammaSection(fx.manifest)!
    const params = {
      spotShockE27: BigInt(section.nakedPut.spotShockE27),
      upperBounds: section.nakedPut.upperBounds.map((b) => ({ timeToExpirySec: BigInt(b.timeToExpirySec), valueE27: BigInt(b.valueE27) })),
    }
    const block = await chain.publicClient.getBlock()
    const expirySec = ((block.timestamp + DAY) / DAY + 1n) * DAY + 8n * 3600n
    const created = await createSeriesCall(chain.publicClient, d, { isPut: true, strikeE8: 2_800n * E8, expirySec })
    await send(keys.treasury, [created.call])
    const series = created.series
    const spot = async () => (await chain.publicClient.readContract({ address: d.feed, abi: feedAbi, functionName: 'latestRoundData' }))[1]
    const shortE8 = 10n * E8
    const margin = async () =>
      gammaNakedPutMarginE27({
        strikeE8: series.strikeE8,
        spotE8: await spot(),
        shortE8,
        expirySec,
        nowSec: (await chain.publicClient.getBlock()).timestamp,
        params,
      })
    const required = ((await margin()) + 10n ** 21n - 1n) / 10n ** 21n
    // Well below the 28,000 USDC a fully collateralised put would lock.
    expect(required).toBeLessThan(gammaFullCollateral({ ...series, amountE8: shortE8 }) / 2n)
    const vaultId = (await readVaults(chain.publicClient, d, treasury)).length + 1
    const open = (collateral: bigint) =>
      openShortCalls(d, { series, owner: treasury, vaultId: BigInt(vaultId), amountE8: shortE8, to: holder, collateral })
    // One unit less than keel's margin: Gamma refuses the mint.
    const [approve, short] = open(required - 1n)
    await send(keys.treasury, [approve!])
    await expect(chain.publicClient.call({ account: treasury, to: short!.to, data: short!.data })).rejects.toThrow()
    await send(keys.treasury, open(required))
    const vault = (await readVaults(chain.publicClient, d, treasury)).at(-1)!
    expect(vault).toMatchObject({
      id: BigInt(vaultId),
      type: 1,
      short: { otoken: series.otoken, amountE8: shortE8 },
      collateral: { amount: required },
    })
    const excess = async (collateral: bigint) =>
      gammaNakedPutExcess({
        strikeE8: series.strikeE8,
        spotE8: await spot(),
        shortE8,
        expirySec,
        nowSec: (await chain.publicClient.getBlock()).timestamp,
        params,
        collateral,
      })
    expect(await readExcessCollateral(chain.publicClient, d, treasury, BigInt(vaultId))).toBe(await excess(required))
    // ETH falls 25 %: the margin grows and the vault is short of it, by what keel computes.
    await send(keys.deployer, [
      {
        chainId: d.chainId,
        to: d.feed,
        data: encodeFunctionData({
          abi: parseAbi(['function updateAnswer(int256 answer)']),
          functionName: 'updateAnswer',
          args: [((await spot()) * 3n) / 4n],
        }),
        value: 0n,
        description: 'ETH falls',
      },
    ])
    const deficit = await readExcessCollateral(chain.publicClient, d, treasury, BigInt(vaultId))
    expect(deficit).toBeLessThan(0n)
    expect(deficit).toBe(await excess(required))
    // The top-up keel would send brings the vault back to zero excess, not a unit more.
    await send(keys.treasury, depositCollateralCalls(d, { series, owner: treasury, vaultId: BigInt(vaultId), amount: -deficit }))
    expect(await readExcessCollateral(chain.publicClient, d, treasury, BigInt(vaultId))).toBe(0n)
    expect(await excess(required - deficit)).toBe(0n)
  })

  test('the observation carries the covered call, and the exposure counts its collateral as ETH less the short call’s delta', async () => {
    const keys = fx.manifest.devKeys
    const mark = { a: 0.45, b: 0.05, rho: -0.3, m: 0, sigma: 0.2 }
    const input: MandateInput = {
      portfolio: 'book',
      chains: { ethereum: { treasury } },
      delta: { targetEth: '0', bandEth: '1' },
      hedge: { maxSlippageBps: 30, maxGasCostUsdc: '30', maxHedgeSizeEth: '50' },
      options: {
        chains: ['ethereum'],
        strategies: [
          { kind: 'covered-call', sizeEth: '6', callDelta: 0.25, expiry: { weekday: 'friday' }, minPremiumUsdc: '1', maxDiscountBps: 500 },
        ],
        objectives: { gammaFloor: -1, vegaLimitUsdc: '100000', thetaTargetUsdcPerDay: '10' },
        mark: { svi: mark },
      },
    }
    parseMandate(input)
    const read = createReadActivities(createActivityDeps({ environment: fromManifest(fx.manifest), signChains: [] }))
    const before = portfolioExposure(await read.observePortfolio({ mandate: input }))
    const block = await chain.publicClient.getBlock()
    const expirySec = ((block.timestamp + 3n * DAY) / DAY + 1n) * DAY + 8n * 3600n
    const created = await createSeriesCall(chain.publicClient, d, { isPut: false, strikeE8: 3_300n * E8, expirySec })
    await send(keys.treasury, [created.call])
    const vaultId = BigInt((await readVaults(chain.publicClient, d, treasury)).length + 1)
    const amountE8 = 6n * E8
    await send(keys.treasury, openShortCalls(d, { series: created.series, owner: treasury, vaultId, amountE8, to: holder }))
    const snapshot = await read.observePortfolio({ mandate: input })
    const eth = snapshot.chains[0]!
    const vault = eth.options!.vaults.find((v) => v.id === vaultId.toString())!
    expect(vault.short).toEqual({
      otoken: created.series.otoken,
      isPut: false,
      strikeE8: (3_300n * E8).toString(),
      expirySec: expirySec.toString(),
      amountE8: amountE8.toString(),
    })
    expect(vault.collateral).toEqual({ asset: d.weth, amount: (6n * 10n ** 18n).toString() })
    const after = portfolioExposure(snapshot)
    const c = after.chains[0]!
    // The WETH went from the treasury into the vault: spot −6, collateral +6, so only the short call's delta moves the book.
    expect(c.spotWethWei).toBe(before.chains[0]!.spotWethWei - 6n * 10n ** 18n)
    expect(c.options!.collateralWethWei - (before.chains[0]!.options?.collateralWethWei ?? 0n)).toBe(6n * 10n ** 18n)
    const spot = c.priceUsdc
    const vol = Math.sqrt(sviTotalVariance(mark, Math.log(3_300 / spot)))
    const bs = bsmGreeks({
      kind: 'call',
      spot,
      strike: 3_300,
      timeYears: Number(expirySec - BigInt(eth.blockTimestampSec)) / (365 * 86_400),
      vol,
      rate: 0,
    })
    // The new vault alone, against the same observation without it: +6 ETH of collateral, less 6 calls' delta.
    const without = portfolioExposure({
      ...snapshot,
      chains: [{ ...eth, options: { ...eth.options!, vaults: eth.options!.vaults.filter((v) => v !== vault) } }],
    })
    expect(Number(after.deltaWei - without.deltaWei) / 1e18).toBeCloseTo(6 - 6 * bs.delta, 9)
    expect(after.gamma - without.gamma).toBeCloseTo(-6 * bs.gamma, 12)
    expect(after.theta - without.theta).toBeCloseTo((-6 * bs.theta) / 365, 9)
    expect(after.vega - without.vega).toBeCloseTo((-6 * bs.vega) / 100, 9)
    expect(after.theta - without.theta).toBeGreaterThan(0)
    // What keel status shows: the book's Greeks per chain and in total.
    const view = observationView({ snapshot, exposure: after, mandate: parseMandate(input) })
    expect(view.chains[0]!.options).toEqual({
      deltaWei: c.options!.deltaWei.toString(),
      gamma: c.options!.gamma,
      vega: c.options!.vega,
      theta: c.options!.theta,
    })
    expect([view.vega, view.theta]).toEqual([after.vega, after.theta])
  })
})
