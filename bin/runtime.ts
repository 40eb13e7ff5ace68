import type { Client } from '@temporalio/client'
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
