import { BaseError } from '../agent/errors.ts'

/** One step of binary resolution and what came of it; errors list these so an operator sees everything that was tried. */
export type ResolveAttempt = {
  step: 'env' | 'path' | 'cache' | 'pip' | 'go' | 'sdk-download'
  outcome: string
}

const formatAttempts = (tried: readonly ResolveAttempt[]): string[] => tried.map((t) => `- ${t.step}: ${t.outcome}`)

/** An explicit path variable (e.g. TEMPORAL_CLI_PATH) points at nothing runnable; we never fall back silently past an explicit choice. */
export class TemporalCliPathInvalidError extends BaseError {
  override name = 'Temporal.CliPathInvalidError' as const
  readonly variable: string
  readonly path: string
  constructor(params: { variable: string; path: string; cause?: unknown }) {
    super(`${params.variable} points to "${params.path}", which is not an executable file`, {
      metaMessages: [`Unset ${params.variable} to let keel find or install the binary, or point it at an existing one.`],
      cause: params.cause,
      retryable: false,
    })
    this.variable = params.variable
    this.path = params.path
  }
}

/** No binary could be found or installed and the caller cannot use the SDK's own download (e.g. a persistent dev server). */
export class TemporalCliUnavailableError extends BaseError {
  override name = 'Temporal.CliUnavailableError' as const
  readonly binary: string
  readonly tried: readonly ResolveAttempt[]
  constructor(params: { binary: string; tried: readonly ResolveAttempt[]; cause?: unknown }) {
    super(`Could not find or install the "${params.binary}" binary`, {
      metaMessages: ['Tried, in order:', ...formatAttempts(params.tried)],
      cause: params.cause,
      retryable: false,
    })
    this.binary = params.binary
    this.tried = params.tried
  }
}

/** Another process held the install lock for longer than we are willing to wait. */
export class TemporalInstallLockTimeoutError extends BaseError {
  override name = 'Temporal.InstallLockTimeoutError' as const
  readonly lockPath: string
  constructor(params: { lockPath: string; waitedMs: number; owner?: string }) {
    super(`Timed out after ${Math.round(params.waitedMs / 1000)} s waiting for the lock ${params.lockPath}`, {
      metaMessages: [
        ...(params.owner ? [`Held by: ${params.owner}`] : []),
        'If no keel process is installing, delete the lock directory and retry.',
      ],
      retryable: true,
    })
    this.lockPath = params.lockPath
  }
}

/** The local Temporal dev server exited early or never answered; `logTail` carries its last output. */
export class TemporalServerStartError extends BaseError {
  override name = 'Temporal.ServerStartError' as const
  readonly address: string
  readonly logTail: string
  /** The process died before answering (as opposed to never answering); a retry on other ports may help. */
  readonly exitedEarly: boolean
  constructor(params: { address: string; reason: string; logTail: string; logPath?: string; exitedEarly?: boolean; cause?: unknown }) {
    super(`The local Temporal server at ${params.address} did not start: ${params.reason}`, {
      metaMessages: [
        ...(params.logPath ? [`Server log: ${params.logPath}`] : []),
        ...(params.logTail ? ['Last server output:', ...params.logTail.split('\n').map((l) => `  ${l}`)] : []),
      ],
      cause: params.cause,
      retryable: true,
    })
    this.address = params.address
    this.logTail = params.logTail
    this.exitedEarly = params.exitedEarly ?? false
  }
}

/** A port the operator asked for explicitly is taken; we do not silently move an explicit choice. */
export class TemporalPortInUseError extends BaseError {
  override name = 'Temporal.PortInUseError' as const
  readonly variable: string
  readonly port: number
  constructor(params: { variable: string; port: number }) {
    super(`${params.variable}=${params.port} is already in use on 127.0.0.1`, {
      metaMessages: [`Free the port, or unset ${params.variable} to let keel pick a free one.`],
      retryable: true,
    })
    this.variable = params.variable
    this.port = params.port
  }
}

/** A TLS file named by a variable cannot be read; the message names the variable and path, never the content. */
export class TemporalTlsFileError extends BaseError {
  override name = 'Temporal.TlsFileError' as const
  readonly variable: string
  constructor(params: { variable: string; path: string; cause: unknown }) {
    super(`${params.variable} points to "${params.path}", which cannot be read`, { cause: params.cause, retryable: false })
    this.variable = params.variable
  }
}

/** No Temporal frontend answered at the address keel was given or recorded. */
export class TemporalUnreachableError extends BaseError {
  override name = 'Temporal.UnreachableError' as const
  readonly address: string
  constructor(params: { address: string; remote: boolean; cause?: unknown }) {
    super(`Cannot reach Temporal at ${params.address}`, {
      metaMessages: [
        params.remote
          ? 'check TEMPORAL_ADDRESS (and TLS / API key settings) and that the cluster is up'
          : 'the local dev server is not answering: keel temporal status shows it; any keel command starts it again',
      ],
      cause: params.cause,
      retryable: true,
    })
    this.address = params.address
  }
}

/**
 * keel's local dev server went away and did not come back in time. One line on purpose: it is
 * the last thing a worker prints before it exits.
 */
export class TemporalServerGoneError extends BaseError {
  override name = 'Temporal.ServerGoneError' as const
  readonly address: string
  constructor(params: { address: string; reason: string; waitedSec: number }) {
    super(
      `the local Temporal server at ${params.address} is gone (${params.reason}) and did not come back within ${params.waitedSec} s; ` +
        'start it again (keel temporal start) and restart this worker',
      { retryable: true },
    )
    this.address = params.address
  }
}

/** A chain named explicitly with --chains cannot be signed for here; starting without it would hide that. */
export class WorkerChainUnavailableError extends BaseError {
  override name = 'Temporal.WorkerChainUnavailableError' as const
  readonly chains: readonly string[]
  constructor(params: { skipped: readonly { chain: string; reason: 'no-rpc' | 'no-key'; variable: string }[] }) {
    const what = params.skipped.map((s) => `${s.chain} (${s.reason === 'no-rpc' ? 'no RPC' : 'no signing key'}: ${s.variable} is not set)`)
    super(`cannot serve --chains ${what.join(', ')}`, { retryable: false })
    this.chains = params.skipped.map((s) => s.chain)
  }
}
