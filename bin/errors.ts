import {
  isGrpcServiceError,
  QueryNotRegisteredError,
  ServiceError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client'
import { ApplicationFailure, NamespaceNotFoundError } from '@temporalio/common'
import { BaseError } from '../agent/errors.ts'
import { redactUrlsIn } from '../chains/redactRpcUrl.ts'

/** Where the CLI was talking to, for messages: the Temporal address and the portfolio asked about. */
export type CliContext = { temporalAddress?: string | undefined; portfolio?: string | undefined }

// gRPC status codes the CLI explains (grpc-js `status`).
const UNAVAILABLE = 14
const CANCELLED = 1
const DEADLINE_EXCEEDED = 4
const NOT_FOUND = 5

/**
 * Every way a CLI command can fail, as a first line that says what went wrong and what to do,
 * plus indented lines for itemised issues. Never a stack trace, never a secret: every line goes
 * through `redact` (RPC URLs cut to their origin by default).
 */
export function describeCliError(err: unknown, ctx: CliContext = {}, redact: (s: string) => string = redactUrlsIn): string[] {
  return explain(err, ctx).map(redact)
}

function explain(err: unknown, ctx: CliContext): string[] {
  const at = ctx.temporalAddress ? ` at ${ctx.temporalAddress}` : ''
  const portfolio = ctx.portfolio ? `"${ctx.portfolio}"` : 'that portfolio'
  if (err instanceof BaseError) return [err.shortMessage, ...err.metaMessages.filter((m) => m !== '').map((m) => `  ${m}`)]
  if (err instanceof WorkflowNotFoundError)
    return [`no running portfolio ${portfolio} (workflow ${err.workflowId} not found): start one with keel run <mandate.yaml>`]
  if (err instanceof NamespaceNotFoundError) return [`Temporal namespace "${err.namespace}" does not exist${at}: check TEMPORAL_NAMESPACE`]
  if (err instanceof WorkflowUpdateFailedError) return refusal(err.cause)
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isDeadline(err))
    return [`no worker answered for ${portfolio}${at}: start one with keel worker (same TEMPORAL_ADDRESS and task-queue prefix)`]
  if (err instanceof QueryNotRegisteredError)
    return [`the worker serving ${portfolio} runs an older keel that does not know "${err.message}": upgrade the worker`]
  if (err instanceof WorkflowFailedError) return [`the workflow failed: ${oneLine(err.cause?.message ?? err.message)}`]
  const code = grpcCode(err)
  if (code === UNAVAILABLE) return [`cannot reach Temporal${at}: is the server running? (keel temporal status; or check TEMPORAL_ADDRESS)`]
  if (code === NOT_FOUND) return [`not found${at}: ${oneLine(messageOf(err))}`]
  if (err instanceof Error) return [`unexpected ${err.name}: ${oneLine(err.message)} (run with KEEL_DEBUG=1 for the stack)`]
  return [`unexpected failure: ${oneLine(String(err))}`]
}

/** An update the workflow's validator refused: its typed reason and, for input errors, each issue. */
function refusal(cause: Error | undefined): string[] {
  if (!(cause instanceof ApplicationFailure)) return [`refused: ${oneLine(cause?.message ?? 'no reason given')}`]
  const issues = cause.type === 'Keel.InvalidInputError' ? issuesOf(cause.details?.[0]) : []
  if (issues.length > 0) return ['refused by the running portfolio:', ...issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`)]
  const [first = '', ...rest] = cause.message.split('\n')
  return [`refused by the running portfolio: ${first}`, ...rest.filter(Boolean).map((l) => `  ${l}`)]
}

function issuesOf(details: unknown): { path: string; message: string }[] {
  if (!Array.isArray(details)) return []
  return details.filter((d): d is { path: string; message: string } => typeof d?.path === 'string' && typeof d?.message === 'string')
}

function grpcCode(err: unknown): number | undefined {
  const inner = err instanceof ServiceError ? err.cause : err
  if (isGrpcServiceError(inner)) return inner.code
  return undefined
}

// A call past its deadline ends DEADLINE_EXCEEDED, or CANCELLED when the deadline falls in a retry's back-off.
const isDeadline = (err: unknown): boolean => grpcCode(err) === DEADLINE_EXCEEDED || grpcCode(err) === CANCELLED

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err))

const oneLine = (s: string): string => s.split('\n')[0] ?? ''
