import { randomUUID } from 'node:crypto'
import {
  Client,
  Connection,
  isGrpcCancelledError,
  isGrpcDeadlineError,
  WorkflowExecutionAlreadyStartedError,
  type WorkflowHandle,
} from '@temporalio/client'
import { defaultPayloadConverter } from '@temporalio/common'
import { BaseError } from '../agent/errors.ts'
import type { MandateInput } from '../agent/mandate/schema.ts'
import type { TransferRequestJson } from '../agent/plan/planCycle.ts'
import type { Issue } from '../agent/portfolio/state.ts'
import { portfolioTaskQueue } from '../agent/taskQueues.ts'
import { getChainMeta } from '../chains/registry.ts'
import type { ChainKey } from '../chains/types.ts'
import { chainKeys } from '../chains/types.ts'
import {
  approveRollUpdate,
  clearBlockedChainUpdate,
  type MandateUpdateOptions,
  type MandateUpdatePreview,
  type PortfolioStatus,
  type PortfolioWorkflowInput,
  pauseUpdate,
  portfolioWorkflow,
  previewMandateUpdateQuery,
  requestTransferUpdate,
  resumeUpdate,
  statusQuery,
  stopUpdate,
  updateMandateUpdate,
  wakeSignal,
} from '../workflows/portfolioWorkflow.ts'
import { type PreflightResult, preflightWorkflow } from '../workflows/preflightWorkflow.ts'
import { TemporalUnreachableError } from './errors.ts'
import type { TemporalConnectionOptions } from './server.ts'

/** Workflow id of a portfolio: a business key, so starting it twice is refused, not duplicated. */
export const portfolioWorkflowId = (portfolio: string): string => `portfolio-${portfolio}`

export async function connectClient(p: {
  connectionOptions: TemporalConnectionOptions
  namespace: string
  /** A configured cluster (TEMPORAL_ADDRESS) rather than keel's local dev server, for the error's advice. */
  remote?: boolean
}): Promise<Client> {
  let connection: Connection
  try {
    connection = await Connection.connect(p.connectionOptions)
  } catch (cause) {
    throw new TemporalUnreachableError({ address: p.connectionOptions.address, remote: p.remote ?? false, cause })
  }
  return new Client({ connection, namespace: p.namespace })
}

/** Starts the portfolio workflow of a mandate; returns the running one if it already exists. */
export async function startPortfolio(p: {
  client: Client
  mandate: MandateInput & { portfolio: string }
  taskQueuePrefix?: string
  continueAsNewAfterCycles?: number
  submitAttempts?: number
}): Promise<{ handle: WorkflowHandle<typeof portfolioWorkflow>; alreadyRunning: boolean }> {
  const workflowId = portfolioWorkflowId(p.mandate.portfolio)
  try {
    const handle = await p.client.workflow.start(portfolioWorkflow, {
      workflowId,
      taskQueue: portfolioTaskQueue(p.taskQueuePrefix),
      args: [
        {
          mandate: p.mandate,
          taskQueuePrefix: p.taskQueuePrefix ?? '',
          ...(p.continueAsNewAfterCycles === undefined ? {} : { continueAsNewAfterCycles: p.continueAsNewAfterCycles }),
          ...(p.submitAttempts === undefined ? {} : { submitAttempts: p.submitAttempts }),
        },
      ],
    })
    return { handle, alreadyRunning: false }
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      return { handle: p.client.workflow.getHandle(workflowId), alreadyRunning: true }
    throw err
  }
}

/** Operator controls over a running portfolio, all typed. */
export function portfolioControls(client: Client, portfolio: string) {
  const handle = client.workflow.getHandle<typeof portfolioWorkflow>(portfolioWorkflowId(portfolio))
  // Without a worker a query or update waits for the server's own timeout; answer sooner.
  const within = <T>(seconds: number, fn: () => Promise<T>): Promise<T> => client.withDeadline(Date.now() + seconds * 1000, fn)
  return {
    handle,
    status: (): Promise<PortfolioStatus> => within(10, () => handle.query(statusQuery)),
    previewUpdate: (mandate: MandateInput): Promise<MandateUpdatePreview> =>
      within(10, () => handle.query(previewMandateUpdateQuery, mandate)),
    pause: (reason?: string): Promise<PortfolioStatus> =>
      within(20, () => handle.executeUpdate(pauseUpdate, { args: [reason ? { reason } : {}] })),
    resume: (): Promise<PortfolioStatus> => within(20, () => handle.executeUpdate(resumeUpdate, { args: [] })),
    updateMandate: (mandate: MandateInput, options: MandateUpdateOptions = {}): Promise<PortfolioStatus> =>
      within(20, () => handle.executeUpdate(updateMandateUpdate, { args: [mandate, options] })),
    /** Waits for the settlement, which retries a chain that does not answer for a while. */
    clearBlockedChain: (chain: ChainKey): Promise<PortfolioStatus> =>
      within(600, () => handle.executeUpdate(clearBlockedChainUpdate, { args: [{ chain }] })),
    requestTransfer: (req: TransferRequestJson): Promise<PortfolioStatus> =>
      within(20, () => handle.executeUpdate(requestTransferUpdate, { args: [req] })),
    stop: (reason?: string): Promise<PortfolioStatus> =>
      within(30, () => handle.executeUpdate(stopUpdate, { args: [reason ? { reason } : {}] })),
    wake: (): Promise<void> => handle.signal(wakeSignal),
    approveRoll: (id: string, approve: boolean, by?: string): Promise<PortfolioStatus> =>
      within(20, () => handle.executeUpdate(approveRollUpdate, { args: [{ id, approve, ...(by ? { by } : {}) }] })),
  }
}

/** Polls a portfolio's status until `done` holds; throws with the last decision when it does not in time. */
export async function waitForStatus(p: {
  status: () => Promise<PortfolioStatus>
  done: (s: PortfolioStatus) => boolean
  timeoutMs?: number
  what?: string
}): Promise<PortfolioStatus> {
  const timeoutMs = p.timeoutMs ?? 120_000
  const deadline = Date.now() + timeoutMs
  for (;;) {
    // A worker that is starting (bundling, connecting) does not answer yet: that is "not done", not a failure.
    const s = await p.status().catch((err: unknown) => {
      if ((isGrpcDeadlineError(err) || isGrpcCancelledError(err)) && Date.now() < deadline) return null
      throw err
    })
    if (s === null) continue
    if (p.done(s)) return s
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs / 1000}s waiting for ${p.what ?? 'the portfolio'} (last decision: ${s.lastDecision}; last error: ${s.lastError})`,
      )
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** No worker picked up work that needed one within the time allowed. */
export class NoWorkerError extends BaseError {
  override name = 'Keel.NoWorkerError' as const
  constructor(params: { taskQueue: string; waitedSec: number }) {
    super(`No worker answered on task queue ${params.taskQueue} within ${params.waitedSec} s`, {
      metaMessages: ['start one with `keel worker` (same TEMPORAL_ADDRESS, namespace and task-queue prefix)'],
      retryable: true,
    })
  }
}

/**
 * Runs the preflight checks of a mandate on the workers that will serve it (signer, reachability,
 * contracts, feasibility against the holdings); read-only. Throws NoWorkerError when nothing
 * serves the portfolio queue.
 */
export async function runPreflight(p: {
  client: Client
  mandate: MandateInput & { portfolio: string }
  taskQueuePrefix?: string
  workerWaitSec?: number
}): Promise<PreflightResult> {
  const wait = p.workerWaitSec ?? 15
  const taskQueue = portfolioTaskQueue(p.taskQueuePrefix)
  const chainIds = Object.fromEntries(chainKeys.map((k) => [k, getChainMeta(k).chain.id]))
  const handle = await p.client.workflow.start(preflightWorkflow, {
    workflowId: `preflight-${p.mandate.portfolio}-${randomUUID()}`,
    taskQueue,
    // The workflow itself needs a worker on the portfolio queue; a short run timeout tells us there is none.
    workflowExecutionTimeout: `${wait * 2 + 60}s`,
    args: [{ mandate: p.mandate, chainIds, taskQueuePrefix: p.taskQueuePrefix ?? '', workerWaitSec: wait }],
  })
  const started = await waitUntilStarted(handle, wait * 1000)
  if (!started) {
    await handle.terminate('no worker on the portfolio queue').catch(() => undefined)
    throw new NoWorkerError({ taskQueue, waitedSec: wait })
  }
  return handle.result()
}

async function waitUntilStarted(handle: WorkflowHandle, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const history = await handle.fetchHistory()
    if ((history.events ?? []).some((e) => e.workflowTaskStartedEventAttributes)) return true
    if (Date.now() > deadline) return false
    await new Promise((r) => setTimeout(r, 250))
  }
}

/**
 * Running portfolios (other than `portfolio` itself) that already manage one of the mandate's
 * treasuries on the same chain: two loops hedging one account would fight over its nonces and
 * its delta. Read from each one's status, or from its start input when no worker answers.
 */
export async function treasuryConflicts(p: { client: Client; mandate: MandateInput & { portfolio: string } }): Promise<Issue[]> {
  const own = portfolioWorkflowId(p.mandate.portfolio)
  const issues: Issue[] = []
  for await (const wf of p.client.workflow.list({ query: "WorkflowType = 'portfolioWorkflow' AND ExecutionStatus = 'Running'" })) {
    if (wf.workflowId === own) continue
    const other = await mandateOf(p.client, wf.workflowId)
    if (!other) continue
    for (const [chain, entry] of Object.entries(p.mandate.chains)) {
      const theirs = other.chains[chain as keyof typeof other.chains]
      if (entry && theirs && theirs.treasury.toLowerCase() === entry.treasury.toLowerCase()) {
        issues.push({
          path: `chains.${chain}.treasury`,
          message: `${entry.treasury} on ${chain} is already managed by running portfolio ${other.portfolio} (${wf.workflowId}): stop it first (keel stop ${other.portfolio})`,
        })
      }
    }
  }
  return issues
}

/** Running portfolios and the chains their mandates cover. */
export async function treasuryPortfolios(p: { client: Client }): Promise<{ portfolio: string; chains: string[] }[]> {
  const out: { portfolio: string; chains: string[] }[] = []
  for await (const wf of p.client.workflow.list({ query: "WorkflowType = 'portfolioWorkflow' AND ExecutionStatus = 'Running'" })) {
    const m = await mandateOf(p.client, wf.workflowId)
    if (m) out.push({ portfolio: m.portfolio, chains: Object.keys(m.chains) })
  }
  return out
}

async function mandateOf(client: Client, workflowId: string): Promise<MandateInput | null> {
  const handle = client.workflow.getHandle<typeof portfolioWorkflow>(workflowId)
  try {
    return (await client.withDeadline(Date.now() + 3_000, () => handle.query(statusQuery))).mandate
  } catch {
    // No worker answers queries: the mandate the run started with is in its history.
    const history = await handle.fetchHistory().catch(() => null)
    const payload = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]
    if (!payload) return null
    const input = defaultPayloadConverter.fromPayload<PortfolioWorkflowInput>(payload)
    return input?.state?.mandate ?? input?.mandate ?? null
  }
}
