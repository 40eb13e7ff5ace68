import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { inspect } from 'node:util'
import { z } from 'zod'
import { InvalidInputError } from '../agent/errors.ts'

/** Holds a secret so that logging, JSON and string conversion of the config never show it; `reveal()` is the only way out. */
export class Redacted {
  readonly #value: string
  constructor(value: string) {
    this.#value = value
  }
  reveal(): string {
    return this.#value
  }
  toString(): string {
    return '[redacted]'
  }
  toJSON(): string {
    return '[redacted]'
  }
  [inspect.custom](): string {
    return '[redacted]'
  }
}

export type TemporalLogLevel = 'debug' | 'info' | 'warn' | 'error'

export type KeelConfig = Readonly<{
  projectRoot: string
  /** Where keel keeps machine-local state: binaries, the dev server's sqlite file, pid files. */
  stateDir: string
  temporal: Readonly<{
    /** `host:port` of an existing Temporal service; when absent keel starts a local dev server. */
    address: string | undefined
    namespace: string
    /** Present when any TLS variable is set; cert and key come together (mTLS), CA and server name stand alone. */
    tls:
      | Readonly<{ certPath: string | undefined; keyPath: string | undefined; caPath: string | undefined; serverName: string | undefined }>
      | undefined
    apiKey: Redacted | undefined
    /** Local dev server ports; absent means 7233 / 8233 when free, otherwise any free port. */
    port: number | undefined
    uiPort: number | undefined
    logLevel: TemporalLogLevel
  }>
  worker: Readonly<{
    /** After a shutdown request, how long activities may finish before they are cancelled. */
    shutdownGraceSec: number
    /** How long a worker on keel's local dev server waits for a server that went away before it exits. */
    temporalGiveUpSec: number
  }>
}>

/** Variables whose values must never appear in an error or log line. */
const secretVariables = new Set(['TEMPORAL_API_KEY'])

const optionalText = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s ? s : undefined))

const port = z
  .string()
  .trim()
  .regex(/^\d+$/, 'expected a port number 1-65535')
  .transform(Number)
  .refine((n) => n >= 1 && n <= 65_535, 'expected a port number 1-65535')
  .optional()

// Empty strings count as unset: shells and .env files often export `VAR=` to mean "not configured".
const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)

const seconds = (fallback: number, max: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().min(0, 'expected seconds >= 0').max(max, `expected seconds <= ${max}`).default(fallback))

const envSchema = z
  .object({
    TEMPORAL_ADDRESS: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .trim()
        .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected host:port, e.g. localhost:7233 or ns.acct.tmprl.cloud:7233')
        .optional(),
    ),
    TEMPORAL_NAMESPACE: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .trim()
        .regex(/^[A-Za-z0-9._-]{1,255}$/, 'expected a namespace name (letters, digits, . _ -)')
        .default('default'),
    ),
    TEMPORAL_TLS_CERT: optionalText,
    TEMPORAL_TLS_KEY: optionalText,
    TEMPORAL_TLS_CA: optionalText,
    TEMPORAL_TLS_SERVER_NAME: optionalText,
    TEMPORAL_API_KEY: optionalText,
    KEEL_STATE_DIR: optionalText,
    KEEL_TEMPORAL_PORT: z.preprocess(emptyToUndefined, port),
    KEEL_TEMPORAL_UI_PORT: z.preprocess(emptyToUndefined, port),
    KEEL_TEMPORAL_LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['debug', 'info', 'warn', 'error']).default('warn')),
    KEEL_WORKER_SHUTDOWN_GRACE_SEC: seconds(10, 3_600),
    KEEL_WORKER_TEMPORAL_GIVE_UP_SEC: seconds(60, 86_400),
  })
  .superRefine((env, ctx) => {
    // A client certificate without its key (or the reverse) is always a mistake; mTLS needs both.
    if (env.TEMPORAL_TLS_CERT && !env.TEMPORAL_TLS_KEY)
      ctx.addIssue({ code: 'custom', path: ['TEMPORAL_TLS_KEY'], message: 'required when TEMPORAL_TLS_CERT is set' })
    if (env.TEMPORAL_TLS_KEY && !env.TEMPORAL_TLS_CERT)
      ctx.addIssue({ code: 'custom', path: ['TEMPORAL_TLS_CERT'], message: 'required when TEMPORAL_TLS_KEY is set' })
    if (env.TEMPORAL_ADDRESS === undefined && (env.TEMPORAL_TLS_CERT || env.TEMPORAL_TLS_CA || env.TEMPORAL_API_KEY))
      ctx.addIssue({
        code: 'custom',
        path: ['TEMPORAL_ADDRESS'],
        message: 'required when TEMPORAL_TLS_* or TEMPORAL_API_KEY is set (credentials are for a remote service)',
      })
  })

/** The repository root, found from this file's location so that it does not depend on the caller's working directory. */
export function defaultProjectRoot(): string {
  return dirname(dirname(fileURLToPath(import.meta.url)))
}

/** Parses the environment once into a frozen config; throws InvalidInputError naming each bad variable (secret values hidden). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: { projectRoot?: string } = {}): KeelConfig {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? '')
      const value = env[variable]
      const shown = secretVariables.has(variable) ? '(value hidden)' : value === undefined ? '(unset)' : JSON.stringify(value)
      return { path: variable, message: `${issue.message}; got ${shown}` }
    })
    throw new InvalidInputError({ what: 'environment', issues })
  }
  const e = parsed.data
  const projectRoot = resolve(options.projectRoot ?? defaultProjectRoot())
  const stateDir = e.KEEL_STATE_DIR
    ? isAbsolute(e.KEEL_STATE_DIR)
      ? e.KEEL_STATE_DIR
      : resolve(projectRoot, e.KEEL_STATE_DIR)
    : join(projectRoot, '.keel')
  const fromRoot = (p: string | undefined) => (p ? resolve(projectRoot, p) : undefined)
  const tls =
    e.TEMPORAL_TLS_CERT || e.TEMPORAL_TLS_CA || e.TEMPORAL_TLS_SERVER_NAME
      ? Object.freeze({
          certPath: fromRoot(e.TEMPORAL_TLS_CERT),
          keyPath: fromRoot(e.TEMPORAL_TLS_KEY),
          caPath: fromRoot(e.TEMPORAL_TLS_CA),
          serverName: e.TEMPORAL_TLS_SERVER_NAME,
        })
      : undefined
  return Object.freeze({
    projectRoot,
    stateDir,
    temporal: Object.freeze({
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      tls,
      apiKey: e.TEMPORAL_API_KEY ? new Redacted(e.TEMPORAL_API_KEY) : undefined,
      port: e.KEEL_TEMPORAL_PORT,
      uiPort: e.KEEL_TEMPORAL_UI_PORT,
      logLevel: e.KEEL_TEMPORAL_LOG_LEVEL,
    }),
    worker: Object.freeze({ shutdownGraceSec: e.KEEL_WORKER_SHUTDOWN_GRACE_SEC, temporalGiveUpSec: e.KEEL_WORKER_TEMPORAL_GIVE_UP_SEC }),
  })
}
