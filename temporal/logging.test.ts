import { describe, expect, test } from 'vitest'
import { createRedactor } from '../chains/redactRpcUrl.ts'
import { formatLogLine, logLevelFrom } from './logging.ts'

const key = 'k3yK3yK3yK3y0123456789'
const redact = createRedactor([`https://eth.example.com/v2/${key}?apikey=${key}`])

describe('formatLogLine', () => {
  test('prints a forwarded core line on one line without colour codes when the core colours it', () => {
    const message = '\u001b[33mgRPC call poll_activity_task_queue retried 6 times\u001b[0m: Status {\n  code: Unavailable }'
    const out = formatLogLine({ level: 'WARN', message, meta: { sdkComponent: 'core', target: 'temporal_client' } }, redact)
    expect(out).toBe('· [WARN] temporal core: gRPC call poll_activity_task_queue retried 6 times: Status { code: Unavailable }')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting the escape character is gone
    expect(out).not.toMatch(/\u001b|\n/)
  })

  test('masks an RPC key quoted in a failure when the URL was configured', () => {
    const out = formatLogLine(
      {
        level: 'WARN',
        message: 'Activity failed',
        meta: { activityType: 'observeChain', failure: `HTTP request failed. URL: https://eth.example.com/v2/${key}\nstack` },
      },
      redact,
    )
    expect(out).toBe('· [WARN] Activity failed (observeChain): HTTP request failed. URL: https://eth.example.com***')
    expect(out).not.toContain(key)
  })

  test('masks a bare credential fragment when it appears outside a URL', () => {
    const out = formatLogLine({ level: 'ERROR', message: `node refused key ${key}`, meta: undefined }, redact)
    expect(out).toBe('· [ERROR] node refused key ***')
  })

  test('drops the per-chain queues\' "no workflows registered" notice', () => {
    expect(
      formatLogLine({ level: 'WARN', message: 'No workflows registered, not polling for workflow tasks', meta: undefined }, redact),
    ).toBeUndefined()
  })
})

describe('logLevelFrom', () => {
  test('reads KEEL_LOG_LEVEL case-insensitively and falls back to WARN when it is unknown', () => {
    expect(logLevelFrom({ KEEL_LOG_LEVEL: 'debug' })).toBe('DEBUG')
    expect(logLevelFrom({ KEEL_LOG_LEVEL: 'loud' })).toBe('WARN')
    expect(logLevelFrom({})).toBe('WARN')
  })
})
