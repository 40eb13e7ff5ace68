import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/workflow'

/**
 * What a failed activity or child reported, by its literal type (never by its text), with the
 * message an operator reads and whether it was definite (non-retryable: its outcome is known,
 * not merely unfinished).
 */
export function describeFailure(err: unknown): { failureType: string; reason: string; definite: boolean } {
  const cause = err instanceof ActivityFailure || err instanceof ChildWorkflowFailure ? (err.cause ?? err) : err
  if (cause instanceof ApplicationFailure)
    return { failureType: cause.type ?? 'ApplicationFailure', reason: cause.message, definite: cause.nonRetryable === true }
  if (cause instanceof Error) return { failureType: cause.name, reason: cause.message, definite: false }
  return { failureType: 'Unknown', reason: String(cause), definite: false }
}

/** `type: message`, for status lines. */
export function failureMessage(err: unknown): string {
  const { failureType, reason } = describeFailure(err)
  return `${failureType}: ${reason}`
}
