import { z } from 'zod'

/**
 * Amounts cross every serialisation boundary (Temporal payloads, JSON files, CLI) as base-unit
 * decimal strings; this is the one schema that turns them back into bigint.
 */
export const amountString = z
  .string()
  .regex(/^-?\d+$/, 'expected an integer amount in base units as a decimal string')
  .transform((s) => BigInt(s))

export const nonNegativeAmountString = z
  .string()
  .regex(/^\d+$/, 'expected a non-negative integer amount in base units as a decimal string')
  .transform((s) => BigInt(s))

/** Serialises a base-unit amount for a Temporal payload or JSON. */
export const toAmountString = (amount: bigint): string => amount.toString()

/**
 * The one explicitly lossy conversion from a base-unit amount to an approximate number, for risk
 * statistics only. A number produced here must never flow back into a transaction.
 */
export function toApproxNumber(amount: bigint, decimals: number): number {
  const neg = amount < 0n
  const abs = neg ? -amount : amount
  const scale = 10n ** BigInt(decimals)
  const whole = abs / scale
  const frac = abs % scale
  const value = Number(whole) + Number(frac) / Number(scale)
  return neg ? -value : value
}

/** Ceil division for non-negative bigints: rounding against us on amounts we pay. */
export const divCeil = (a: bigint, b: bigint): bigint => (a + b - 1n) / b

/** The smallest of bigints (Math.min does not take bigint). */
export function minBigint(first: bigint, ...rest: bigint[]): bigint {
  let m = first
  for (const x of rest) if (x < m) m = x
  return m
}

/** The largest of bigints (Math.max does not take bigint). */
export function maxBigint(first: bigint, ...rest: bigint[]): bigint {
  let m = first
  for (const x of rest) if (x > m) m = x
  return m
}

/** A base-unit amount as a decimal string cut (not rounded) to `digits` decimals, for messages. */
export function formatAmount(amount: bigint, decimals: number, digits: number): string {
  const neg = amount < 0n
  const abs = neg ? -amount : amount
  const scale = 10n ** BigInt(decimals)
  const whole = (abs / scale).toString()
  const frac = (abs % scale).toString().padStart(decimals, '0').slice(0, digits)
  return `${neg ? '-' : ''}${whole}${digits > 0 ? `.${frac}` : ''}`
}
