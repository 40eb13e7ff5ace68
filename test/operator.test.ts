import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { WorkflowUpdateFailedError } from '@temporalio/client'
import { ApplicationFailure } from '@temporalio/common'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { stringify } from 'yaml'
import type { MandateInput } from '../agent/mandate/schema.ts'
import { chainKeys } from '../chains/types.ts'
import { portfolioControls, startPortfolio, waitForStatus } from '../temporal/client.ts'
import { runKeel } from './fixtures/cli.ts'
import { ethTarget, type Stack, startStack, testMandate } from './fixtures/stack.ts'
import { holdBlocks, releaseBlocks } from './fixtures/swaps.ts'

const PORTFOLIO = 'ops'
let stack: Stack
let env: NodeJS.ProcessEnv
let mandate: MandateInput & { portfolio: string }

beforeAll(async () => {
  stack = await startStack({ name: 'operator' })
  await stack.startWorkers()
  env = { TEMPORAL_ADDRESS: stack.temporal.address, KEEL_STATE_DIR: stack.stateDir }
  const delta = (await stack.exposure()).deltaWei
  mandate = testMandate({ portfolio: PORTFOLIO, treasury: stack.treasury, targetEth: ethTarget(delta), bandEth: '10' })
  const run = await runKeel(['run', file('ops.yaml', mandate), '--task-queue-prefix', stack.taskQueuePrefix], env)
  expect(run.code, run.stderr).toBe(0)
  await waitForStatus({ status: controls().status, done: (s) => s.cyclesCompleted >= 1 })
})

afterAll(async () => {
  await stack?.stop()
})

const controls = () => portfolioControls(stack.client, PORTFOLIO)
const file = (name: string, m: unknown): string => {
  const path = join(stack.stateDir, name)
  writeFileSync(path, stringify(m))
  return path
}
const nonces = () => Promise.all(chainKeys.map((c) => stack.chains[c].publicClient.getTransactionCount({ address: stack.treasury })))

describe('keel update', () => {
  test('keeps a paused portfolio paused when the new file says paused: false, and says so', async () => {
    expect((await runKeel(['pause', PORTFOLIO, '--reason', 'test'], env)).code).toBe(0)
    const out = await runKeel(
      ['update', PORTFOLIO, file('unpause.yaml', { ...mandate, paused: false, hedge: { ...mandate.hedge, maxSlippageBps: 45 } })],
      env,
    )
    expect(out.code, out.stderr).toBe(0)
    expect(out.stdout).toContain('the portfolio stays paused (use keel resume)')
    const s = await controls().status()
    expect(s.paused).toBe(true)
    expect(s.mandate.hedge.maxSlippageBps).toBe(45)
    // Still paused: a shock and a wake trade nothing.
    const before = await nonces()
    await stack.sim.shock({ pct: -3 })
    await controls().wake()
    await new Promise((r) => setTimeout(r, 3_000))
    expect(await nonces()).toEqual(before)
    expect((await controls().status()).cyclesCompleted).toBe(s.cyclesCompleted)
  })

  test('shows what dropping a chain does and applies it only when confirmed', async () => {
    const { arbitrum: _dropped, ...twoChains } = mandate.chains
    const dropped = file('drop.yaml', { ...mandate, chains: twoChains })
    const before = await controls().status()
    const arbDelta = before.lastObservation!.chains.find((c) => c.chain === 'arbitrum')!.deltaWei

    const refused = await runKeel(['update', PORTFOLIO, dropped], env)
    expect(refused.code).toBe(1)
    expect(refused.stdout).toContain('arbitrum leaves the portfolio: its delta of')
    expect(refused.stdout).toMatch(/keel would buy about \d+\.\d{3} ETH as soon as it applies/)
    expect(refused.stderr).toContain('needs confirmation')
    expect((await controls().status()).mandate).toEqual(before.mandate)

    // The workflow refuses it too when a client skips the CLI, typed, with the consequences attached.
    const err = await controls()
      .updateMandate({ ...mandate, chains: twoChains })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError)
    const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure
    expect(cause).toBeInstanceOf(ApplicationFailure)
    expect(cause.type).toBe('Keel.ConfirmationRequiredError')
    expect((cause.details?.[0] as { exposureShiftWei?: string } | undefined)?.exposureShiftWei).toBe((-BigInt(arbDelta)).toString())

    const applied = await runKeel(['update', PORTFOLIO, dropped, '--yes'], env)
    expect(applied.code, applied.stderr).toBe(0)
    expect(Object.keys((await controls().status()).mandate.chains).sort()).toEqual(['base', 'ethereum'])
    const back = await runKeel(['update', PORTFOLIO, file('back.yaml', mandate), '--yes'], env)
    expect(back.code, back.stderr).toBe(0)
  })

  test('refuses amounts no treasury could mean, naming the field, and changes nothing', async () => {
    const before = (await controls().status()).mandate
    const absurd = await runKeel(
      ['update', PORTFOLIO, file('absurd.yaml', { ...mandate, delta: { targetEth: `1${'0'.repeat(80)}`, bandEth: '10' } })],
      env,
    )
    expect(absurd.code).toBe(1)
    expect(absurd.stderr).toContain('delta.targetEth')
    expect(absurd.stderr).toContain('more than all the ETH in existence')
    const unreachable = await runKeel(
      ['update', PORTFOLIO, file('big.yaml', { ...mandate, delta: { targetEth: '1000000', bandEth: '10' } })],
      env,
    )
    expect(unreachable.code).toBe(1)
    expect(unreachable.stderr).toContain("delta.targetEth: 1000000.000 ETH is more than the treasury's whole value")
    expect((await controls().status()).mandate).toEqual(before)
  })
})

describe('keel run', () => {
  test('refuses a treasury that is not the signer of its chains, before starting anything', async () => {
    const other = stack.manifest.chains.ethereum.accounts.arbitrageur
    const m = testMandate({ portfolio: 'not-mine', treasury: other, targetEth: '100', bandEth: '10' })
    const out = await runKeel(['run', file('not-mine.yaml', m), '--task-queue-prefix', stack.taskQueuePrefix], env)
    expect(out.code).toBe(1)
    for (const chain of chainKeys) expect(out.stderr).toContain(`chains.${chain}.treasury: ${other} is not the account keel signs with`)
    expect(await exists('portfolio-not-mine')).toBe(false)
  })

  test('refuses a second portfolio over a treasury another running portfolio manages', async () => {
    const out = await runKeel(
      ['run', file('twin.yaml', { ...mandate, portfolio: 'twin' }), '--task-queue-prefix', stack.taskQueuePrefix],
      env,
    )
    expect(out.code).toBe(1)
    expect(out.stderr).toContain(`already managed by running portfolio ${PORTFOLIO}`)
    expect(await exists('portfolio-twin')).toBe(false)
  })
})

describe('keel status', () => {
  test('shows the hedge in flight and when the decision was taken, never "hold" next to an outside band', async () => {
    const resumedAt = (await controls().status()).cyclesCompleted
    expect((await runKeel(['resume', PORTFOLIO], env)).code).toBe(0)
    // The shock taken while paused is hedged first.
    await wakeUntilInsideBand(resumedAt)
    try {
      // The simulator mines its own ticks; after it, nothing keel sends is mined until the test says so.
      await stack.sim.shock({ pct: -4 })
      await holdBlocks(stack)
      await controls().wake()
      const flying = await waitForStatus({ status: controls().status, done: (s) => (s.inFlight ?? []).length > 0 })
      expect(flying.lastObservation?.insideBand).toBe(false)
      expect(flying.lastDecision).toMatch(/^hedging: sell-eth \d+\.\d{3} ETH on \w+/)
      expect(flying.lastDecisionAt?.chainTimeSec).toBe(flying.lastObservation?.atChainTimeSec)
      const cli = await runKeel(['status', PORTFOLIO], env)
      expect(cli.stdout).toContain(`in flight: ${flying.inFlight![0]!.id}`)
      expect(cli.stdout).not.toContain('inside band: hold')
    } finally {
      await releaseBlocks(stack)
      await Promise.all(chainKeys.map((c) => stack.chains[c].testClient.mine({ blocks: 1 })))
    }
    const done = await wakeUntilInsideBand((await controls().status()).cyclesCompleted)
    expect(done.hedges.at(-1)?.status).toBe('completed')
  })

  test('answers an unknown portfolio with one line that says what to do', async () => {
    const out = await runKeel(['status', 'nobody'], env)
    expect(out.code).toBe(1)
    expect(
      out.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('keel:')),
    ).toEqual(['keel: no running portfolio "nobody" (workflow portfolio-nobody not found): start one with keel run <mandate.yaml>'])
    expect(out.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('keel stop', () => {
  test('ends the loop after the step in flight and completes the workflow', async () => {
    const out = await runKeel(['stop', PORTFOLIO, '--reason', 'end of test'], env)
    expect(out.code, out.stderr).toBe(0)
    expect(out.stdout).toMatch(/^stopped portfolio-ops: \d+ cycles, \d+ hedges recorded/)
    const run = await controls().handle.describe()
    expect(run.status.name).toBe('COMPLETED')
    expect(await controls().handle.result()).toMatchObject({ stopped: 'end of test' })
    // Stopped, its treasury is free again; a mandate it cannot meet is refused by the checks.
    const big = await runKeel(
      [
        'run',
        file('again.yaml', { ...mandate, delta: { targetEth: '1000000', bandEth: '10' } }),
        '--task-queue-prefix',
        stack.taskQueuePrefix,
      ],
      env,
    )
    expect(big.code).toBe(1)
    expect(big.stderr).toContain("delta.targetEth: 1000000.000 ETH is more than the treasury's whole value")
  })

  test('says no worker answered, in one line, when none serves a running portfolio', async () => {
    await stack.stopWorkers()
    await startPortfolio({ client: stack.client, mandate: { ...mandate, portfolio: 'orphan' }, taskQueuePrefix: stack.taskQueuePrefix })
    const out = await runKeel(['pause', 'orphan'], env)
    expect(out.code).toBe(1)
    expect(out.stderr).toMatch(/^keel: no worker answered for "orphan" at 127\.0\.0\.1:\d+: start one with keel worker/m)
    expect(out.stderr).not.toMatch(/\n\s+at /)
  })
})

/** Waits for a cycle after `after`, then wakes the loop (it sleeps an hour between cycles here) until one ends inside the band. */
async function wakeUntilInsideBand(after: number) {
  let s = await waitForStatus({ status: controls().status, done: (x) => x.cyclesCompleted > after })
  for (let i = 0; i < 8 && !s.lastObservation?.insideBand; i++) {
    const at = s.cyclesCompleted
    await controls().wake()
    s = await waitForStatus({ status: controls().status, done: (x) => x.cyclesCompleted > at })
  }
  expect(s.lastObservation?.insideBand, JSON.stringify(s.hedges.map((h) => [h.chain, h.amountIn, h.status, h.reason]))).toBe(true)
  expect(s.inFlight).toEqual([])
  return s
}

async function exists(workflowId: string): Promise<boolean> {
  return stack.client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      () => true,
      () => false,
    )
}
