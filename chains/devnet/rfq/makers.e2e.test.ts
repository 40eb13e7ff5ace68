import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Address, type Chain, type PublicClient, parseAbi, type Transport } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { checkOrder, type RfqRequest, requestQuotes, swapErc20Abi } from '../../../adapters/airswap-rfq/rfq.ts'
import { sendDevnetCalls } from '../../../adapters/devnetSend.ts'
import { createSeriesCall, type GammaDeployment, type Series } from '../../../adapters/opyn-gamma/gamma.ts'
import { bsmPrice } from '../../../agent/risk/blackScholes.ts'
import { type SviParams, sviTotalVariance } from '../../../agent/risk/svi.ts'
import type { ChainKey, DevnetManifest } from '../../types.ts'
import { killProcessGroup } from '../anvil.ts'
import { devnetUp, stopDevnet, withDevnet } from '../devnet.ts'
import { createDevnetClients, devnetAccounts, devnetKeys } from '../devnetClients.ts'
import { readGammaSection } from '../gamma/section.ts'
import { isProcessAlive } from '../localProcess.ts'
import { readManifest } from '../manifest.ts'
import { type RfqMakerEntry, type RfqSection, readRfqSection } from './deploy.ts'

const E8 = 10n ** 8n
const DAY = 86_400n
const feedAbi = parseAbi(['function latestRoundData() view returns (uint80, int256, uint256, uint256, uint80)'])

// What the devnet is asked to run (the task's figures): similar smiles, maker-b's spread half of maker-a's.
const expectedSpecs = {
  'maker-a': { svi: { a: 0.46, b: 0.05, rho: -0.3, m: 0, sigma: 0.2 }, spreadBps: 300 },
  'maker-b': { svi: { a: 0.49, b: 0.05, rho: -0.3, m: 0, sigma: 0.2 }, spreadBps: 150 },
} as const satisfies Record<string, { svi: SviParams; spreadBps: number }>

let stateDir: string
let devnet: { manifest: DevnetManifest; stop: () => Promise<void> }
let rfq: RfqSection
const keys = devnetKeys()
const accounts = devnetAccounts()

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'keel-rfq-makers-'))
  devnet = await withDevnet({ stateDir, treasury: 'signer' })
  rfq = readRfqSection(devnet.manifest)!
})

afterAll(async () => {
  await devnet?.stop()
  rmSync(stateDir, { recursive: true, force: true })
})

const clientOf = (key: ChainKey): PublicClient<Transport, Chain> =>
  createDevnetClients({ key, rpcUrl: devnet.manifest.chains[key].rpcUrl }).publicClient

function gammaOf(key: ChainKey): GammaDeployment {
  const m = devnet.manifest
  const c = m.chains[key].contracts
  return { chainId: m.chains[key].chainId, ...readGammaSection(m)!.chains[key]!, feed: c.ethUsdFeed, weth: c.weth, usdc: c.usdc }
}

/** A new call series (about a week out at 08:00 UTC) created on `key`; each test its own strike, so each a new oToken. */
async function createCallSeries(key: ChainKey, strikeUsd: bigint): Promise<Series> {
  const client = clientOf(key)
  const now = (await client.getBlock()).timestamp
  const spec = { isPut: false, strikeE8: strikeUsd * E8, expirySec: ((now + 6n * DAY) / DAY + 1n) * DAY + 8n * 3600n }
  const created = await createSeriesCall(client, gammaOf(key), spec)
  await sendDevnetCalls({ client, rpcUrl: devnet.manifest.chains[key].rpcUrl, key: keys.treasury, calls: [created.call] })
  return created.series
}

async function sellRequest(p: { key: ChainKey; series: Series; amountE8: bigint; swapContract?: Address }): Promise<RfqRequest> {
  const client = clientOf(p.key)
  const swapContract = p.swapContract ?? rfq.chains[p.key]!.swapErc20
  return {
    side: 'sell',
    chainId: devnet.manifest.chains[p.key].chainId,
    swapContract,
    senderWallet: devnet.manifest.chains[p.key].accounts.treasury,
    senderToken: p.series.otoken,
    senderAmount: p.amountE8,
    signerToken: devnet.manifest.chains[p.key].contracts.usdc,
    nowSec: (await client.getBlock()).timestamp,
    minValiditySec: 60n,
    protocolFee: await client.readContract({ address: rfq.chains[p.key]!.swapErc20, abi: swapErc20Abi, functionName: 'protocolFee' }),
  }
}

/**
 * The bid a maker holding none of the series should make, computed here from its smile: Black-Scholes
 * at the SVI vol for ln(K/S), on the chain's feed and block time, less its spread, rounded down to USDC units.
 */
/**
 * The bid a maker makes at its smile less its spread, priced at the chain time it read: a block
 * may come between its quote and this read (Ethereum's every 500 ms), so each of the last few
 * seconds of chain time is a candidate, and the bid must be exactly one of them.
 */
async function expectedBids(p: { key: ChainKey; maker: keyof typeof expectedSpecs; series: Series; amountE8: bigint }): Promise<bigint[]> {
  const block = await clientOf(p.key).getBlock()
  return Promise.all([0n, 1n, 2n, 3n, 4n, 5n].map((back) => expectedBid({ ...p, atSec: block.timestamp - back })))
}

async function expectedBid(p: {
  key: ChainKey
  maker: keyof typeof expectedSpecs
  series: Series
  amountE8: bigint
  atSec?: bigint
}): Promise<bigint> {
  const client = clientOf(p.key)
  const [[, spotE8], latest] = await Promise.all([
    client.readContract({ address: devnet.manifest.chains[p.key].contracts.ethUsdFeed, abi: feedAbi, functionName: 'latestRoundData' }),
    client.getBlock(),
  ])
  const block = { timestamp: p.atSec ?? latest.timestamp }
  const spot = Number(spotE8) / 1e8
  const strike = Number(p.series.strikeE8) / 1e8
  const { svi, spreadBps } = expectedSpecs[p.maker]
  const vol = Math.sqrt(sviTotalVariance(svi, Math.log(strike / spot)))
  const timeYears = Number(p.series.expirySec - block.timestamp) / (365 * 86_400)
  const model = bsmPrice({ kind: 'call', spot, strike, timeYears, vol, rate: 0 })
  const perOption = model * (1 - spreadBps / 10_000)
  return BigInt(Math.floor((perOption * 1e6 * Number(p.amountE8)) / 1e8))
}

const ok = (bids: Awaited<ReturnType<typeof requestQuotes>>) =>
  bids.map((b) => {
    if (b.status !== 'ok') throw new Error(`${b.maker}: ${b.status} (${b.reason})`)
    return b
  })

async function setKnobs(maker: RfqMakerEntry, patch: Record<string, unknown>): Promise<Response> {
  return fetch(new URL('control', maker.url), { method: 'POST', body: JSON.stringify(patch) })
}

describe('the devnet RFQ makers', () => {
  test('run as two processes recorded in the manifest, each signing with its own role key', () => {
    expect(rfq.makers.map((m) => [m.id, m.address])).toEqual([
      ['maker-a', accounts.rfqMakerA.address],
      ['maker-b', accounts.rfqMakerB.address],
    ])
    expect(rfq.makers.every((m) => isProcessAlive(m.pid))).toBe(true)
    expect(new Set(rfq.makers.map((m) => new URL(m.url).port)).size).toBe(2)
    // No key in the manifest's RFQ section.
    expect(JSON.stringify(rfq)).not.toMatch(/0x[0-9a-fA-F]{64}/)
  })

  test('each bids on ethereum and on arbitrum with a valid order at its own smile less its spread; the narrower maker-b bids more', async () => {
    const amountE8 = 10n * E8
    for (const key of ['ethereum', 'arbitrum'] as const) {
      const series = await createCallSeries(key, 3_100n)
      const req = await sellRequest({ key, series, amountE8 })
      const [a, b] = ok(await requestQuotes(rfq.makers, req))
      for (const bid of [a!, b!]) expect(checkOrder(bid.order, req)).toBeNull()
      expect([a!.order.signerWallet, b!.order.signerWallet]).toEqual([accounts.rfqMakerA.address, accounts.rfqMakerB.address])
      expect(await expectedBids({ key, maker: 'maker-a', series, amountE8 })).toContain(a!.signerAmount)
      expect(await expectedBids({ key, maker: 'maker-b', series, amountE8 })).toContain(b!.signerAmount)
      expect(b!.signerAmount).toBeGreaterThan(a!.signerAmount)
    }
  })

  test('refuses a chain or a swap contract it does not quote on', async () => {
    const series = await createCallSeries('base', 3_100n)
    const req = await sellRequest({ key: 'base', series, amountE8: E8 })
    const otherContract = await requestQuotes(rfq.makers, { ...req, swapContract: devnet.manifest.chains.base.contracts.usdc })
    // The makers' own JSON-RPC errors, not a transport failure.
    expect(otherContract.map((b) => [b.maker, b.status, b.status === 'ok' ? '' : b.reason])).toEqual([
      ['maker-a', 'refused', 'unknown swap contract'],
      ['maker-b', 'refused', 'unknown swap contract'],
    ])
    const otherChain = await requestQuotes(rfq.makers, { ...req, chainId: 10 })
    expect(otherChain.map((b) => [b.status, b.status === 'ok' ? '' : b.reason])).toEqual([
      ['refused', 'no market on chain 10'],
      ['refused', 'no market on chain 10'],
    ])
    expect(ok(await requestQuotes(rfq.makers, req))).toHaveLength(2)
  })

  test('a maker told to refuse over POST /control answers with an error until told otherwise', async () => {
    const series = await createCallSeries('ethereum', 3_200n)
    const req = await sellRequest({ key: 'ethereum', series, amountE8: 2n * E8 })
    const [makerA] = rfq.makers
    expect((await setKnobs(makerA!, { refuse: 'yes' })).status).toBe(400)
    expect((await setKnobs(makerA!, { refuse: true })).status).toBe(200)
    try {
      const bids = await requestQuotes(rfq.makers, req)
      expect(bids.map((b) => [b.maker, b.status, b.status === 'ok' ? '' : b.reason])).toEqual([
        ['maker-a', 'refused', 'not quoting'],
        ['maker-b', 'ok', ''],
      ])
    } finally {
      expect((await setKnobs(makerA!, { refuse: false })).status).toBe(200)
    }
    expect(ok(await requestQuotes(rfq.makers, req))).toHaveLength(2)
  })

  test('a killed maker is started again by devnetUp, recorded with its new pid, and quotes again', async () => {
    const [makerA, makerB] = rfq.makers as [RfqMakerEntry, RfqMakerEntry]
    await killProcessGroup(makerB.pid)
    expect(isProcessAlive(makerB.pid)).toBe(false)
    const series = await createCallSeries('arbitrum', 2_900n)
    const amountE8 = 3n * E8
    const before = await requestQuotes(rfq.makers, await sellRequest({ key: 'arbitrum', series, amountE8 }))
    expect(before.map((b) => [b.maker, b.status])).toEqual([
      ['maker-a', 'ok'],
      ['maker-b', 'refused'],
    ])

    const lines: string[] = []
    const up = await devnetUp({ stateDir, log: (line) => lines.push(line) })
    expect(up.status, lines.join('\n')).toBe('resumed')
    const makers = readRfqSection(readManifest(stateDir)!)!.makers
    expect(makers.map((m) => m.id)).toEqual(['maker-a', 'maker-b'])
    expect(makers[0]).toEqual(makerA)
    expect(makers[1]!.pid).not.toBe(makerB.pid)
    expect(isProcessAlive(makers[1]!.pid)).toBe(true)

    const req = await sellRequest({ key: 'arbitrum', series, amountE8 })
    const [, b] = ok(await requestQuotes(makers, req))
    expect(checkOrder(b!.order, req)).toBeNull()
    expect(await expectedBids({ key: 'arbitrum', maker: 'maker-b', series, amountE8 })).toContain(b!.signerAmount)

    // Everything runs again: a second up has nothing to do.
    expect((await devnetUp({ stateDir, log: () => {} })).status).toBe('already-running')
  })

  test('stopDevnet stops the maker processes with the chains', async () => {
    const makers = readRfqSection(readManifest(stateDir)!)!.makers
    const { stoppedPids } = await stopDevnet(stateDir)
    for (const m of makers) expect(stoppedPids).toContain(m.pid)
    expect(makers.some((m) => isProcessAlive(m.pid))).toBe(false)
  })
})
