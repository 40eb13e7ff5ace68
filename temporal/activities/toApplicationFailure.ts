import { ApplicationFailure } from '@temporalio/common'
import { BaseError } from '../../agent/errors.ts'
import { redactUrlsIn } from '../../chains/redactRpcUrl.ts'

/** Masks secrets in text that leaves the process (failure messages, details, logs). */
export type Redact = (text: string) => string

/**
 * The one place where errors leave an activity: a typed BaseError keeps its literal name as the
 * failure type and its own verdict on retrying; anything unknown is treated as transient. Every
 * text that goes into workflow history passes through `redact` first: raw client errors quote
 * the RPC URL they called, keys included, and history is stored and shown to operators.
 */
export function toApplicationFailure(err: unknown, redact: Redact = redactUrlsIn): ApplicationFailure {
  return withoutStack(mapFailure(err, redact))
}

/**
 * Temporal stores a failure's stack trace in history. Here it is always this mapping's own frames
 * (the cause is dropped on purpose), so it says nothing useful and names the worker's file paths.
 */
function withoutStack(failure: ApplicationFailure): ApplicationFailure {
  failure.stack = `${failure.type ?? failure.name}: ${failure.message}`
  return failure
}

function mapFailure(err: unknown, redact: Redact): ApplicationFailure {
  if (err instanceof ApplicationFailure) {
    const message = redact(err.message)
    if (message === err.message && err.cause === undefined) return err
    return ApplicationFailure.create({
      ...(err.type ? { type: err.type } : {}),
      message,
      nonRetryable: err.nonRetryable ?? false,
      details: redactDetails(err.details ?? [], redact),
    })
  }
  if (err instanceof BaseError) {
    const message = redact([err.shortMessage, ...err.metaMessages].join('\n'))
    const details = err.details ? [redact(err.details)] : []
    return ApplicationFailure.create({ type: err.name, message, nonRetryable: !err.retryable, details })
  }
  const e = err instanceof Error ? err : new Error(String(err))
  return ApplicationFailure.create({ type: e.name || 'Error', message: redact(e.message), nonRetryable: false })
}

function redactDetails(details: readonly unknown[], redact: Redact): unknown[] {
  return details.map((d) => JSON.parse(redact(JSON.stringify(d ?? null))) as unknown)
}

/** Wraps every function of an activity object so its failures cross the boundary typed and redacted. */
export function withFailureMapping<T extends Record<string, (...args: never[]) => Promise<unknown>>>(
  activities: T,
  redact: Redact = redactUrlsIn,
): T {
  const wrapped: Record<string, unknown> = {}
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args)
      } catch (err) {
        throw toApplicationFailure(err, redact)
      }
    }
  }
  return wrapped as T
}
