import type { Client } from '@temporalio/client'
import { connectClient } from '../temporal/client.ts'
import { type KeelConfig, loadConfig } from '../temporal/config.ts'
import { installKeelLogging } from '../temporal/logging.ts'
import { ensureTemporal, type TemporalHandle } from '../temporal/server.ts'

export type Log = (line: string) => void

/** Progress lines go to stderr so stdout stays for results (`status --json | jq`). */
export const progress: Log = (line) => process.stderr.write(`· ${line}\n`)

/** Config, a Temporal service (remote, or the local dev server started if needed) and a client. */
export async function connectRuntime(log: Log = progress): Promise<{ config: KeelConfig; temporal: TemporalHandle; client: Client }> {
  const config = loadConfig()
  const temporal = await ensureTemporal({ config, log })
  const client = await connectClient({
    connectionOptions: temporal.connectionOptions,
    namespace: temporal.namespace,
    remote: temporal.origin === 'remote',
  })
  return { config, temporal, client }
}

/**
 * Worker and SDK-core logs at KEEL_LOG_LEVEL (default WARN), one plain line each, URLs redacted.
 * Signals are left to the commands (see `stopSignals`).
 */
export function installWorkerLogging(env: NodeJS.ProcessEnv = process.env): void {
  installKeelLogging({ env })
}

export type StopSignals = {
  /** Aborted at the first SIGINT or SIGTERM. */
  signal: AbortSignal
  /** Resolves with the first signal received. */
  received: Promise<NodeJS.Signals>
  dispose(): void
}

/**
 * Turns SIGINT/SIGTERM into an AbortSignal. Later signals do not kill the process half-way through
 * its cleanup (a terminal's Ctrl-C reaches it once from the tty and again from npm or tsx): they
 * call `again`, which may say what is still being stopped.
 */
export function stopSignals(p: { again?: (signal: NodeJS.Signals) => void } = {}): StopSignals {
  const controller = new AbortController()
  let resolve: (s: NodeJS.Signals) => void = () => {}
  const received = new Promise<NodeJS.Signals>((r) => {
    resolve = r
  })
  const handler = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) return p.again?.(sig)
    controller.abort(sig)
    resolve(sig)
  }
  const names = ['SIGINT', 'SIGTERM'] as const
  for (const n of names) process.on(n, handler)
  const dispose = () => {
    for (const n of names) process.off(n, handler)
  }
  return { signal: controller.signal, received, dispose }
}

/** Exit code of a process stopped by a signal, as shells report it (130 for SIGINT, 143 for SIGTERM). */
export const signalExitCode = (signal: NodeJS.Signals): number => (signal === 'SIGINT' ? 130 : 143)
