import type { Hex } from 'viem'
import { type Annotation, c, type Permission, processPermissions, type Target, targetIntegrity } from 'zodiac-roles-sdk'
import { InvalidInputError } from '../errors.ts'
import { declaredFunction, formatParameter } from './abi.ts'
import type { AllowanceSetting, CallDeclaration, ParamRule } from './types.ts'

/** A role as the Roles modifier stores it, and the allowances its conditions spend from. */
export type CompiledRole = {
  /** One zodiac-roles-sdk permission per declaration, before merging. */
  permissions: Permission[]
  /** processPermissions' merged targets: what `scopeTarget` / `scopeFunction` set on chain. */
  targets: Target[]
  annotations: Annotation[]
  /** Every allowance a condition names, for the deploy to `setAllowance`. */
  allowances: AllowanceSetting[]
}

// The SDK's condition builders take ethers ParamTypes; keel never builds one itself.
type Scoping = ReturnType<typeof c.eq>

/**
 * Compiles one chain's declarations into a Roles v2 role: each declaration becomes a function
 * permission on its target whose calldata must match its rules (`c.calldataMatches`), and
 * processPermissions merges declarations of the same function into one `or`. Throws
 * InvalidInputError for a declaration whose rules do not fit its signature, for declarations of
 * several chains, and for an allowance no setting defines (a role spending from an unset
 * allowance would refuse every call).
 */
export function compilePermissions(p: { declarations: readonly CallDeclaration[]; allowances: readonly AllowanceSetting[] }): CompiledRole {
  const chains = new Set(p.declarations.map((d) => d.chain))
  if (chains.size > 1) {
    throw new InvalidInputError({
      what: 'permission declarations',
      issues: [{ path: 'chain', message: `one role per chain; got ${[...chains].join(', ')}` }],
    })
  }
  const byName = new Map(p.allowances.map((a) => [a.name, a]))
  const used = new Set<string>()
  const missing: { path: string; message: string }[] = []
  const permissions = p.declarations.map((d): Permission => {
    const { fn, selector } = declaredFunction(d)
    const keyOf = (name: string): Hex => {
      const a = byName.get(name)
      if (!a) {
        missing.push({ path: `${d.adapter}: ${d.targetLabel}.${fn.name}`, message: `allowance ${name} is not set` })
        return '0x'
      }
      used.add(name)
      return a.key
    }
    const scopings = fn.inputs.map((input) => {
      const rule = input.name === undefined ? undefined : d.params[input.name]
      return rule === undefined ? undefined : scopingOf(rule, keyOf)
    })
    const base = { targetAddress: d.target, selector, send: d.send }
    if (scopings.every((s) => s === undefined)) return base
    return { ...base, condition: c.calldataMatches(scopings, fn.inputs.map(formatParameter)) }
  })
  if (missing.length > 0) throw new InvalidInputError({ what: 'permission allowances', issues: missing })
  const { targets, annotations } = processPermissions(permissions)
  // The SDK's own structural checks (root is calldata, branches agree on types), before anything reaches a chain.
  targetIntegrity(targets)
  return { permissions, targets, annotations, allowances: p.allowances.filter((a) => used.has(a.name)) }
}

/** A rule as the SDK's condition builders; undefined where anything passes (Roles' `Pass`). */
function scopingOf(rule: ParamRule, keyOf: (name: string) => Hex): Scoping | undefined {
  switch (rule.kind) {
    case 'any':
      return undefined
    case 'avatar':
      return c.avatar
    case 'oneOf':
      return orOf(rule.values.map((v) => c.eq(v.value)))
    case 'withinAllowance':
      return c.withinAllowance(keyOf(rule.allowance)) as Scoping
    case 'matches': {
      const fields = Object.entries(rule.fields).flatMap(([name, r]) => {
        const s = scopingOf(r, keyOf)
        return s === undefined ? [] : [[name, s] as const]
      })
      return fields.length === 0 ? undefined : (c.matches(Object.fromEntries(fields)) as Scoping)
    }
    case 'every': {
      const element = scopingOf(rule.element, keyOf)
      return element === undefined ? undefined : (c.every(element) as Scoping)
    }
    case 'anyOf': {
      const branches = rule.branches.map((b) => scopingOf(b, keyOf))
      // A branch that lets anything pass makes the whole `or` pass.
      return branches.some((b) => b === undefined) ? undefined : orOf(branches as Scoping[])
    }
  }
}

function orOf(branches: Scoping[]): Scoping {
  const [first, second, ...rest] = branches
  if (!first) throw new RangeError('a condition needs at least one branch')
  return second ? (c.or(first, second, ...rest) as Scoping) : first
}
