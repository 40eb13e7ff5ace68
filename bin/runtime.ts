import type { Client } from '@temporalio/client'
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker'
import { connectClient } from '../temporal/client.ts'
import { type KeelConfig, loadConfig } from '../temporal/config.ts'
import { ensureTemporal, type TemporalHandle } from '../temporal/server.ts'

export type Log = (line: string) => void

/** Progress lines go to stderr so stdout stays for results (`status --json | jq`). */
export const progress: Log = (line) => process.stderr.write(`· ${line}\n`)

/** Config, a Temporal service (remote, or the local dev server started if needed) and a client. */
export async function connectRuntime(log: Log = progress): Promise<{ config: KeelConfig; temporal: TemporalHandle; client: Client }> {
  const config = loadConfig()
  const temporal = await ensureTemporal({ config, log })
  const client = await connectClient({ connectionOptions: temporal.connectionOptions, namespace: temporal.namespace })
  return { config, temporal, client }
}

const levels: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']

/**
 * Worker logs at KEEL_LOG_LEVEL (default WARN), one line each. Activity failures that the
 * workflow handles are still printed at WARN; the per-chain queues' "no workflows registered"
 * notice is by design and dropped.
 */
export function installWorkerLogging(env: NodeJS.ProcessEnv = process.env): void {
  const wanted = (env.KEEL_LOG_LEVEL ?? 'WARN').toUpperCase() as LogLevel
  const level = levels.includes(wanted) ? wanted : 'WARN'
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: l, message, meta }) => {
      if (message.startsWith('No workflows registered')) return
      const m = meta as { activityType?: string; failure?: string; workflowType?: string } | undefined
      const where = m?.activityType ?? m?.workflowType ?? ''
      process.stderr.write(`· [${l}] ${message}${where ? ` (${where})` : ''}${m?.failure ? `: ${String(m.failure).split('\n')[0]}` : ''}\n`)
    }),
  })
}
