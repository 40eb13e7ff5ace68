import { Client, Connection, WorkflowExecutionAlreadyStartedError, type WorkflowHandle } from '@temporalio/client'
import type { MandateInput } from '../agent/mandate/schema.ts'
import { portfolioTaskQueue } from '../agent/taskQueues.ts'
import type { ChainKey } from '../chains/types.ts'
import {
  clearBlockedChainUpdate,
  type PortfolioStatus,
  pauseUpdate,
  portfolioWorkflow,
  resumeUpdate,
  statusQuery,
  updateMandateUpdate,
  wakeSignal,
} from '../workflows/portfolioWorkflow.ts'
import type { TemporalConnectionOptions } from './server.ts'

/** Workflow id of a portfolio: a business key, so starting it twice is refused, not duplicated. */
export const portfolioWorkflowId = (portfolio: string): string => `portfolio-${portfolio}`

export async function connectClient(p: { connectionOptions: TemporalConnectionOptions; namespace: string }): Promise<Client> {
  const connection = await Connection.connect(p.connectionOptions)
  return new Client({ connection, namespace: p.namespace })
}

/** Starts the portfolio workflow of a mandate; returns the running one if it already exists. */
export async function startPortfolio(p: {
  client: Client
  mandate: MandateInput & { portfolio: string }
  taskQueuePrefix?: string
  continueAsNewAfterCycles?: number
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
  return {
    handle,
    status: (): Promise<PortfolioStatus> => handle.query(statusQuery),
    pause: (reason?: string): Promise<PortfolioStatus> => handle.executeUpdate(pauseUpdate, { args: [reason ? { reason } : {}] }),
    resume: (): Promise<PortfolioStatus> => handle.executeUpdate(resumeUpdate, { args: [] }),
    updateMandate: (mandate: MandateInput): Promise<PortfolioStatus> => handle.executeUpdate(updateMandateUpdate, { args: [mandate] }),
    clearBlockedChain: (chain: ChainKey): Promise<PortfolioStatus> => handle.executeUpdate(clearBlockedChainUpdate, { args: [{ chain }] }),
    wake: (): Promise<void> => handle.signal(wakeSignal),
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
    const s = await p.status()
    if (p.done(s)) return s
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs / 1000}s waiting for ${p.what ?? 'the portfolio'} (last decision: ${s.lastDecision}; last error: ${s.lastError})`,
      )
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}
