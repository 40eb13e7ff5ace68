import { BaseError } from '../errors.ts'

/** An option input outside the model's domain (NaN, non-positive spot/strike, negative vol or time). */
export class InvalidOptionInputError extends BaseError {
  override name = 'Risk.InvalidOptionInputError' as const
  /** The offending field, e.g. `vol`, or `vol[17]` for a book. */
  readonly field: string
  readonly value: unknown
  constructor(params: { field: string; value: unknown; expected: string; index?: number }) {
    const where = params.index === undefined ? params.field : `${params.field}[${params.index}]`
    super(`Invalid option input: ${where} = ${String(params.value)}`, {
      metaMessages: [`- ${where}: expected ${params.expected}`],
      retryable: false,
    })
    this.field = where
    this.value = params.value
  }
}
