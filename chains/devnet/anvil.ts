import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
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
}

/** Starts anvil detached in its own process group and waits until it answers; returns its pid and URL. */
export async function spawnAnvil(opts: AnvilOptions): Promise<{ pid: number; rpcUrl: string }> {
  const args = ['--host', '127.0.0.1', '--port', String(opts.port), '--chain-id', String(opts.chainId)]
  args.push('--base-fee', opts.baseFeeWei.toString(), '--silent')
  if (opts.blockTimeSec !== null) args.push('--block-time', String(opts.blockTimeSec))
  const child = spawn(resolveAnvilBinary(), args, { detached: true, stdio: 'ignore' })
  const pid = child.pid
  if (pid === undefined) throw new DevnetError(`anvil for chain ${opts.chainId} did not start`)
  child.unref()
  const rpcUrl = `http://127.0.0.1:${opts.port}`
  try {
    await waitForRpc({ rpcUrl, timeoutMs: 15_000 })
  } catch (cause) {
    await killProcessGroup(pid)
    throw new DevnetError(`anvil for chain ${opts.chainId} did not answer on port ${opts.port}`, { cause })
  }
  return { pid, rpcUrl }
}

async function waitForRpc(params: { rpcUrl: string; timeoutMs: number }): Promise<void> {
  const deadline = performance.now() + params.timeoutMs
  let lastError: unknown
  while (performance.now() < deadline) {
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
