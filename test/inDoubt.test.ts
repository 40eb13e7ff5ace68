import { historyToJSON } from '@temporalio/common/lib/proto-utils.js'
import { createWalletClient, erc20Abi, type Hex, http, parseTransaction } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { parseMandate } from '../agent/mandate/schema.ts'
import { portfolioControls, startPortfolio, waitForStatus } from '../temporal/client.ts'
import type { PortfolioStatus } from '../workflows/portfolioWorkflow.ts'
import { runKeel } from './fixtures/cli.ts'
import { type RpcProxy, startRpcProxy } from './fixtures/rpcProxy.ts'
import { ethTarget, type Stack, startStack, testMandate, type WorkerProcess } from './fixtures/stack.ts'

// A hosted provider's API key, in the path and the query of Base's RPC URL: it must never leave
// the process that holds it (errors, logs, status, workflow history, CLI output).
const SECRET = 'opensesame-7f3a'
const PORTFOLIO = 'in-doubt'

let stack: Stack
let proxy: RpcProxy
let worker: WorkerProcess
let env: NodeJS.ProcessEnv
const seenErrors: string[] = []

beforeAll(async () => {
  stack = await startStack({ name: 'in-doubt' })
  proxy = await startRpcProxy({ upstream: stack.manifest.chains.base.rpcUrl, secret: SECRET })
  env = { ...stack.liveEnv({ base: proxy.url }), TEMPORAL_ADDRESS: stack.temporal.address, KEEL_STATE_DIR: stack.stateDir }
  // WARN: activity failures are logged, so the test can see that the log holds them, redacted.
  worker = stack.spawnWorkerProcess({ env: { ...env, KEEL_LOG_LEVEL: 'WARN' } })
  const baseDelta = (await stack.exposure()).chains.find((c) => c.chain === 'base')!.deltaWei
  const mandate = testMandate({ portfolio: PORTFOLIO, treasury: stack.treasury, targetEth: ethTarget(baseDelta), bandEth: '3' })
  mandate.chains = { base: { treasury: stack.treasury } }
  await startPortfolio({ client: stack.client, mandate, taskQueuePrefix: stack.taskQueuePrefix, submitAttempts: 3 })
  await waitForStatus({ status: controls().status, done: (s) => s.cyclesCompleted >= 1, timeoutMs: 180_000 })
})

afterAll(async () => {
  await proxy?.close()
  await stack?.stop()
})

const controls = () => portfolioControls(stack.client, PORTFOLIO)
const base = () => stack.chains.base.publicClient
const nonce = () => base().getTransactionCount({ address: stack.treasury })
const router = () => stack.manifest.chains.base.contracts.swapRouter.toLowerCase()
const isSwap = (params: unknown[]) => parseTransaction(params[0] as Hex).to?.toLowerCase() === router()
const isApprove = (params: unknown[]) => !isSwap(params)

/** A history as text with every payload decoded: details and results are base64 JSON inside it. */
function readable(historyJson: string): string {
  return JSON.stringify(JSON.parse(historyJson), (key, value) =>
    key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value,
  )
}

/** The treasury's owners take back any WETH/USDC allowance to the router (outside keel, with the same key). */
async function revokeRouterAllowance(): Promise<void> {
  const c = stack.manifest.chains.base
  const wallet = createWalletClient({ account: privateKeyToAccount(stack.manifest.devKeys.treasury), transport: http(c.rpcUrl) })
  for (const token of [c.contracts.weth, c.contracts.usdc]) {
    const hash = await wallet.writeContract({
      chain: base().chain,
      address: token,
      abi: erc20Abi,
      functionName: 'approve',
      args: [c.contracts.swapRouter, 0n],
    })
    await base().waitForTransactionReceipt({ hash, pollingInterval: 100 })
  }
}

/** Shocks the price and wakes the loop until its status satisfies `done`; records every error it shows. */
async function shockUntil(pct: number, done: (s: PortfolioStatus) => boolean, what: string): Promise<PortfolioStatus> {
  await stack.sim.shock({ pct })
  await controls().wake()
  return waitForStatus({
    status: async () => {
      const s = await controls().status()
      if (s.lastError) seenErrors.push(s.lastError)
      return s
    },
    done,
    timeoutMs: 180_000,
    what,
  })
}

describe('a send that ends in doubt', () => {
  test('blocks its chain; unblock settles the unsent nonces with cancels before any new work, and the next hedge goes through', async () => {
    const before = await stack.balances('base')
    const n0 = await nonce()
    proxy.setFault({ kind: 'refuse', methods: ['eth_sendRawTransaction'] })
    const blocked = await shockUntil(-3, (s) => s.blockedChains.length > 0, 'the hedge to end in doubt')
    const hedge = blocked.hedges.at(-1)!
    expect(hedge.status).toBe('in-doubt')
    const entry = blocked.blockedChains[0]!
    expect(entry.chain).toBe('base')
    // Signed (approve + swap, or the swap alone) and never broadcast: the chain's nonce did not move.
    const unsettled = entry.unsettled.map((t) => t.nonce)
    expect(unsettled[0]).toBe(n0)
    expect(unsettled).toEqual(unsettled.map((_, i) => n0 + i))
    expect(await nonce()).toBe(n0)

    // While blocked, another shock finds no chain to hedge on; nothing is signed.
    proxy.setFault({ kind: 'none' })
    const held = await shockUntil(-1, (s) => s.cyclesCompleted > blocked.cyclesCompleted, 'a cycle while blocked')
    expect(held.lastDecision).toContain('every chain is blocked')
    expect(await nonce()).toBe(n0)

    const unblock = await runKeel(['unblock', PORTFOLIO, 'base'], env)
    expect(unblock.code).toBe(0)
    const after = await controls().status()
    expect(after.blockedChains).toEqual([])
    const settled = after.hedges.find((h) => h.id === hedge.id)!
    expect(settled.settled?.as).toBe('cancelled')
    expect(settled.status).toBe('failed')
    // Each open nonce was taken by a zero-value cancel: no token moved.
    expect(await nonce()).toBe(n0 + unsettled.length)
    expect(await stack.balances('base')).toEqual(before)

    // Unblocking wakes the loop, still outside the band: the next hedge is signed at the chain's next
    // nonce, so it is mined at once (no gap to wait behind).
    const next = await waitForStatus({ status: controls().status, done: (s) => s.hedges.length > after.hedges.length })
    const fresh = next.hedges.at(-1)!
    expect(fresh.status, fresh.reason ?? '').toBe('completed')
    const first = await base().getTransaction({ hash: fresh.txHashes[0] as Hex })
    expect(first.nonce).toBe(n0 + unsettled.length)
  })

  test('a swap the provider broadcast while answering 503 is found mined when settled, and recorded as the hedge it was', async () => {
    const start = await controls().status()
    const usdcBefore = (await stack.balances('base')).usdc
    proxy.setFault({ kind: 'forward-then-fail', methods: ['eth_sendRawTransaction'], when: isSwap, thenRefuseAll: true })
    const blocked = await shockUntil(-3, (s) => s.blockedChains.length > 0 && s.hedges.length > start.hedges.length, 'the in-doubt swap')
    expect(blocked.hedges.at(-1)!.status).toBe('in-doubt')
    // The outage hides everything, observations included: the loop holds and says why.
    expect(seenErrors.some((e) => /unreachable|unavailable|503/i.test(e))).toBe(true)
    proxy.setFault({ kind: 'none' })
    const unblock = await runKeel(['unblock', PORTFOLIO, 'base'], env)
    expect(unblock.code).toBe(0)
    const after = await controls().status()
    const hedge = after.hedges.find((h) => h.id === blocked.hedges.at(-1)!.id)!
    expect(hedge.settled?.as).toBe('landed')
    expect(hedge.status).toBe('completed')
    // What the record says the swap paid out is exactly what the treasury received.
    expect((await stack.balances('base')).usdc - usdcBefore).toBe(BigInt(hedge.amountOut))
    expect(BigInt(hedge.amountOut)).toBeGreaterThan(0n)
    expect(after.blockedChains).toEqual([])
  })

  test('a definite refusal of the first transaction of a batch cancels what was signed behind it, leaving no nonce gap', async () => {
    // No allowance left to the router, so the hedge is a batch: approve, then swap.
    await revokeRouterAllowance()
    const start = await controls().status()
    const n0 = await nonce()
    const before = await stack.balances('base')
    proxy.setFault({
      kind: 'rpc-error',
      methods: ['eth_sendRawTransaction'],
      when: isApprove,
      error: { code: -32000, message: 'insufficient funds for gas * price + value' },
    })
    const failed = await shockUntil(-3, (s) => s.hedges.length > start.hedges.length, 'the refused hedge')
    const hedge = failed.hedges.at(-1)!
    expect(hedge.status).toBe('failed')
    expect(hedge.reason).toContain('Executor.InsufficientFundsError')
    expect(failed.blockedChains).toEqual([])
    // Approve and swap were signed at n0 and n0 + 1; neither was sent, both nonces were cancelled.
    expect(await nonce()).toBe(n0 + 2)
    expect(await stack.balances('base')).toEqual(before)
    const next = await shockUntil(-1, (s) => s.hedges.length > failed.hedges.length, 'the hedge after the refusal')
    expect(next.hedges.at(-1)!.status).toBe('completed')
  })

  test('the provider key never reaches status, workflow history, CLI output or the worker log', async () => {
    // A provider that answers eth_chainId but fails reads with 503: viem's error quotes the URL it called.
    proxy.setFault({ kind: 'refuse', methods: ['eth_call'] })
    const start = (await controls().status()).cyclesCompleted
    await controls().wake()
    const failing = await waitForStatus({ status: controls().status, done: (s) => s.cyclesCompleted > start && s.lastError !== null })
    seenErrors.push(failing.lastError!)
    expect(failing.lastError).toMatch(/ReadFailed|unavailable/i)
    proxy.setFault({ kind: 'none' })
    // Positive controls: the key was in use, failures did happen and were recorded.
    expect(proxy.requestsWithSecret).toBeGreaterThan(10)
    expect(seenErrors.length).toBeGreaterThan(0)

    const status = JSON.stringify(await controls().status())
    expect(status).not.toContain(SECRET)

    let failures = 0
    const histories: string[] = []
    for await (const wf of stack.client.workflow.list()) {
      const history = readable(historyToJSON(await stack.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory()))
      failures += (history.match(/activityTaskFailedEventAttributes|lastFailure/g) ?? []).length
      histories.push(history)
    }
    expect(failures).toBeGreaterThan(0)
    for (const h of histories) expect(h).not.toContain(SECRET)

    // The CLI, in its success and failure paths: status, and a run refused because Base does not answer.
    proxy.setFault({ kind: 'refuse', methods: 'all' })
    const cli = [
      await runKeel(['status', PORTFOLIO], env),
      await runKeel(['status', PORTFOLIO, '--json'], env),
      await runKeel(['run', 'examples/mandate.yaml', '--task-queue-prefix', stack.taskQueuePrefix], env),
    ]
    proxy.setFault({ kind: 'none' })
    expect(cli[2]!.code).toBe(1)
    expect(cli[2]!.stderr).toContain('chains.base')
    for (const out of cli) {
      expect(out.stdout + out.stderr).not.toContain(SECRET)
      expect(out.stderr).not.toMatch(/\n\s+at /) // no stack trace
    }
    expect(worker.stderr()).toMatch(/Activity failed \(submitTx\): .*unavailable/i)
    expect(worker.stderr()).not.toContain(SECRET)
    expect(parseMandate(JSON.parse(status).mandate).portfolio).toBe(PORTFOLIO)
  })
})
