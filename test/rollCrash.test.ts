import { defaultPayloadConverter } from '@temporalio/common'
import { type Address, erc20Abi, getAddress, type Hex, parseAbiItem, parseEventLogs } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { controllerAbi } from '../adapters/opyn-gamma/abis.ts'
import { readVaults } from '../adapters/opyn-gamma/gamma.ts'
import type { MandateInput } from '../agent/mandate/schema.ts'
import type { RollRecord } from '../agent/options/rolls.ts'
import { readRfqSection } from '../chains/devnet/rfq/deploy.ts'
import { portfolioWorkflowId, waitForStatus } from '../temporal/client.ts'
import { gammaDeployments } from '../temporal/optionVenues.ts'
import { ethTarget, type Stack, startAndObserve, startStack, testMandate, type WorkerProcess } from './fixtures/stack.ts'

/**
 * A worker process SIGKILLed in the middle of a roll, as soon as the mint is mined and before the
 * roll saga has finished: a new worker resumes the saga from its history, so the treasury ends
 * with one vault, one sale to one maker, and the premium recorded is what that sale paid.
 */

const ETH = 10n ** 18n
const SIZE_E8 = 2n * 10n ** 8n
// Marked on maker-a's surface, as in test/rolls.test.ts: both makers bid.
const mark = { a: 0.46, b: 0.05, rho: -0.3, m: 0, sigma: 0.2 }
// SwapERC20's own event names no sender: the transaction's `from` tells who took the order.
const swapErc20Event = parseAbiItem('event SwapERC20(uint256 indexed nonce, address indexed signerWallet)')
// temporal.api.enums.v1: PENDING_ACTIVITY_STATE_STARTED, PENDING_WORKFLOW_TASK_STATE_STARTED.
const ACTIVITY_STARTED = 2
const WORKFLOW_TASK_STARTED = 2

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ name: 'roll-crash', devnet: { treasury: 'safe' } })
})
afterAll(async () => {
  await stack?.stop()
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('a worker killed mid-roll', () => {
  test('no double mint, no double sale: the new worker resumes the saga and sells once', { timeout: 600_000 }, async () => {
    const client = stack.chains.base.publicClient
    const d = gammaDeployments(stack.environment).base!
    const rfq = readRfqSection(stack.manifest)!
    const swapErc20 = rfq.chains.base!.swapErc20
    const balanceOf = (token: Address, owner: Address) =>
      client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [owner] })
    const vaultCounter = () =>
      client.readContract({ address: d.controller, abi: controllerAbi, functionName: 'getAccountVaultCounter', args: [stack.treasury] })

    const vaultsBefore = await vaultCounter()
    const fromBlock = (await client.getBlockNumber()) + 1n
    const nonceBefore = await client.getTransactionCount({ address: signer() })
    const before = await stack.balances('base')

    const workerA = stack.spawnWorkerProcess()
    const mandate = await coveredCallMandate('roll-crash')
    const { controls } = await startAndObserve(stack, mandate)

    // The roll runs in the first cycle; the kill follows the mint's receipt by one poll at most.
    const killed = await killWhenMinted({ worker: workerA, vaultCounter, vaultsBefore })
    expect(killed.vaults).toBe(vaultsBefore + 1n)
    const killBlock = await client.getBlockNumber()
    const nonceAtKill = await client.getTransactionCount({ address: signer() })
    const salesAtKill = (await client.getLogs({ address: swapErc20, event: swapErc20Event, fromBlock })).length

    // The roll had not finished in workflow terms: its child still runs, so its record is 'rolling'
    // (the portfolio sets 'rolling' before it starts the child and changes it only from the child's result).
    const rollId = await rollChildOf(portfolioWorkflowId(mandate.portfolio))
    const rollHandle = stack.client.workflow.getHandle(rollId)
    const atKill = await rollHandle.describe()
    expect(atKill.status.name).toBe('RUNNING')
    const pendingAtKill = (atKill.raw.pendingActivities ?? []).map((a) => ({
      activityId: a.activityId ?? '',
      type: a.activityType?.name ?? '',
      started: Number(a.state) === ACTIVITY_STARTED,
      attempt: a.attempt ?? 1,
    }))
    const workflowTaskStartedAtKill = Number(atKill.raw.pendingWorkflowTask?.state ?? 0) === WORKFLOW_TASK_STARTED

    const workerB = stack.spawnWorkerProcess()
    const done = await waitForStatus({
      status: controls.status,
      done: (s) => (s.rolls ?? []).some((r) => r.id === rollId && r.status !== 'rolling'),
      timeoutMs: 300_000,
      what: 'the roll to finish on the new worker',
    }).catch((err: Error) => Promise.reject(new Error(`${err.message}\nworker B log:\n${workerB.stderr().slice(-3000)}`)))
    expect(done.rolls).toHaveLength(1)
    const roll: RollRecord = done.rolls![0]!
    expect(roll, roll.error).toMatchObject({ status: 'sold', proposal: { chain: 'base', amountE8: SIZE_E8.toString() } })
    // The same roll child, resumed: one start in the portfolio's history, the same run.
    expect(await rollChildOf(portfolioWorkflowId(mandate.portfolio))).toBe(rollId)
    const finished = await rollHandle.describe()
    expect([finished.runId, finished.status.name]).toEqual([atKill.runId, 'COMPLETED'])

    // One new vault, short exactly the size, holding exactly 2 WETH.
    expect(await vaultCounter()).toBe(vaultsBefore + 1n)
    expect(roll.vaultId).toBe((vaultsBefore + 1n).toString())
    const otoken = getAddress(roll.otoken!)
    const vault = (await readVaults(client, d, stack.treasury)).find((v) => v.id === vaultsBefore + 1n)!
    expect(vault.short).toEqual({ otoken, amountE8: SIZE_E8 })
    expect(vault.collateral).toEqual({ asset: getAddress(stack.manifest.chains.base.contracts.weth), amount: 2n * ETH })

    // Sold once, to one maker: it holds the whole size, the other maker and the treasury none.
    expect(rfq.makers).toHaveLength(2)
    const maker = rfq.makers.find((m) => m.id === roll.maker)!
    const other = rfq.makers.find((m) => m.id !== roll.maker)!
    expect(await balanceOf(otoken, stack.treasury)).toBe(0n)
    expect(await balanceOf(otoken, maker.address)).toBe(SIZE_E8)
    expect(await balanceOf(otoken, other.address)).toBe(0n)

    // Exactly one SwapERC20 settlement, sent by the treasury, signed by that maker, paying the premium recorded.
    const swaps = await client.getLogs({ address: swapErc20, event: swapErc20Event, fromBlock })
    expect(swaps).toHaveLength(1)
    const sale = await saleOf({ hash: swaps[0]!.transactionHash, swapErc20 })
    expect(swaps[0]!.args.signerWallet).toBe(getAddress(maker.address))
    expect(sale.from).toBe(signer())
    expect(sale.usdcFrom).toEqual([getAddress(maker.address)])
    expect(sale.usdcReceived).toBeGreaterThan(0n)
    expect(BigInt(roll.premiumUsdc!)).toBe(sale.usdcReceived)
    expect(roll.txHashes).toContain(swaps[0]!.transactionHash)
    const after = await stack.balances('base')
    expect(after.usdc - before.usdc).toBe(sale.usdcReceived)
    expect(before.weth - after.weth).toBe(2n * ETH)

    // Every transaction the treasury sent on Base is one of the roll's, each once.
    expect(new Set(roll.txHashes).size).toBe(roll.txHashes!.length)
    expect((await client.getTransactionCount({ address: signer() })) - nonceBefore).toBe(roll.txHashes!.length)

    // The saga resumed rather than restarted: one signing per step, each signed transaction
    // submitted by one activity (its retries included), no second sale and no burn.
    const history = await activitiesOf(rollId)
    const prepares = history.activities.filter((a) => a.type === 'prepareOptionAction')
    expect(prepares.map((a) => a.input.idempotencyKey)).toEqual([`${rollId}-series`, `${rollId}-mint`, `${rollId}-sale-1`])
    const submits = history.activities.filter((a) => a.type === 'submitTx').map((a) => (a.input as { prepared: PreparedJson }).prepared)
    expect(submits.map((p) => p.hash)).toEqual(roll.txHashes)
    // The mint's approval and operate go to the Safe as one MultiSend batch: one transaction.
    expect(submits.filter((p) => p.idempotencyKey === `${rollId}-mint`).map((p) => p.index)).toEqual([0])
    // What the dead worker was running at the kill was retried on the new one.
    for (const p of pendingAtKill.filter((x) => x.started)) {
      const a = history.activities.find((x) => x.activityId === p.activityId)!
      expect(a.startedAttempt, `${p.type} ${p.activityId}`).toBeGreaterThan(p.attempt)
    }
    if (workflowTaskStartedAtKill) expect(history.workflowTaskTimeouts).toBeGreaterThan(0)

    // Where the kill landed: the roll's transactions mined by the kill's block, and the sale's state.
    const stage = await Promise.all(
      submits.map(async (p) => {
        const mined = (await client.getTransactionReceipt({ hash: p.hash })).blockNumber <= killBlock
        return `${p.idempotencyKey.slice(rollId.length + 1)}#${p.index}${mined ? '' : ' (after)'}`
      }),
    )
    expect(nonceAtKill - nonceBefore).toBe(stage.filter((s) => !s.endsWith('(after)')).length)
    console.log(
      `[rollCrash] killed ${killed.afterMs} ms after the portfolio started (poll gap ${killed.pollGapMs} ms); ` +
        `roll transactions: ${stage.join(', ')}; sale mined at the kill: ${salesAtKill > 0}; ` +
        `pending at the kill: ${pendingAtKill.map((p) => `${p.type} ${p.started ? 'started' : 'scheduled'} #${p.attempt}`).join(', ') || 'no activity'}, ` +
        `workflow task started: ${workflowTaskStartedAtKill}; workflow task timeouts: ${history.workflowTaskTimeouts}; retried: ${
          history.activities
            .filter((a) => (a.startedAttempt ?? 1) > 1)
            .map(
              (a) =>
                `${a.type} (${String(a.input.idempotencyKey ?? (a.input as { prepared?: PreparedJson }).prepared?.idempotencyKey)}) #${a.startedAttempt}`,
            )
            .join(', ') || 'nothing'
        }`,
    )
    await controls.stop('test over')
    await workerB.kill()
  })
})

async function coveredCallMandate(portfolio: string): Promise<MandateInput & { portfolio: string }> {
  return testMandate({
    portfolio,
    treasury: stack.treasury,
    targetEth: ethTarget((await stack.exposure()).deltaWei),
    // Wide enough that the cycle never hedges: the roll's transactions are the treasury's only ones.
    bandEth: '1000',
    options: {
      chains: ['base'],
      strategies: [
        { kind: 'covered-call', sizeEth: '2', callDelta: 0.25, expiry: { weekday: 'friday' }, minPremiumUsdc: '1', maxDiscountBps: 1000 },
      ],
      objectives: { gammaFloor: -1, vegaLimitUsdc: '100000', thetaTargetUsdcPerDay: '1' },
      mark: { svi: mark },
    },
  }) as MandateInput & { portfolio: string }
}

/** Polls the treasury's Gamma vault counter and SIGKILLs the worker's process group the moment it grows. */
async function killWhenMinted(p: {
  worker: WorkerProcess
  vaultCounter: () => Promise<bigint>
  vaultsBefore: bigint
}): Promise<{ vaults: bigint; afterMs: number; pollGapMs: number }> {
  const startedAt = Date.now()
  let last = startedAt
  while (Date.now() < startedAt + 240_000) {
    const vaults = await p.vaultCounter()
    if (vaults > p.vaultsBefore) {
      const pollGapMs = Date.now() - last
      await p.worker.kill()
      return { vaults, afterMs: Date.now() - startedAt, pollGapMs }
    }
    last = Date.now()
    await sleep(50)
  }
  throw new Error(`no vault was opened within 240 s; worker log:\n${p.worker.stderr().slice(-3000)}`)
}

/** keel's key: it signs (its nonces) and acts for the Safe that holds the book. */
const signer = () => getAddress(stack.manifest.chains.base.accounts.treasury)

/** The id of the only roll child the portfolio started, from its history (readable without a worker). */
async function rollChildOf(portfolioId: string): Promise<string> {
  const history = await stack.client.workflow.getHandle(portfolioId).fetchHistory()
  const rolls = (history.events ?? [])
    .map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)
    .filter((a) => a?.workflowType?.name === 'rollWorkflow')
    .map((a) => a!.workflowId!)
  expect(rolls).toHaveLength(1)
  return rolls[0]!
}

/** Who sent a sale, and the USDC it paid the treasury (and from whom), read from its receipt's Transfer events. */
async function saleOf(p: { hash: Hex; swapErc20: Address }): Promise<{ from: Address; usdcReceived: bigint; usdcFrom: Address[] }> {
  const client = stack.chains.base.publicClient
  const usdc = getAddress(stack.manifest.chains.base.contracts.usdc)
  const [tx, receipt] = await Promise.all([client.getTransaction({ hash: p.hash }), client.getTransactionReceipt({ hash: p.hash })])
  // The Safe trades through its Roles module (approval and swap in one MultiSend batch): the sale is SwapERC20's event in the receipt.
  expect(receipt.logs.some((l) => getAddress(l.address) === getAddress(p.swapErc20))).toBe(true)
  expect(receipt.status).toBe('success')
  const paid = parseEventLogs({ abi: erc20Abi, eventName: 'Transfer', logs: receipt.logs }).filter(
    (l) => getAddress(l.address) === usdc && getAddress(l.args.to) === getAddress(stack.treasury),
  )
  return {
    from: getAddress(tx.from),
    usdcReceived: paid.reduce((sum, l) => sum + l.args.value, 0n),
    usdcFrom: [...new Set(paid.map((l) => getAddress(l.args.from)))],
  }
}

type PreparedJson = { hash: Hex; description: string; idempotencyKey: string; index: number }

/** One activity of a workflow's history: its input, and the attempt that finally ran it. */
type ActivityEvent = { activityId: string; type: string; input: Record<string, unknown>; startedAttempt: number | null }

async function activitiesOf(workflowId: string): Promise<{ activities: ActivityEvent[]; workflowTaskTimeouts: number }> {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory()
  const byEventId = new Map<string, ActivityEvent>()
  let workflowTaskTimeouts = 0
  for (const e of history.events ?? []) {
    const scheduled = e.activityTaskScheduledEventAttributes
    if (scheduled) {
      const payload = scheduled.input?.payloads?.[0]
      byEventId.set(String(e.eventId), {
        activityId: scheduled.activityId ?? '',
        type: scheduled.activityType?.name ?? '',
        input: payload ? defaultPayloadConverter.fromPayload<Record<string, unknown>>(payload) : {},
        startedAttempt: null,
      })
    }
    const started = e.activityTaskStartedEventAttributes
    if (started) byEventId.get(String(started.scheduledEventId))!.startedAttempt = started.attempt ?? null
    if (e.workflowTaskTimedOutEventAttributes) workflowTaskTimeouts++
  }
  return { activities: [...byEventId.values()], workflowTaskTimeouts }
}
