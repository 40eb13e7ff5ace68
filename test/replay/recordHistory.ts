/**
 * Records the histories the replay test runs against: a portfolio workflow that observes, hedges
 * after a shock, is paused, refuses a bad mandate update and resumes; plus its hedge child.
 * Run with `npm run histories:record` after an intended change to workflow code, and commit the
 * files; the replay test then proves later code still replays them.
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
    const { controls } = await startAndObserve(
      stack,
      testMandate({ portfolio: 'recorded', treasury: stack.treasury, targetEth: target, bandEth: '10' }),
    )
    const first = await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted >= 1 })
    await stack.sim.shock({ pct: -3 })
    await controls.wake()
    const hedged = await waitForStatus({
      status: controls.status,
      done: (s) => s.hedges.length >= 1 && s.cyclesCompleted > first.cyclesCompleted,
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
