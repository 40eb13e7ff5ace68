import { type Address, type Hex, pad } from 'viem'
import type { Expected, ParamRule } from './types.ts'

// Small constructors so that declarations read like the conditions they are.

export const any: ParamRule = { kind: 'any' }

/** The chain's treasury Safe (the Roles avatar); left-padded on a bytes32 parameter. */
export const avatar = (safe: Address): ParamRule => ({ kind: 'avatar', safe })

/** Exactly `value`. */
export const equals = (value: Expected['value'], label: string): ParamRule => ({ kind: 'oneOf', values: [{ value, label }] })

/** One of `values`. */
export const oneOf = (values: readonly Expected[]): ParamRule => ({ kind: 'oneOf', values })

/** An address as bridges encode it: bytes32, left-padded. */
export const bytes32Of = (address: Address): Hex => pad(address, { size: 32 })

/** Spends from the named allowance (a uint parameter). */
export const withinAllowance = (allowance: string): ParamRule => ({ kind: 'withinAllowance', allowance })

/** A tuple whose named components meet their rules. */
export const matches = (fields: Readonly<Record<string, ParamRule>>): ParamRule => ({ kind: 'matches', fields })

/** An array whose every element meets `element`. */
export const every = (element: ParamRule): ParamRule => ({ kind: 'every', element })

/** At least one branch. */
export const anyOf = (branches: readonly ParamRule[]): ParamRule => ({ kind: 'anyOf', branches })
