import { DefaultLogger, type LogLevel, type LogMetadata, Runtime } from '@temporalio/worker'
import { createRedactor, redactUrlsIn } from '../chains/redactRpcUrl.ts'

export type LogLine = { level: LogLevel; message: string; meta: LogMetadata | undefined }

const levels: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']
// CSI sequences (colours, cursor moves): the SDK core colours its own lines when it prints them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point
const ansi = /\u001b\[[0-9;?]*[ -/]*[@-~]/g

/** The log level of KEEL_LOG_LEVEL (default WARN); an unknown value falls back to WARN. */
export function logLevelFrom(env: NodeJS.ProcessEnv): LogLevel {
  const wanted = (env.KEEL_LOG_LEVEL ?? 'WARN').toUpperCase() as LogLevel
  return levels.includes(wanted) ? wanted : 'WARN'
}

/**
 * One log line, as keel prints it: no colour codes, no line breaks, the workflow or activity it is
 * about, the first line of a failure, and every RPC URL and configured URL fragment masked by
 * `redact`. Returns undefined for lines that are noise by design.
 */
export function formatLogLine(line: LogLine, redact: (text: string) => string): string | undefined {
  const { level, message, meta } = line
  // The per-chain queues serve activities only: "no workflows registered" is how they are meant to be.
  if (message.startsWith('No workflows registered')) return undefined
  const m = meta as
    | { activityType?: unknown; workflowType?: unknown; failure?: unknown; error?: unknown; sdkComponent?: unknown }
    | undefined
  const where = String(m?.activityType ?? m?.workflowType ?? '')
  const reason = m?.failure ?? m?.error
  const firstLine = (v: unknown) => String(v).replace(ansi, '').split('\n')[0]?.trim() ?? ''
  const from = m?.sdkComponent === 'core' ? 'temporal core: ' : ''
  const text = `${from}${message}${where ? ` (${where})` : ''}${reason !== undefined ? `: ${firstLine(reason)}` : ''}`
  return `· [${level}] ${redact(
    text
      .replace(ansi, '')
      .replace(/\s*\n\s*/g, ' ')
      .trim(),
  )}`
}

// The Runtime is one per process; so is what it must mask. Commands add the URLs they learn about.
let redact: (text: string) => string = redactUrlsIn
const secretUrls = new Set<string>()
const repeats = new Map<string, number>()
const repeatWindowMs = 30_000

/**
 * Masks these RPC URLs (and their credential-bearing pieces) in every later log line of this
 * process. URLs given earlier stay masked: an activity on an old endpoint may still log after a move.
 */
export function redactLogsFor(urls: readonly string[]): void {
  for (const u of urls) secretUrls.add(u)
  redact = createRedactor([...secretUrls])
}

/**
 * Installs the Temporal Runtime once per process: the SDK's lines and the SDK core's own lines
 * (forwarded, so no ANSI colours and no second format) go through `formatLogLine` to stderr at
 * KEEL_LOG_LEVEL. A line repeated within 30 s is printed once (a core retrying an address that is
 * gone says so every second). No shutdown signals: each command decides what a signal means.
 */
export function installKeelLogging(p: { env?: NodeJS.ProcessEnv; write?: (line: string) => void } = {}): void {
  const level = logLevelFrom(p.env ?? process.env)
  const write = p.write ?? ((line: string) => process.stderr.write(`${line}\n`))
  Runtime.install({
    logger: new DefaultLogger(level, ({ level: l, message, meta }) => {
      const out = formatLogLine({ level: l, message, meta }, redact)
      if (out === undefined) return
      const now = Date.now()
      const last = repeats.get(out)
      if (last !== undefined && now - last < repeatWindowMs) return
      if (repeats.size > 1_000) repeats.clear()
      repeats.set(out, now)
      write(out)
    }),
    telemetryOptions: { logging: { filter: { core: level, other: 'ERROR' }, forward: {} } },
    shutdownSignals: [],
  })
}
