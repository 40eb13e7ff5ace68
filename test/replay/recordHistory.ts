/**
 * Records the histories the replay test runs against: a portfolio workflow that observes, hedges
 * after a shock (in several capped hedges), is paused, refuses a bad mandate update and resumes;
 * plus its first hedge child. Run with `npm run histories:record` after an intended change to
 * workflow code and commit the files next to the older ones (keep those: they stand for runs
 * started by earlier code, e.g. portfolioWorkflow-before-follow-ups.json, recorded by this script
 * before the `follow-up-hedges` patch); the replay test proves current code replays them all.
 */
import { writeFileSync } from 'node:fs'
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js'
import { waitForStatus } from '../../temporal/client.ts'
import { ethTarget, startAndObserve, startStack, testMandate } from '../fixtures/stack.ts'

const outDir = new URL('./histories/', import.meta.url)

async function main(): Promise<void> {
  const stack = await startStack({ name: 'record', seed: 3 })
  try {
    await stack.startWorkers()
    const target = ethTarget((await stack.exposure()).deltaWei)
    // A 30 ETH cap makes the shock's hedge need follow-ups within one cycle (the `follow-up-hedges` patch).
    const mandate = testMandate({ portfolio: 'recorded', treasury: stack.treasury, targetEth: target, bandEth: '10' })
    mandate.hedge = { ...mandate.hedge, maxHedgeSizeEth: '30' }
    const { controls } = await startAndObserve(stack, mandate)
    const first = await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted >= 1 })
    await stack.sim.shock({ pct: -4 })
    await controls.wake()
    const hedged = await waitForStatus({
      status: controls.status,
      done: (s) => s.hedges.length >= 2 && s.cyclesCompleted > first.cyclesCompleted,
    })
    await controls.pause('recording')
    await controls.updateMandate({ ...hedged.mandate, delta: { targetEth: '1', bandEth: '-1' } }).catch(() => undefined)
    await controls.resume()
    await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted > hedged.cyclesCompleted })
    await controls.handle.terminate('recorded')
    const hedgeId = hedged.hedges[0]!.id
    for (const [file, id] of [
      ['portfolioWorkflow.json', controls.handle.workflowId],
      ['rebalanceWorkflow.json', hedgeId],
    ] as const) {
      const history = await stack.client.workflow.getHandle(id).fetchHistory()
      writeFileSync(new URL(file, outDir), `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`)
      console.log(`recorded ${id} → test/replay/histories/${file} (${history.events?.length} events)`)
    }
  } finally {
    await stack.stop()
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
