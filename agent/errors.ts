/**
 * The one error base of keel, shaped after viem/ox: a short message for humans, `details` for
 * the raw reason, `metaMessages` for operator context, a native `cause`, and `walk()` to find a
 * typed error anywhere in the chain. `name` is a literal, namespaced string so that errors can
 * be matched by type after crossing the Temporal boundary, never by their text.
 */
export type BaseErrorParameters = {
  cause?: unknown
  details?: string
  metaMessages?: readonly string[]
  retryable?: boolean
}

export class BaseError extends Error {
  override name = 'Keel.BaseError'
  readonly shortMessage: string
  readonly details: string | undefined
  readonly metaMessages: readonly string[]
  readonly retryable: boolean

  constructor(shortMessage: string, params: BaseErrorParameters = {}) {
    const details =
      params.details ??
      (params.cause instanceof BaseError ? params.cause.details : params.cause instanceof Error ? params.cause.message : undefined)
    const lines = [
      shortMessage,
      ...(params.metaMessages?.length ? ['', ...params.metaMessages] : []),
      ...(details ? ['', `Details: ${details}`] : []),
    ]
    super(lines.join('\n'), params.cause === undefined ? undefined : { cause: params.cause })
    this.shortMessage = shortMessage
    this.details = details
    this.metaMessages = params.metaMessages ?? []
    this.retryable = params.retryable ?? false
  }

  /** Walks the cause chain; returns the first error `fn` accepts, or the innermost one. */
  walk(fn?: (err: unknown) => boolean): unknown {
    return walk(this, fn)
  }
}

function walk(err: unknown, fn?: (err: unknown) => boolean): unknown {
  if (fn?.(err)) return err
  if (err && typeof err === 'object' && 'cause' in err && err.cause !== undefined) return walk(err.cause, fn)
  return fn ? null : err
}

/** Input that a schema refused; `issues` name each offending path and value. */
export class InvalidInputError extends BaseError {
  override name = 'Keel.InvalidInputError' as const
  readonly issues: readonly { path: string; message: string }[]
  constructor(params: { what: string; issues: readonly { path: string; message: string }[]; cause?: unknown }) {
    super(`Invalid ${params.what}`, {
      metaMessages: params.issues.map((i) => `- ${i.path || '(root)'}: ${i.message}`),
      cause: params.cause,
      retryable: false,
    })
    this.issues = params.issues
  }
}
