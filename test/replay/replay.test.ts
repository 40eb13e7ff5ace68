import { readdirSync, readFileSync } from 'node:fs'
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js'
import { Worker } from '@temporalio/worker'
import { describe, expect, test } from 'vitest'
import { sharedBundle } from '../fixtures/stack.ts'

const dir = new URL('./histories/', import.meta.url)
const files = readdirSync(dir).filter((f) => f.endsWith('.json'))

describe('recorded workflow histories', () => {
  test('there are histories of both workflows to replay', () => {
    expect(files.sort()).toEqual(['portfolioWorkflow.json', 'rebalanceWorkflow.json'])
  })

  test('replay against the current workflow code without non-determinism', async () => {
    const histories = files.map((f) => ({ workflowId: f, history: historyFromJSON(JSON.parse(readFileSync(new URL(f, dir), 'utf8'))) }))
    const results = []
    for await (const r of Worker.runReplayHistories({ workflowBundle: await sharedBundle() }, histories)) results.push(r)
    expect(results.map((r) => [r.workflowId, r.error?.message ?? null])).toEqual(files.map((f) => [f, null]))
  })
})
