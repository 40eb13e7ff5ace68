import { ApplicationFailure } from '@temporalio/common'
import { BaseError } from '../../agent/errors.ts'

/**
 * The one place where errors leave an activity: a typed BaseError keeps its literal name as the
 * failure type and its own verdict on retrying; anything unknown is treated as transient.
 */
export function toApplicationFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err
  if (err instanceof BaseError) {
    const message = [err.shortMessage, ...err.metaMessages].join('\n')
    return ApplicationFailure.create({ type: err.name, message, nonRetryable: !err.retryable, details: err.details ? [err.details] : [] })
  }
  const e = err instanceof Error ? err : new Error(String(err))
  return ApplicationFailure.create({ type: e.name || 'Error', message: e.message, nonRetryable: false })
}

/** Wraps every function of an activity object so its failures cross the boundary typed. */
export function withFailureMapping<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, unknown> = {}
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args)
      } catch (err) {
        throw toApplicationFailure(err)
      }
    }
  }
  return wrapped as T
}
