import { type Address, type Chain, erc20Abi, type PublicClient, type TestClient, type Transport } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SimulationRevertedError } from '../../adapters/executor/errors.ts'
import { createExecutor, type Executor } from '../../adapters/executor/executor.ts'
import { createAdapterRegistry, DuplicateAdapterError } from '../../adapters/registry.ts'
import type { Call, OptionSeries, OptionSeriesSpec, OptionVenueAdapter } from '../../adapters/types.ts'
import { InvalidInputError } from '../../agent/errors.ts'
import { type ChainKey, chainKeys, type DevnetManifest } from '../../chains/types.ts'

/** keel's own arithmetic of the venue (`agent/`), which the chain must match to the wei; amounts in base units. */
export type OptionVenueModel = {
  /** Collateral a short of `amount` locks when written in full. */
  fullCollateral(p: { series: OptionSeries; amount: bigint }): bigint
  /** The venue's margin for a partially collateralised put at `spotE8`, the chain at `nowSec`; rounded up. */
  nakedPutMargin(p: { series: OptionSeries; amount: bigint; spotE8: bigint; nowSec: bigint }): bigint
  /** What redeeming `amount` pays the holder at the expiry price. */
  payout(p: { series: OptionSeries; amount: bigint; expiryPriceE8: bigint }): bigint
  /** What settling a vault short `short` against `collateral` returns to its owner at the expiry price. */
  vaultProceeds(p: { series: OptionSeries; short: bigint; collateral: bigint; expiryPriceE8: bigint }): bigint
}

export type OptionVenueUnderTest = {
  adapter: OptionVenueAdapter
  manifest: DevnetManifest
  clients: Record<ChainKey, PublicClient<Transport, Chain>>
  testClients: Record<ChainKey, TestClient<'anvil', Transport, Chain>>
  /** Where the suite writes, moves the price and runs past an expiry (every served chain gets the cheap checks). */
  chain: ChainKey
  /** Moves the price the venue's oracle reads on `chain` (the devnet's feed stand-in), in a block of its own. */
  setPriceE8(p: { chain: ChainKey; priceE8: bigint }): Promise<void>
  /** After an expiry: how long before its price may be posted, and how long after posting until it is final. */
  periods: { lockingSec: bigint; disputeSec: bigint }
  model: OptionVenueModel
  stop(): Promise<void>
}

const E8 = 10n ** 8n
const DAY = 86_400n
const stranger: Address = '0x000000000000000000000000000000000000dEaD'

/**
 * The shared suite every option venue's test calls (Hummingbot's shared connector suite, for
 * options), on the real devnet: manifest, absence as data, series created then found and listed,
 * writes that simulate from the treasury and leave vaults holding what was asked to the unit,
 * never a call below full collateral, burns, margin, and settlement and redemption after a
 * final expiry price, each to the wei of keel's own arithmetic.
 */
export function optionVenueConformance(p: { name: string; setup: () => Promise<OptionVenueUnderTest> }): void {
  describe(`option venue conformance: ${p.name}`, () => {
    let v: OptionVenueUnderTest
    let a: OptionVenueAdapter
    let expirySec: bigint
    const executors = new Map<ChainKey, Executor>()
    let batches = 0
    beforeAll(async () => {
      v = await p.setup()
      a = v.adapter
      const now = (await v.clients[v.chain].getBlock()).timestamp
      // 08:00 UTC, two to three days away: one margin bucket while the suite runs, and Gamma's expiry hour.
      expirySec = ((now + 2n * DAY) / DAY + 1n) * DAY + 8n * 3_600n
    })
    afterAll(async () => {
      await v?.stop()
    })

    const served = () => a.manifest.chains.filter((c) => (chainKeys as readonly string[]).includes(c))
    const treasury = (chain: ChainKey) => v.manifest.chains[chain].accounts.treasury
    const executor = (chain: ChainKey): Executor => {
      let e = executors.get(chain)
      if (!e) {
        e = createExecutor({
          chain,
          chainId: v.manifest.chains[chain].chainId,
          publicClient: v.clients[chain],
          account: privateKeyToAccount(v.manifest.devKeys.treasury),
        })
        executors.set(chain, e)
      }
      return e
    }
    const prepare = (chain: ChainKey, calls: readonly Call[]) =>
      executor(chain).prepare({ calls, idempotencyKey: `option-conformance-${p.name}-${chain}-${batches++}` })
    /** Simulates the calls from the treasury, then sends them; each mined and successful (submit throws otherwise). */
    const send = async (chain: ChainKey, calls: readonly Call[]) => {
      for (const tx of await prepare(chain, calls)) await executor(chain).submit(tx)
    }
    const balance = (chain: ChainKey, token: Address, owner: Address) =>
      v.clients[chain].readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [owner] })
    const warp = async (chain: ChainKey, timestampSec: bigint) => {
      // One call, so a block builder (the devnet relay on Ethereum) cannot mine between setting the time and mining.
      await v.testClients[chain].request({ method: 'evm_mine' as never, params: [{ timestamp: Number(timestampSec), blocks: 1 }] as never })
    }
    const unit = (s: OptionSeries) => 10n ** BigInt(s.decimals)
    /** The series, created by the treasury first when nobody has. */
    const seriesOn = async (chain: ChainKey, spec: OptionSeriesSpec): Promise<OptionSeries> => {
      const found = await a.findSeries({ chain, spec })
      if (found) return found
      const created = await a.createSeriesCall({ chain, spec })
      if (created.status !== 'ok') throw new Error(`cannot create a series on ${chain}: ${created.reason}`)
      await send(chain, [created.call])
      return created.series
    }
    const nextVaultId = async (chain: ChainKey) => BigInt((await a.positions({ chain, owner: treasury(chain) })).length + 1)
    /** Writes `amount` of the series in full, minted to the treasury. */
    const writeInFull = async (series: OptionSeries, amount: bigint) => {
      const owner = treasury(series.chain)
      const vaultId = await nextVaultId(series.chain)
      await send(series.chain, a.openShortCalls({ series, owner, vaultId, amount, to: owner }))
      return { owner, vaultId, collateral: v.model.fullCollateral({ series, amount }) }
    }

    test('has an options manifest the registry accepts once and refuses twice', () => {
      const m = a.manifest
      expect(m.id).toMatch(/^[a-z0-9][a-z0-9-]*$/)
      expect(m.kind).toBe('options')
      expect(m.version).toMatch(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/)
      expect(m.description.length).toBeGreaterThan(0)
      expect(served()).toEqual(m.chains)
      expect(m.chains).toContain(v.chain)
      const registry = createAdapterRegistry()
      registry.register(a)
      expect(registry.get(m.id)).toBe(a)
      // An option venue is never offered as a place to swap.
      expect(registry.swapVenuesFor(v.chain)).toEqual([])
      expect(() => registry.register(a)).toThrow(DuplicateAdapterError)
    })

    test('answers an unserved chain and an absent series, vault or price as data, not exceptions', async () => {
      const spec = { isPut: false, strikeE8: 1_234n * E8, expirySec }
      const unserved = [...chainKeys.filter((c) => !a.manifest.chains.includes(c)), 'nowhere' as ChainKey]
      for (const chain of unserved) {
        expect(await a.findSeries({ chain, spec })).toBeNull()
        expect(await a.listSeries({ chain, fromBlock: 0n })).toEqual([])
        expect(await a.positions({ chain, owner: stranger })).toEqual([])
        expect(await a.excessCollateral({ chain, owner: stranger, vaultId: 1n })).toBeNull()
        expect(await a.expiryPrice({ chain, expirySec })).toBeNull()
        for (const answer of [await a.createSeriesCall({ chain, spec }), await a.postExpiryPriceCall({ chain, expirySec })]) {
          expect(answer.status).toBe('unavailable')
          if (answer.status === 'unavailable') expect(answer.reason).toContain(chain)
        }
        // A builder asked for a chain the manifest does not list is the caller's error, named.
        expect(() => a.settleVaultCall({ chain, owner: stranger, vaultId: 1n, to: stranger })).toThrow(InvalidInputError)
      }
      for (const chain of served()) {
        expect(await a.findSeries({ chain, spec })).toBeNull()
        expect(await a.positions({ chain, owner: stranger })).toEqual([])
        expect(await a.expiryPrice({ chain, expirySec })).toBeNull()
        // The expiry is days away: no price to post yet.
        const post = await a.postExpiryPriceCall({ chain, expirySec })
        expect(post.status).toBe('unavailable')
        if (post.status === 'unavailable') expect(post.reason.length).toBeGreaterThan(0)
      }
    })

    test('creates a series where it said it would, then finds it and lists it, on every chain it serves', async () => {
      for (const chain of served()) {
        const c = v.manifest.chains[chain]
        for (const spec of [
          { isPut: true, strikeE8: 2_500n * E8, expirySec },
          { isPut: false, strikeE8: 3_600n * E8, expirySec },
        ]) {
          const fromBlock = (await v.clients[chain].getBlockNumber()) + 1n
          const created = await a.createSeriesCall({ chain, spec })
          if (created.status !== 'ok') throw new Error(`no series on ${chain}: ${created.reason}`)
          expect(created.call.chainId).toBe(c.chainId)
          expect(created.series).toMatchObject({
            chain,
            ...spec,
            underlying: c.contracts.weth,
            strikeAsset: c.contracts.usdc,
            collateral: spec.isPut ? c.contracts.usdc : c.contracts.weth,
          })
          await send(chain, [created.call])
          expect(await a.findSeries({ chain, spec })).toEqual(created.series)
          expect(await a.listSeries({ chain, fromBlock })).toEqual([created.series])
          const decimals = (address: Address) => v.clients[chain].readContract({ address, abi: erc20Abi, functionName: 'decimals' })
          expect(await decimals(created.series.token)).toBe(created.series.decimals)
          expect(await decimals(created.series.collateral)).toBe(created.series.collateralDecimals)
        }
      }
    })

    test('writes a call in full: its calls simulate from the treasury, and the vault holds exactly what was asked', async () => {
      const chain = v.chain
      const owner = treasury(chain)
      const series = await seriesOn(chain, { isPut: false, strikeE8: 3_400n * E8, expirySec })
      const amount = (3n * unit(series)) / 2n
      const vaultId = await nextVaultId(chain)
      const calls = a.openShortCalls({ series, owner, vaultId, amount, to: owner })
      for (const call of calls) expect(call.chainId).toBe(v.manifest.chains[chain].chainId)
      const collateral = v.model.fullCollateral({ series, amount })
      const [collateralBefore, tokenBefore, nonceBefore] = await Promise.all([
        balance(chain, series.collateral, owner),
        balance(chain, series.token, owner),
        v.clients[chain].getTransactionCount({ address: owner }),
      ])
      // prepare() simulates every call in order and signs; nothing is sent.
      const prepared = await prepare(chain, calls)
      expect(prepared).toHaveLength(calls.length)
      expect(await v.clients[chain].getTransactionCount({ address: owner })).toBe(nonceBefore)
      for (const tx of prepared) await executor(chain).submit(tx)
      expect(await balance(chain, series.collateral, owner)).toBe(collateralBefore - collateral)
      expect(await balance(chain, series.token, owner)).toBe(tokenBefore + amount)
      expect((await a.positions({ chain, owner })).at(-1)).toEqual({
        chain,
        owner,
        id: vaultId,
        collateralisation: 'full',
        short: { token: series.token, amount },
        long: null,
        collateral: { asset: series.collateral, amount: collateral },
      })
      expect(await a.excessCollateral({ chain, owner, vaultId })).toBe(0n)
    })

    test('never writes a call below full collateral: the adapter refuses it as the caller’s error', async () => {
      const chain = v.chain
      const owner = treasury(chain)
      const series = await seriesOn(chain, { isPut: false, strikeE8: 3_400n * E8, expirySec })
      const amount = unit(series)
      const full = v.model.fullCollateral({ series, amount })
      for (const collateral of [0n, full / 2n, full - 1n])
        expect(() => a.openShortCalls({ series, owner, vaultId: 99n, amount, to: owner, collateral })).toThrow(InvalidInputError)
      expect(await a.marginRequired({ series, amount })).toBeNull()
    })

    test('a burn returns the collateral to the wei, in part and then in full; withdrawing more than it frees does not simulate', async () => {
      const chain = v.chain
      const series = await seriesOn(chain, { isPut: false, strikeE8: 3_400n * E8, expirySec })
      const amount = 2n * unit(series)
      const [collateralBefore, tokenBefore] = await Promise.all([
        balance(chain, series.collateral, treasury(chain)),
        balance(chain, series.token, treasury(chain)),
      ])
      const { owner, vaultId, collateral } = await writeInFull(series, amount)
      const burn = (burnt: bigint, withdraw: bigint) => a.burnShortCall({ series, owner, vaultId, amount: burnt, withdraw })
      await expect(prepare(chain, [burn(amount / 2n, collateral / 2n + 1n)])).rejects.toThrow(SimulationRevertedError)
      await send(chain, [burn(amount / 2n, collateral / 2n)])
      expect(await balance(chain, series.collateral, owner)).toBe(collateralBefore - collateral + collateral / 2n)
      expect((await a.positions({ chain, owner })).find((x) => x.id === vaultId)).toMatchObject({
        short: { token: series.token, amount: amount - amount / 2n },
        collateral: { asset: series.collateral, amount: collateral - collateral / 2n },
      })
      expect(await a.excessCollateral({ chain, owner, vaultId })).toBe(0n)
      await send(chain, [burn(amount - amount / 2n, collateral - collateral / 2n)])
      expect(await balance(chain, series.collateral, owner)).toBe(collateralBefore)
      expect(await balance(chain, series.token, owner)).toBe(tokenBefore)
      expect((await a.positions({ chain, owner })).find((x) => x.id === vaultId)).toMatchObject({ short: null, collateral: null })
    })

    test('margins a naked put exactly as keel computes it: one unit less does not simulate, and a fall is topped up to zero excess', async () => {
      const chain = v.chain
      const owner = treasury(chain)
      // Odd price and size: the venue's figure has a fraction to round, and one unit less must fail.
      const spotE8 = 3_000n * E8 + 12_345_678n
      await v.setPriceE8({ chain, priceE8: spotE8 })
      const series = await seriesOn(chain, { isPut: true, strikeE8: 2_800n * E8, expirySec })
      const amount = 10n * unit(series) + 1_234_567n
      const margin = async (priceE8: bigint) =>
        v.model.nakedPutMargin({ series, amount, spotE8: priceE8, nowSec: (await v.clients[chain].getBlock()).timestamp })
      const required = await a.marginRequired({ series, amount, spotE8 })
      expect(required).toBe(await margin(spotE8))
      // Without a price, at the venue's oracle: the one just set.
      expect(await a.marginRequired({ series, amount })).toBe(required)
      if (required === null) throw new Error('no margin for a put')
      expect(required).toBeGreaterThan(0n)
      expect(required).toBeLessThan(v.model.fullCollateral({ series, amount }))
      const vaultId = await nextVaultId(chain)
      const open = (collateral: bigint) => a.openShortCalls({ series, owner, vaultId, amount, to: owner, collateral })
      await expect(prepare(chain, open(required - 1n))).rejects.toThrow(SimulationRevertedError)
      await send(chain, open(required))
      expect((await a.positions({ chain, owner })).at(-1)).toEqual({
        chain,
        owner,
        id: vaultId,
        collateralisation: 'partial',
        short: { token: series.token, amount },
        long: null,
        collateral: { asset: series.collateral, amount: required },
      })
      expect(await a.excessCollateral({ chain, owner, vaultId })).toBe(0n)
      // ETH falls a quarter: the vault lacks exactly the margin's growth, and that top-up restores zero excess.
      const fallenE8 = (spotE8 * 3n) / 4n
      await v.setPriceE8({ chain, priceE8: fallenE8 })
      const needed = await margin(fallenE8)
      expect(needed).toBeGreaterThan(required)
      expect(await a.marginRequired({ series, amount })).toBe(needed)
      expect(await a.excessCollateral({ chain, owner, vaultId })).toBe(required - needed)
      await send(chain, a.depositCollateralCalls({ series, owner, vaultId, amount: needed - required }))
      expect(await a.excessCollateral({ chain, owner, vaultId })).toBe(0n)
      expect((await a.positions({ chain, owner })).at(-1)?.collateral).toEqual({ asset: series.collateral, amount: needed })
    })

    test('after expiry and a final price: settle pays keel’s proceeds and redeem keel’s payout, to the wei (ITM call)', async () => {
      const chain = v.chain
      const series = await seriesOn(chain, { isPut: false, strikeE8: 2_800n * E8, expirySec })
      const amount = (5n * unit(series)) / 2n
      const tokenBefore = await balance(chain, series.token, treasury(chain))
      const { owner, vaultId, collateral } = await writeInFull(series, amount)
      expect(await a.expiryPrice({ chain, expirySec })).toBeNull()
      await warp(chain, expirySec + 60n)
      // Past expiry, but the oracle has not updated since: nothing to post yet.
      expect((await a.postExpiryPriceCall({ chain, expirySec })).status).toBe('unavailable')
      const expiryPriceE8 = 3_100n * E8
      await v.setPriceE8({ chain, priceE8: expiryPriceE8 })
      await warp(chain, expirySec + 60n + v.periods.lockingSec + 1n)
      const post = await a.postExpiryPriceCall({ chain, expirySec })
      if (post.status !== 'ok') throw new Error(`no expiry price to post: ${post.reason}`)
      expect(post.priceE8).toBe(expiryPriceE8)
      await send(chain, [post.call])
      expect(await a.expiryPrice({ chain, expirySec })).toEqual({ priceE8: expiryPriceE8, final: false })
      const settle = a.settleVaultCall({ chain, owner, vaultId, to: owner })
      // Not final yet: settlement does not simulate.
      await expect(prepare(chain, [settle])).rejects.toThrow(SimulationRevertedError)
      // The dispute period runs from the block that posted the price (a block builder may mine it seconds after the warp).
      const postedBy = (await v.clients[chain].getBlock({ blockTag: 'latest' })).timestamp
      await warp(chain, postedBy + v.periods.disputeSec + 2n)
      expect(await a.expiryPrice({ chain, expirySec })).toEqual({ priceE8: expiryPriceE8, final: true })

      const proceeds = v.model.vaultProceeds({ series, short: amount, collateral, expiryPriceE8 })
      const payout = v.model.payout({ series, amount, expiryPriceE8 })
      // In the money: the holder is owed something, and the writer gets less than its collateral back.
      expect(payout).toBeGreaterThan(0n)
      expect(proceeds).toBeLessThan(collateral)
      const before = await balance(chain, series.collateral, owner)
      await send(chain, [settle])
      expect(await balance(chain, series.collateral, owner)).toBe(before + proceeds)
      expect((await a.positions({ chain, owner })).find((x) => x.id === vaultId)).toMatchObject({ short: null, collateral: null })
      await send(chain, [a.redeemCall({ series, holder: owner, amount })])
      expect(await balance(chain, series.collateral, owner)).toBe(before + proceeds + payout)
      expect(await balance(chain, series.token, owner)).toBe(tokenBefore)
    })
  })
}
