import { type ChildProcess, spawn } from 'node:child_process'
import { closeSync, existsSync, openSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { DevnetError } from '../errors.ts'
import { isProcessAlive } from './localProcess.ts'

const archNames: Partial<Record<string, string>> = { x64: 'amd64', arm64: 'arm64' }

/** Path of the anvil binary that npm installed for this platform (the platform package, not the npx wrapper). */
export function resolveAnvilBinary(): string {
  const arch = archNames[process.arch]
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch ?? process.arch}`
  const require = createRequire(import.meta.url)
  let pkgJson: string
  try {
    pkgJson = require.resolve(`${pkg}/package.json`)
  } catch (cause) {
    throw new DevnetError(`anvil is not installed for ${process.platform}-${process.arch}`, {
      cause,
      metaMessages: [`expected npm package ${pkg} (an optional dependency of @foundry-rs/anvil)`],
    })
  }
  const bin = join(dirname(pkgJson), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil')
  if (!existsSync(bin)) throw new DevnetError(`anvil binary missing at ${pkg}/bin`)
  return bin
}

export type AnvilOptions = {
  chainId: number
  port: number
  /** Interval mining; null for automine (a block per transaction). */
  blockTimeSec: number | null
  baseFeeWei: bigint
  /**
   * anvil's `--state`: the chain starts from this file when it exists and dumps into it on a
   * graceful exit and every `stateIntervalSec` (so a SIGKILLed node loses at most that much).
   */
  state?: { path: string; intervalSec: number }
  /** anvil's stderr goes here (a state file it cannot load is reported there). */
  logPath?: string
  /** Pool order: `fifo` keeps arrival order, so a block builder decides what goes first (anvil's default is `fees`). */
  order?: 'fifo' | 'fees'
}

/** Starts anvil detached in its own process group and waits until it answers; returns its pid and URL. */
export async function spawnAnvil(opts: AnvilOptions): Promise<{ pid: number; rpcUrl: string }> {
  const args = ['--host', '127.0.0.1', '--port', String(opts.port), '--chain-id', String(opts.chainId)]
  args.push('--base-fee', opts.baseFeeWei.toString(), '--silent')
  if (opts.blockTimeSec !== null) args.push('--block-time', String(opts.blockTimeSec))
  if (opts.order) args.push('--order', opts.order)
  if (opts.state) args.push('--state', opts.state.path, '--state-interval', String(opts.state.intervalSec))
  const log = opts.logPath === undefined ? 'ignore' : openSync(opts.logPath, 'a')
  let child: ChildProcess
  try {
    child = spawn(resolveAnvilBinary(), args, { detached: true, stdio: ['ignore', 'ignore', log] })
  } finally {
    if (typeof log === 'number') closeSync(log)
  }
  const pid = child.pid
  if (pid === undefined) throw new DevnetError(`anvil for chain ${opts.chainId} did not start`)
  child.unref()
  const rpcUrl = `http://127.0.0.1:${opts.port}`
  try {
    await waitForRpc({ rpcUrl, timeoutMs: 15_000, exited: () => child.exitCode !== null || child.signalCode !== null })
  } catch (cause) {
    await killProcessGroup(pid)
    throw new DevnetError(`anvil for chain ${opts.chainId} did not answer on port ${opts.port}`, {
      cause,
      metaMessages: opts.logPath ? [`anvil's output: ${opts.logPath}`] : [],
    })
  }
  return { pid, rpcUrl }
}

async function waitForRpc(params: { rpcUrl: string; timeoutMs: number; exited?: () => boolean }): Promise<void> {
  const deadline = performance.now() + params.timeoutMs
  let lastError: unknown
  while (performance.now() < deadline) {
    // A node that exited (port taken, a state file it cannot read) will never answer: say so at once.
    if (params.exited?.()) throw new DevnetError('anvil exited before answering', { cause: lastError })
    try {
      const res = await fetch(params.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      })
      if (res.ok) return
    } catch (err) {
      lastError = err
    }
    await sleep(50)
  }
  throw new DevnetError('RPC did not come up in time', { cause: lastError })
}

/** Kills the process group led by `pid` (SIGTERM, then SIGKILL) and waits until the leader is gone. */
export async function killProcessGroup(pid: number, timeoutMs = 5_000): Promise<void> {
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal)
    } catch {
      // Group already gone; fall back to the pid alone in case it left its group.
      try {
        process.kill(pid, signal)
      } catch {}
    }
  }
  if (!isProcessAlive(pid)) return
  signalGroup('SIGTERM')
  const deadline = performance.now() + timeoutMs
  while (isProcessAlive(pid)) {
    if (performance.now() > deadline) {
      signalGroup('SIGKILL')
      await sleep(100)
      if (isProcessAlive(pid)) throw new DevnetError(`process ${pid} survived SIGKILL`)
      return
    }
    await sleep(25)
  }
}

/** One JSON-RPC call to a local node (for the few anvil methods viem has no action for, e.g. `evm_setTime`). */
export async function anvilRpc<T = unknown>(p: { rpcUrl: string; method: string; params?: unknown[] }): Promise<T> {
  const res = await fetch(p.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: p.method, params: p.params ?? [] }),
  })
  const body = (await res.json()) as { result?: T; error?: { message?: string } }
  if (body.error) throw new DevnetError(`${p.method} failed: ${body.error.message ?? 'unknown error'}`)
  return body.result as T
}
