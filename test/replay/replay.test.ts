import { readdirSync, readFileSync } from 'node:fs'
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js'
import { Worker } from '@temporalio/worker'
import { describe, expect, test } from 'vitest'
import { sharedBundle } from '../fixtures/stack.ts'

const dir = new URL('./histories/', import.meta.url)
const files = readdirSync(dir).filter((f) => f.endsWith('.json'))

describe('recorded workflow histories', () => {
  test('there are histories of every workflow to replay, from before and after each patch', () => {
    expect(files.sort()).toEqual([
      'buyBackWorkflow.json',
      'optionSettlementWorkflow.json',
      'portfolioWorkflow-before-follow-ups.json',
      'portfolioWorkflow-book.json',
      'portfolioWorkflow-funded.json',
      'portfolioWorkflow-operator.json',
      'portfolioWorkflow-transfers.json',
      'portfolioWorkflow.json',
      'preflightWorkflow.json',
      'rebalanceWorkflow-settle-unsent.json',
      'rebalanceWorkflow.json',
      'rollWorkflow.json',
      'settlementWorkflow.json',
      'transferWorkflow-across-weth.json',
      'transferWorkflow-layerzero.json',
    ])
    const types = files.map((f) => {
      const json = JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as {
        events: { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }[]
      }
      return json.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name
    })
    expect(new Set(types)).toEqual(
      new Set([
        'portfolioWorkflow',
        'rebalanceWorkflow',
        'settlementWorkflow',
        'preflightWorkflow',
        'transferWorkflow',
        'rollWorkflow',
        'buyBackWorkflow',
        'optionSettlementWorkflow',
      ]),
    )
    expect(patchesIn('portfolioWorkflow.json')).toEqual(['follow-up-hedges'])
    expect(patchesIn('portfolioWorkflow-before-follow-ups.json')).toEqual([])
    // Recorded after slicing: the slice search's patch, and follow-ups of a slice.
    expect(new Set(patchesIn('portfolioWorkflow-operator.json'))).toEqual(new Set(['sliced-hedges', 'follow-up-hedges']))
    expect(patchesIn('rebalanceWorkflow-settle-unsent.json')).toEqual(['settle-unsent'])
    expect(patchesIn('rebalanceWorkflow.json')).toEqual([])
    expect(patchesIn('portfolioWorkflow-funded.json')).toContain('funded-hedges')
    expect(patchesIn('portfolioWorkflow-book.json')).toContain('option-book')
  })

  test('the book history approves a roll, then runs the roll, a buy-back and the settlement steps as children', () => {
    const { events } = JSON.parse(readFileSync(new URL('portfolioWorkflow-book.json', dir), 'utf8')) as {
      events: Record<string, { workflowType?: { name?: string }; acceptedRequest?: { input?: { name?: string } } } | undefined>[]
    }
    const children = events.map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name).filter(Boolean)
    expect(children.slice(0, 2)).toEqual(['rollWorkflow', 'buyBackWorkflow'])
    expect(children).toContain('optionSettlementWorkflow')
    expect(children.filter((c) => c === 'rollWorkflow').length).toBeGreaterThanOrEqual(1)
    const updates = events.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name).filter(Boolean)
    expect(updates).toEqual(['approveRoll', 'stop'])
  })

  test('the funded history starts the transfer child before the hedge that waits for it', () => {
    const { events } = JSON.parse(readFileSync(new URL('portfolioWorkflow-funded.json', dir), 'utf8')) as {
      events: Record<string, { workflowType?: { name?: string }; workflowId?: string } | undefined>[]
    }
    const children = events
      .map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)
      .filter((a) => a !== undefined)
      .map((a) => a.workflowType?.name)
    const transfer = children.indexOf('transferWorkflow')
    expect(transfer).toBeGreaterThanOrEqual(0)
    expect(children.slice(transfer + 1)).toContain('rebalanceWorkflow')
  })

  test('the transfers history starts transfer children and takes their progress as signals', () => {
    const { events } = JSON.parse(readFileSync(new URL('portfolioWorkflow-transfers.json', dir), 'utf8')) as {
      events: Record<string, { workflowType?: { name?: string }; signalName?: string } | undefined>[]
    }
    const children = events.map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name).filter(Boolean)
    expect(children).toEqual(['transferWorkflow', 'transferWorkflow'])
    const signals = events.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName).filter((n) => n === 'transferProgress')
    expect(signals.length).toBeGreaterThanOrEqual(4)
  })

  test('the operator history holds the new shapes: a settlement child, a confirmed update and a stop', () => {
    const { events } = JSON.parse(readFileSync(new URL('portfolioWorkflow-operator.json', dir), 'utf8')) as {
      events: Record<string, { workflowType?: { name?: string }; acceptedRequest?: { input?: { name?: string } } } | undefined>[]
    }
    const children = events.map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name).filter(Boolean)
    expect(new Set(children)).toEqual(new Set(['rebalanceWorkflow', 'settlementWorkflow']))
    const updates = events.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name).filter(Boolean)
    expect(updates).toEqual(['clearBlockedChain', 'updateMandate', 'stop'])
    expect(events.at(-1)?.workflowExecutionCompletedEventAttributes).toBeDefined()
  })

  test('replay against the current workflow code without non-determinism', async () => {
    const histories = files.map((f) => ({ workflowId: f, history: historyFromJSON(JSON.parse(readFileSync(new URL(f, dir), 'utf8'))) }))
    const results = []
    for await (const r of Worker.runReplayHistories({ workflowBundle: await sharedBundle() }, histories)) results.push(r)
    expect(results.map((r) => [r.workflowId, r.error?.message ?? null])).toEqual(files.map((f) => [f, null]))
  })
})

type MarkerEvent = { markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads?: { data?: string }[] }> } }

/** Ids of the `patched()` markers a history recorded (their payloads are base64 JSON). */
function patchesIn(file: string): string[] {
  const { events } = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as { events: MarkerEvent[] }
  return events
    .map((e) => e.markerRecordedEventAttributes)
    .filter((m) => m?.markerName === 'core_patch')
    .map((m) => JSON.parse(atob(m?.details?.['patch-data']?.payloads?.[0]?.data ?? '')) as { id: string })
    .map((p) => p.id)
}
