import { type Address, encodeFunctionData, type Hex, maxUint256 } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { chooseAsk, chooseBid } from '../../agent/options/chooseBid.ts'
import { gammaFullCollateral } from '../../agent/options/gammaSettlement.ts'
import { bsmPrice } from '../../agent/risk/blackScholes.ts'
import { createDevnetClients, type DevnetClients, devnetKeys } from '../../chains/devnet/devnetClients.ts'
import { type RfqMakerEntry, readRfqSection } from '../../chains/devnet/rfq/deploy.ts'
import type { MakerKnobs } from '../../chains/devnet/rfq/maker.ts'
import { fromManifest } from '../../temporal/chainEnvironment.ts'
import { gammaDeployments } from '../../temporal/optionVenues.ts'
import { sendDevnetCalls } from '../devnetSend.ts'
import { erc20Abi, feedAbi } from '../opyn-gamma/abis.ts'
import {
  burnShortCall,
  createSeriesCall,
  type GammaDeployment,
  listSeries,
  openShortCalls,
  readVaults,
  type Series,
} from '../opyn-gamma/gamma.ts'
import type { Call } from '../types.ts'
import { type DevnetFixture, startDevnetFixture } from '../uniswap-v3/devnetFixture.ts'
import { type RfqRequest, requestBids, requestQuotes, swapErc20Abi, takeOrderCalls } from './rfq.ts'

const E8 = 10n ** 8n
const DAY = 86_400n

let fx: DevnetFixture
let chain: DevnetClients
let d: GammaDeployment
let swapContract: Address
let treasury: Address
let makers: RfqMakerEntry[] = []
const keys = devnetKeys()

beforeAll(async () => {
  fx = await startDevnetFixture()
  const m = fx.manifest
  chain = createDevnetClients({ key: 'ethereum', rpcUrl: m.chains.ethereum.rpcUrl })
  d = gammaDeployments(fromManifest(m)).ethereum!
  const rfqSection = readRfqSection(m)!
  swapContract = rfqSection.chains.ethereum!.swapErc20
  treasury = m.chains.ethereum.accounts.treasury
  // The devnet's two maker processes, with their own smiles and spreads, funded with USDC SwapERC20 may pull.
  makers = rfqSection.makers
  expect(makers.map((mk) => mk.id)).toEqual(['maker-a', 'maker-b'])
})

afterAll(async () => {
  await fx?.stop()
})

/** Sets a maker process's knobs through its control endpoint. */
async function setKnobs(maker: RfqMakerEntry, patch: Partial<MakerKnobs>): Promise<void> {
  const res = await fetch(new URL('control', maker.url), { method: 'POST', body: JSON.stringify(patch) })
  expect(res.status).toBe(200)
}

const call = (to: Address, data: Hex): Call => ({ chainId: 1, to, data, value: 0n, description: 'test setup' })
const send = (key: Hex, calls: Call[]) =>
  sendDevnetCalls({ client: chain.publicClient, rpcUrl: fx.manifest.chains.ethereum.rpcUrl, key, calls })
const balance = (token: Address, owner: Address) =>
  chain.publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [owner] })

/** A 10-ETH covered call written into a new vault, the oTokens minted to the treasury. */
async function writeCalls(amountE8: bigint): Promise<{ series: Series; vaultId: bigint }> {
  const now = (await chain.publicClient.getBlock()).timestamp
  const expirySec = ((now + 5n * DAY) / DAY + 1n) * DAY + 8n * 3600n
  const spec = { isPut: false, strikeE8: 3_100n * E8, expirySec }
  const created = await createSeriesCall(chain.publicClient, d, spec)
  const existing = (await chain.publicClient.getCode({ address: created.series.otoken })) ?? '0x'
  if (existing === '0x') await send(keys.treasury, [created.call])
  const vaultId = BigInt((await readVaults(chain.publicClient, d, treasury)).length + 1)
  await send(keys.treasury, openShortCalls(d, { series: created.series, owner: treasury, vaultId, amountE8, to: treasury }))
  return { series: created.series, vaultId }
}

/** keel's own price of the calls: flat 70 % vol on the chain's spot and time. */
async function modelPremium(series: Series, amountE8: bigint): Promise<bigint> {
  const [, spotE8] = await chain.publicClient.readContract({ address: d.feed, abi: feedAbi, functionName: 'latestRoundData' })
  const now = (await chain.publicClient.getBlock()).timestamp
  const perOption = bsmPrice({
    kind: 'call',
    spot: Number(spotE8) / 1e8,
    strike: Number(series.strikeE8) / 1e8,
    timeYears: Number(series.expirySec - now) / (365 * 86_400),
    vol: 0.7,
    rate: 0,
  })
  return BigInt(Math.floor(perOption * 1e6)) * (amountE8 / E8)
}

async function rfq(series: Series, amountE8: bigint): Promise<RfqRequest> {
  return {
    side: 'sell',
    chainId: 1,
    swapContract,
    senderWallet: treasury,
    senderToken: series.otoken,
    senderAmount: amountE8,
    signerToken: d.usdc,
    nowSec: (await chain.publicClient.getBlock()).timestamp,
    minValiditySec: 30n,
    protocolFee: await chain.publicClient.readContract({ address: swapContract, abi: swapErc20Abi, functionName: 'protocolFee' }),
  }
}

describe('selling oTokens by RFQ to AirSwap makers', () => {
  test('asks every maker, takes the best bid within the discount, and settles it atomically to the unit', async () => {
    const amountE8 = 10n * E8
    const { series } = await writeCalls(amountE8)
    const req = await rfq(series, amountE8)
    const bids = await requestBids(makers, req)
    expect(bids.map((b) => [b.maker, b.status])).toEqual([
      ['maker-a', 'ok'],
      ['maker-b', 'ok'],
    ])
    const model = await modelPremium(series, amountE8)
    const choice = chooseBid({ bids, modelPremium: model, maxDiscountBps: 1_500, gasCostUsdc: 5_000_000n })
    expect(
      choice.rejected,
      JSON.stringify({ model: model.toString(), bids: bids.map((b) => (b.status === 'ok' ? b.signerAmount.toString() : b.reason)) }),
    ).toEqual([{ maker: 'maker-a', reason: 'a better bid was taken' }])
    expect(choice).toMatchObject({ status: 'take', maker: 'maker-b' })
    if (choice.status !== 'take') return
    const order = (bids.find((b) => b.maker === choice.maker) as Extract<(typeof bids)[0], { status: 'ok' }>).order
    const maker = makers[1]!
    const before = {
      treasury: await balance(d.usdc, treasury),
      maker: await balance(d.usdc, maker.address),
      deployer: await balance(d.usdc, fx.manifest.chains.ethereum.accounts.deployer),
    }
    await send(keys.treasury, takeOrderCalls({ chainId: 1, swapContract, order, recipient: treasury }))
    const fee = (choice.premium * req.protocolFee) / 10_000n
    expect(await balance(d.usdc, treasury)).toBe(before.treasury + choice.premium)
    expect(await balance(d.usdc, maker.address)).toBe(before.maker - choice.premium - fee)
    expect(await balance(d.usdc, fx.manifest.chains.ethereum.accounts.deployer)).toBe(before.deployer + fee)
    expect(await balance(series.otoken, maker.address)).toBe(amountE8)
    expect(await balance(series.otoken, treasury)).toBe(0n)
  })

  test('stale and off-market makers are refused; with no acceptable bid the mint is burnt and the collateral comes back', async () => {
    const amountE8 = 5n * E8
    const wethBefore = await balance(d.weth, treasury)
    const { series, vaultId } = await writeCalls(amountE8)
    expect(await balance(d.weth, treasury)).toBe(wethBefore - gammaFullCollateral({ ...series, amountE8 }))
    await setKnobs(makers[0]!, { offMarketBps: 4_000 })
    await setKnobs(makers[1]!, { stale: true })
    try {
      const bids = await requestBids(makers, await rfq(series, amountE8))
      expect(bids.map((b) => [b.maker, b.status])).toEqual([
        ['maker-a', 'ok'],
        ['maker-b', 'invalid'],
      ])
      const choice = chooseBid({ bids, modelPremium: await modelPremium(series, amountE8), maxDiscountBps: 1_500, gasCostUsdc: 5_000_000n })
      expect(choice.status).toBe('none')
      expect(choice.rejected.map((r) => r.maker)).toEqual(['maker-a', 'maker-b'])
      // No orphaned short: burn what was minted and take the collateral back, to the wei.
      const collateral = gammaFullCollateral({ ...series, amountE8 })
      await send(keys.treasury, [burnShortCall(d, { series, owner: treasury, vaultId, amountE8, withdraw: collateral })])
      expect(await balance(series.otoken, treasury)).toBe(0n)
      expect(await balance(d.weth, treasury)).toBe(wethBefore)
      const vault = (await readVaults(chain.publicClient, d, treasury)).find((v) => v.id === vaultId)!
      expect([vault.short, vault.collateral]).toEqual([null, null])
    } finally {
      await setKnobs(makers[0]!, { offMarketBps: 0 })
      await setKnobs(makers[1]!, { stale: false })
    }
  })

  test('a maker that reneges (cancels its nonce) fails the swap, and the next best bid is taken instead', async () => {
    const amountE8 = 4n * E8
    const { series } = await writeCalls(amountE8)
    const req = await rfq(series, amountE8)
    const bids = await requestBids(makers, req)
    const ok = bids
      .filter((b): b is Extract<(typeof bids)[0], { status: 'ok' }> => b.status === 'ok')
      .sort((a, b) => (a.signerAmount > b.signerAmount ? -1 : 1))
    expect(ok).toHaveLength(2)
    const [best, next] = ok as [(typeof ok)[0], (typeof ok)[0]]
    // The best maker cancels its order before keel sends it.
    const bestKey = best.maker === 'maker-a' ? keys.rfqMakerA : keys.rfqMakerB
    await send(bestKey, [
      call(swapContract, encodeFunctionData({ abi: swapErc20Abi, functionName: 'cancel', args: [[BigInt(best.order.nonce)]] })),
    ])
    const [approve, swap] = takeOrderCalls({ chainId: 1, swapContract, order: best.order, recipient: treasury })
    await send(keys.treasury, [approve!])
    await expect(chain.publicClient.call({ account: treasury, to: swap!.to, data: swap!.data })).rejects.toThrow()
    const usdcBefore = await balance(d.usdc, treasury)
    await send(keys.treasury, takeOrderCalls({ chainId: 1, swapContract, order: next.order, recipient: treasury }))
    expect(await balance(d.usdc, treasury)).toBe(usdcBefore + next.signerAmount)
    expect(await balance(series.otoken, treasury)).toBe(0n)
  })

  test('a buy-back takes the cheapest ask from a maker that holds the oTokens, then burns them against the vault and frees the collateral', async () => {
    // The first test's vault 1 is short 10 calls that maker-b bought; maker-b sells 4 back from its inventory.
    const vault = (await readVaults(chain.publicClient, d, treasury)).find((v) => v.id === 1n)!
    const otoken = vault.short!.otoken
    const series = (await listSeries(chain.publicClient, d, 0n)).find((s) => s.otoken === otoken)!
    for (const key of [keys.rfqMakerA, keys.rfqMakerB])
      await send(key, [call(otoken, encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [swapContract, maxUint256] }))])
    const amountE8 = 4n * E8
    const req: RfqRequest = {
      ...(await rfq(series, amountE8)),
      side: 'buy',
      signerToken: otoken,
      senderToken: d.usdc,
      signerAmount: amountE8,
    }
    const asks = await requestQuotes(makers, req)
    const holders = await Promise.all(makers.map((m) => balance(otoken, m.address)))
    // A maker that does not hold the amount and SwapERC20's fee on it refuses; one that does answers with a signed ask.
    const needed = amountE8 + (amountE8 * req.protocolFee) / 10_000n
    expect(holders.some((h) => h >= needed)).toBe(true)
    for (const [i, a] of asks.entries()) expect(a.status, a.status === 'ok' ? '' : a.reason).toBe(holders[i]! >= needed ? 'ok' : 'refused')
    const model = await modelPremium(series, amountE8)
    const choice = chooseAsk({ asks, modelPrice: model, maxDiscountBps: 1_500, gasCostUsdc: 5_000_000n })
    expect(choice.status, JSON.stringify(choice.rejected)).toBe('take')
    if (choice.status !== 'take') return
    const order = (asks.find((a) => a.maker === choice.maker) as Extract<(typeof asks)[0], { status: 'ok' }>).order
    const maker = makers.find((m) => m.id === choice.maker)!
    const before = {
      usdc: await balance(d.usdc, treasury),
      weth: await balance(d.weth, treasury),
      makerUsdc: await balance(d.usdc, maker.address),
      makerOtoken: await balance(otoken, maker.address),
    }
    await send(keys.treasury, takeOrderCalls({ chainId: 1, swapContract, order, recipient: treasury }))
    const fee = (amountE8 * req.protocolFee) / 10_000n
    expect(await balance(d.usdc, treasury)).toBe(before.usdc - choice.price)
    expect(await balance(d.usdc, maker.address)).toBe(before.makerUsdc + choice.price)
    expect(await balance(otoken, maker.address)).toBe(before.makerOtoken - amountE8 - fee)
    expect(await balance(otoken, treasury)).toBe(amountE8)
    // Closing that part of the short: 4 calls burnt, their 4 WETH of collateral back, to the wei.
    await send(keys.treasury, [burnShortCall(d, { series, owner: treasury, vaultId: 1n, amountE8, withdraw: 4n * 10n ** 18n })])
    expect(await balance(otoken, treasury)).toBe(0n)
    expect(await balance(d.weth, treasury)).toBe(before.weth + 4n * 10n ** 18n)
    const after = (await readVaults(chain.publicClient, d, treasury)).find((v) => v.id === 1n)!
    expect([after.short?.amountE8, after.collateral?.amount]).toEqual([6n * E8, 6n * 10n ** 18n])
  })
})
