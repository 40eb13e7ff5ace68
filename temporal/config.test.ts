import { inspect } from 'node:util'
import { describe, expect, test } from 'vitest'
import { InvalidInputError } from '../agent/errors.ts'
import { loadConfig } from './config.ts'

const root = '/srv/keel'

function loadError(env: NodeJS.ProcessEnv): InvalidInputError {
  try {
    loadConfig(env, { projectRoot: root })
  } catch (err) {
    if (err instanceof InvalidInputError) return err
    throw err
  }
  throw new Error('loadConfig accepted the environment')
}

describe('loadConfig', () => {
  test('applies defaults when the environment is empty', () => {
    const config = loadConfig({}, { projectRoot: root })
    expect(config.projectRoot).toBe(root)
    expect(config.stateDir).toBe('/srv/keel/.keel')
    expect(config.temporal).toEqual({
      address: undefined,
      namespace: 'default',
      tls: undefined,
      apiKey: undefined,
      port: undefined,
      uiPort: undefined,
      logLevel: 'warn',
    })
  })

  test('parses every variable when all are set', () => {
    const config = loadConfig(
      {
        TEMPORAL_ADDRESS: 'acme.a1b2c.tmprl.cloud:7233',
        TEMPORAL_NAMESPACE: 'acme.a1b2c',
        TEMPORAL_TLS_CERT: 'certs/client.pem',
        TEMPORAL_TLS_KEY: '/etc/keel/client.key',
        TEMPORAL_TLS_CA: 'certs/ca.pem',
        TEMPORAL_TLS_SERVER_NAME: 'acme.a1b2c.tmprl.cloud',
        KEEL_STATE_DIR: 'var/state',
        KEEL_TEMPORAL_PORT: '17233',
        KEEL_TEMPORAL_UI_PORT: '18233',
        KEEL_TEMPORAL_LOG_LEVEL: 'error',
      },
      { projectRoot: root },
    )
    expect(config.stateDir).toBe('/srv/keel/var/state')
    expect(config.temporal).toEqual({
      address: 'acme.a1b2c.tmprl.cloud:7233',
      namespace: 'acme.a1b2c',
      tls: {
        certPath: '/srv/keel/certs/client.pem',
        keyPath: '/etc/keel/client.key',
        caPath: '/srv/keel/certs/ca.pem',
        serverName: 'acme.a1b2c.tmprl.cloud',
      },
      apiKey: undefined,
      port: 17233,
      uiPort: 18233,
      logLevel: 'error',
    })
  })

  test('treats empty strings as unset when a shell exports VAR=', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: ' ', KEEL_TEMPORAL_PORT: '' }, { projectRoot: root })
    expect(config.temporal.address).toBeUndefined()
    expect(config.temporal.namespace).toBe('default')
    expect(config.temporal.port).toBeUndefined()
  })

  test('returns a deeply frozen object when parsing succeeds', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'h:1', TEMPORAL_TLS_CA: 'ca.pem' }, { projectRoot: root })
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.temporal)).toBe(true)
    expect(Object.isFrozen(config.temporal.tls)).toBe(true)
  })

  test('names the variable and the bad value when a port is not a number', () => {
    const err = loadError({ KEEL_TEMPORAL_UI_PORT: 'eighty' })
    expect(err.issues).toHaveLength(1)
    expect(err.issues[0]?.path).toBe('KEEL_TEMPORAL_UI_PORT')
    expect(err.issues[0]?.message).toContain('"eighty"')
  })

  test('names the variable when a port is out of range', () => {
    const err = loadError({ KEEL_TEMPORAL_PORT: '70000' })
    expect(err.issues.map((i) => i.path)).toEqual(['KEEL_TEMPORAL_PORT'])
    expect(err.issues[0]?.message).toContain('"70000"')
  })

  test('names the variable when the address has no port', () => {
    const err = loadError({ TEMPORAL_ADDRESS: 'localhost' })
    expect(err.issues.map((i) => i.path)).toEqual(['TEMPORAL_ADDRESS'])
    expect(err.issues[0]?.message).toContain('"localhost"')
  })

  test('names the missing partner when only the TLS certificate is set', () => {
    const err = loadError({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CERT: 'c.pem' })
    expect(err.issues.map((i) => i.path)).toEqual(['TEMPORAL_TLS_KEY'])
  })

  test('reports every bad variable at once when several are wrong', () => {
    const err = loadError({ KEEL_TEMPORAL_PORT: 'x', KEEL_TEMPORAL_LOG_LEVEL: 'loud', TEMPORAL_NAMESPACE: 'has space' })
    expect(err.issues.map((i) => i.path).sort()).toEqual(['KEEL_TEMPORAL_LOG_LEVEL', 'KEEL_TEMPORAL_PORT', 'TEMPORAL_NAMESPACE'])
  })

  test('never shows the API key when it is set without an address', () => {
    const secret = 'tmprl-secret-abc123'
    const err = loadError({ TEMPORAL_API_KEY: secret })
    expect(err.issues.map((i) => i.path)).toEqual(['TEMPORAL_ADDRESS'])
    expect(err.message).not.toContain(secret)
  })

  test('keeps the API key out of JSON, inspect and string output when it is valid', () => {
    const secret = 'tmprl-secret-abc123'
    const config = loadConfig({ TEMPORAL_ADDRESS: 'acme.tmprl.cloud:7233', TEMPORAL_API_KEY: secret }, { projectRoot: root })
    expect(config.temporal.apiKey?.reveal()).toBe(secret)
    expect(JSON.stringify(config)).not.toContain(secret)
    expect(inspect(config, { depth: 10 })).not.toContain(secret)
    expect(`${config.temporal.apiKey}`).not.toContain(secret)
  })
})
