import { createWalletClient, http } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createSeriesCall, openShortCalls } from '../adapters/opyn-gamma/gamma.ts'
import { bsmGreeks } from '../agent/risk/blackScholes.ts'
import { sviTotalVariance } from '../agent/risk/svi.ts'
import { devnetAccounts } from '../chains/devnet/devnetClients.ts'
import { portfolioControls, waitForStatus } from '../temporal/client.ts'
import { gammaDeployments } from '../temporal/optionVenues.ts'
import { ethTarget, type Stack, startAndObserve, startStack, testMandate } from './fixtures/stack.ts'

const ETH = 10n ** 18n
const E8 = 10n ** 8n
const DAY = 86_400n
const mark = { a: 0.45, b: 0.05, rho: -0.3, m: 0, sigma: 0.2 }

let stack: Stack
let strikeUsd = 0
let expirySec = 0n

beforeAll(async () => {
  stack = await startStack({ name: 'book' })
  // Before keel's workers hold the treasury key: write 10 covered calls on Ethereum through the adapter.
  const { publicClient } = stack.chains.ethereum
  const d = gammaDeployments(stack.environment).ethereum!
  const wallet = createWalletClient({
    account: devnetAccounts().treasury,
    chain: publicClient.chain,
    transport: http(stack.manifest.chains.ethereum.rpcUrl),
  })
  const now = (await publicClient.getBlock()).timestamp
  expirySec = ((now + 5n * DAY) / DAY + 1n) * DAY + 8n * 3600n
  strikeUsd = 3_200
  const created = await createSeriesCall(publicClient, d, { isPut: false, strikeE8: BigInt(strikeUsd) * E8, expirySec })
  const holder = stack.manifest.chains.ethereum.accounts.arbitrageur
  for (const c of [
    created.call,
    ...openShortCalls(d, { series: created.series, owner: stack.treasury, vaultId: 1n, amountE8: 10n * E8, to: holder }),
  ]) {
    const hash = await wallet.sendTransaction({ to: c.to, data: c.data })
    expect((await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 100 })).status).toBe('success')
  }
  await stack.startWorkers()
})

afterAll(async () => {
  await stack?.stop()
})

describe('the hedge loop with an option book', () => {
  test('counts the short calls’ delta (their WETH collateral still ETH) and hedges the whole book back to its target', async () => {
    // Spot and LP delta as keel saw them before the book: the WETH in the vault is gone from the treasury's balance.
    const withoutBook = (await stack.exposure()).deltaWei
    const target = withoutBook + 10n * ETH
    const mandate = testMandate({
      portfolio: 'book',
      treasury: stack.treasury,
      targetEth: ethTarget(target),
      bandEth: '1',
      options: {
        chains: ['ethereum'],
        strategies: [
          // A premium floor no roll can reach: this test is about the book written above, not about rolls.
          {
            kind: 'covered-call',
            sizeEth: '10',
            callDelta: 0.25,
            expiry: { weekday: 'friday' },
            minPremiumUsdc: '1000000',
            maxDiscountBps: 500,
          },
        ],
        objectives: { gammaFloor: -1, vegaLimitUsdc: '100000', thetaTargetUsdcPerDay: '1' },
        mark: { svi: mark },
        hedgePolicy: 'band',
      },
    })
    const { controls } = await startAndObserve(stack, mandate)
    const s = await waitForStatus({
      status: controls.status,
      done: (x) => x.hedges.length > 0 || x.cyclesCompleted >= 2,
      what: 'a hedge of the book',
    })
    const first = s.hedges[0]!
    expect(first, s.lastDecision ?? '').toMatchObject({ status: 'completed', direction: 'buy-eth' })
    // Before the hedge: the book's delta was the target less ten calls' delta.
    const spot = 3_000
    const vol = Math.sqrt(sviTotalVariance(mark, Math.log(strikeUsd / spot)))
    const callDelta = bsmGreeks({
      kind: 'call',
      spot,
      strike: strikeUsd,
      timeYears: Number(expirySec - BigInt(first.atChainTimeSec)) / (365 * 86_400),
      vol,
      rate: 0,
    }).delta
    expect(Number(target - BigInt(first.deltaBeforeWei)) / 1e18).toBeCloseTo(10 * callDelta, 1)
    const done = await waitForStatus({
      status: controls.status,
      done: (x) => x.lastObservation?.insideBand === true,
      what: 'the book back in its band',
    })
    const eth = done.lastObservation!.chains.find((c) => c.chain === 'ethereum')!
    expect(eth.options).toBeDefined()
    expect(Number(BigInt(eth.options!.deltaWei)) / 1e18).toBeCloseTo(10 - 10 * callDelta, 1)
    expect(done.lastObservation!.theta).toBeGreaterThan(0)
    expect(done.rolls ?? []).toEqual([])
    expect(done.lastOptionNote).toMatch(/below the minimum 1000000\.00/)
    await portfolioControls(stack.client, 'book').stop('test over')
  })
})
