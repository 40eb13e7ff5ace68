import { ActivityFailure, proxyActivities, TimeoutFailure } from '@temporalio/workflow'
import { mandateFeasibility } from '../agent/mandate/feasibility.ts'
import { type MandateInput, parseMandate } from '../agent/mandate/schema.ts'
import { portfolioExposure } from '../agent/portfolio/exposure.ts'
import { observationView } from '../agent/portfolio/ledger.ts'
import { holdingsOf, type Issue } from '../agent/portfolio/state.ts'
import { chainTaskQueue } from '../agent/taskQueues.ts'
import type { ChainKey } from '../chains/types.ts'
import type { ChainActivities, ReadActivities } from '../temporal/activities/types.ts'
import { describeFailure } from './failures.ts'

const read = proxyActivities<ReadActivities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 2, initialInterval: '1s', nonRetryableErrorTypes: ['Keel.InvalidInputError'] },
})

export type PreflightInput = {
  mandate: MandateInput
  /** Chain id of every chain of the mandate (the caller's registry), to reach each chain's queue. */
  chainIds: Partial<Record<ChainKey, number>>
  taskQueuePrefix: string
  /** How long a chain's queue may go unanswered before "no worker" is reported. */
  workerWaitSec?: number
}

export type PreflightResult = { issues: Issue[]; checked: { chain: ChainKey; signer: string; blockNumber: string }[] }

/**
 * What can be known before a portfolio starts, asked of the workers that will run it: every
 * chain of the mandate answers on its own queue (so a worker holds its key), its signer is the
 * mandate's treasury, its contracts are deployed, and the mandate can be met with the holdings.
 * Read-only: nothing is signed or sent.
 */
export async function preflightWorkflow(input: PreflightInput): Promise<PreflightResult> {
  const mandate = parseMandate(input.mandate)
  const chains = Object.keys(mandate.chains) as ChainKey[]
  const issues: Issue[] = []
  const checked: PreflightResult['checked'] = []
  await Promise.all(
    chains.map(async (chain) => {
      const chainId = input.chainIds[chain]
      if (chainId === undefined) return issues.push({ path: `chains.${chain}`, message: 'keel does not know this chain' })
      const queue = chainTaskQueue(chainId, input.taskQueuePrefix)
      const acts = proxyActivities<Pick<ChainActivities, 'checkChain'>>({
        taskQueue: queue,
        scheduleToStartTimeout: `${input.workerWaitSec ?? 15}s`,
        startToCloseTimeout: '30s',
        retry: { maximumAttempts: 2, initialInterval: '1s', nonRetryableErrorTypes: ['Keel.InvalidInputError'] },
      })
      try {
        const c = await acts.checkChain({ chain })
        checked.push({ chain, signer: c.signer, blockNumber: c.blockNumber })
        const treasury = mandate.chains[chain]!.treasury
        const actsFor = c.treasury ?? c.signer
        if (actsFor.toLowerCase() !== treasury.toLowerCase())
          issues.push({
            path: `chains.${chain}.treasury`,
            message:
              actsFor === c.signer
                ? `${treasury} is not the account keel signs with on ${chain} (${c.signer}): every hedge would be refused`
                : `${treasury} is not the Safe keel acts for on ${chain} (${actsFor}, through its Roles module): every hedge would be refused`,
          })
        if (c.contractsMissing.length > 0)
          issues.push({
            path: `chains.${chain}`,
            message: `no contract code at ${c.contractsMissing.join(', ')}: wrong network or contracts file`,
          })
      } catch (err) {
        const f = describeFailure(err)
        const message = noWorker(err)
          ? `no worker answered on task queue ${queue} within ${input.workerWaitSec ?? 15} s: start \`keel worker\` where ${chain}'s key is`
          : `${f.failureType}: ${f.reason}`
        issues.push({ path: `chains.${chain}`, message })
      }
    }),
  )
  if (issues.length > 0) return { issues, checked }
  try {
    const snapshot = await read.observePortfolio({ mandate: input.mandate })
    const view = observationView({ snapshot, exposure: portfolioExposure(snapshot), mandate })
    issues.push(...mandateFeasibility(mandate, holdingsOf(view)))
  } catch (err) {
    const f = describeFailure(err)
    issues.push({ path: 'chains', message: `the treasury could not be observed (${f.failureType}: ${f.reason})` })
  }
  return { issues, checked }
}

/** The activity was never picked up: nothing polls that chain's queue. */
const noWorker = (err: unknown): boolean =>
  err instanceof ActivityFailure && err.cause instanceof TimeoutFailure && err.cause.timeoutType === 'SCHEDULE_TO_START'
