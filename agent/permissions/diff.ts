import type { Address, Hex } from 'viem'
import {
  type Allowance,
  Clearance,
  callsPlannedForApply,
  callsPlannedForApplyRole,
  encodeCalls,
  encodeKey,
  type PermissionCoerced,
  permissionId,
  type Role,
  reconstructPermissions,
  type Target,
  targetId,
} from 'zodiac-roles-sdk'
import { declaredFunction } from './abi.ts'
import type { AllowanceSetting, CallDeclaration } from './types.ts'

export type RoleChangeKind =
  | 'target-added'
  | 'target-removed'
  | 'clearance-changed'
  | 'function-added'
  | 'function-removed'
  | 'condition-changed'
  | 'execution-options-changed'
  | 'allowance-set'
  | 'allowance-removed'

/** One difference between the role on chain and the role keel needs, in words. */
export type RoleChange = { kind: RoleChangeKind; target: Address | null; selector: Hex | null; text: string }

/** What would change, and the Roles modifier calls (from its owner, the Safe) that change it. */
export type RoleDiff = { changes: RoleChange[]; calls: { to: Address; data: Hex }[] }

/**
 * The changes from the role as read from chain (`current`) to the compiled one (`desired`), in
 * words and as encoded calls to `rolesMod`. Offline: the SDK's planner is given both states
 * (`callsPlannedForApplyRole`, `callsPlannedForApply` for allowances) instead of fetching the
 * current one from its subgraph. Members and annotations are left as they are.
 * `declarations` only name targets and functions in the text.
 */
export function diffRole(p: {
  roleKey: string
  rolesMod: Address
  current: readonly Target[]
  desired: readonly Target[]
  allowances?: { current: readonly Allowance[]; desired: readonly AllowanceSetting[] }
  declarations?: readonly CallDeclaration[]
}): RoleDiff {
  // A role's bytes32 key as is, or its name (`keel`) as zodiac-roles-sdk encodes it.
  const key = /^0x[0-9a-fA-F]{64}$/.test(p.roleKey) ? (p.roleKey.toLowerCase() as Hex) : encodeKey(p.roleKey)
  const role = (targets: readonly Target[]): Role => ({
    key,
    members: [],
    targets: targets.map(normalTarget),
    annotations: [],
    lastUpdate: 0,
  })
  const allowance = (a: Allowance): Allowance => ({
    key: a.key,
    balance: a.balance,
    maxRefill: a.maxRefill,
    refill: a.refill,
    period: a.period,
    timestamp: a.timestamp,
  })
  const roleCalls = callsPlannedForApplyRole(role(p.current), role(p.desired))
  const allowanceCalls = p.allowances
    ? callsPlannedForApply(
        { roles: [], allowances: p.allowances.current.map(allowance) },
        { roles: [], allowances: p.allowances.desired.map(allowance) },
      )
    : []
  const calls = [...roleCalls, ...allowanceCalls]
  return {
    changes: [...targetChanges(p.current, p.desired, namer(p.declarations ?? [])), ...allowanceChanges(p.allowances)],
    calls: calls.length === 0 ? [] : encodeCalls(calls, p.rolesMod),
  }
}

// The planner compares addresses and selectors as strings: both sides in one case.
const normalTarget = (t: Target): Target => ({
  ...t,
  address: t.address.toLowerCase() as Address,
  functions: t.functions.map((f) => ({ ...f, selector: f.selector.toLowerCase() as Hex })),
})

type Namer = { target: (address: string) => string; fn: (address: string, selector: string) => string }

function namer(declarations: readonly CallDeclaration[]): Namer {
  const targets = new Map<string, string>()
  const fns = new Map<string, string>()
  for (const d of declarations) {
    const address = d.target.toLowerCase()
    const { fn, selector } = declaredFunction(d)
    targets.set(address, `${d.targetLabel} ${d.target}`)
    fns.set(`${address}.${selector}`, `${fn.name} (${selector})`)
  }
  return {
    target: (a) => targets.get(a) ?? a,
    fn: (a, s) => `${targets.get(a) ?? a}: ${fns.get(`${a}.${s}`) ?? s}`,
  }
}

const clearanceName = (c: Clearance) =>
  c === Clearance.Target ? 'every function' : c === Clearance.Function ? 'selected functions' : 'nothing'

function targetChanges(current: readonly Target[], desired: readonly Target[], name: Namer): RoleChange[] {
  const changes: RoleChange[] = []
  const byAddress = (ts: readonly Target[]) => new Map(ts.map((t) => [t.address.toLowerCase(), t]))
  // A revoked target stays on chain with no clearance: for the role it is absent.
  const cur = byAddress(current.filter((t) => t.clearance !== Clearance.None || t.functions.length > 0))
  const des = byAddress(desired)
  for (const [address, t] of des) {
    const before = cur.get(address)
    if (!before)
      changes.push({
        kind: 'target-added',
        target: t.address,
        selector: null,
        text: `allow ${clearanceName(t.clearance)} of ${name.target(address)}`,
      })
    else if (before.clearance !== t.clearance)
      changes.push({
        kind: 'clearance-changed',
        target: t.address,
        selector: null,
        text: `${name.target(address)}: from ${clearanceName(before.clearance)} to ${clearanceName(t.clearance)}`,
      })
  }
  for (const [address, t] of cur) {
    if (!des.has(address))
      changes.push({ kind: 'target-removed', target: t.address, selector: null, text: `revoke ${name.target(address)}` })
  }
  const functions = (ts: readonly Target[]) =>
    new Map(
      reconstructPermissions(ts.map(normalTarget))
        .filter((x): x is Extract<PermissionCoerced, { selector: Hex }> => 'selector' in x)
        .map((x) => [targetId(x), x]),
    )
  const curFns = functions(current)
  const desFns = functions(desired)
  const at = (x: { targetAddress: Address; selector: Hex }) => ({ target: x.targetAddress, selector: x.selector })
  for (const [id, x] of desFns) {
    const before = curFns.get(id)
    const fn = name.fn(x.targetAddress, x.selector)
    if (!before)
      changes.push({ kind: 'function-added', ...at(x), text: `allow ${fn}${x.condition ? ' under its condition' : ' with any arguments'}` })
    else if (permissionId(before) !== permissionId(x)) {
      const sameCondition =
        permissionId({ ...before, send: false, delegatecall: false }) === permissionId({ ...x, send: false, delegatecall: false })
      changes.push(
        sameCondition
          ? {
              kind: 'execution-options-changed',
              ...at(x),
              text: `${fn}: native value ${before.send ? 'allowed' : 'refused'} → ${x.send ? 'allowed' : 'refused'}`,
            }
          : { kind: 'condition-changed', ...at(x), text: `${fn}: condition changed` },
      )
    }
  }
  for (const [id, x] of curFns) {
    if (!desFns.has(id)) changes.push({ kind: 'function-removed', ...at(x), text: `revoke ${name.fn(x.targetAddress, x.selector)}` })
  }
  return changes
}

function allowanceChanges(a: { current: readonly Allowance[]; desired: readonly AllowanceSetting[] } | undefined): RoleChange[] {
  if (!a) return []
  const changes: RoleChange[] = []
  for (const d of a.desired) {
    const c = a.current.find((x) => x.key === d.key)
    if (!c || c.refill !== d.refill || c.maxRefill !== d.maxRefill || c.period !== d.period)
      changes.push({
        kind: 'allowance-set',
        target: null,
        selector: null,
        text: `allowance ${d.name}: ${d.refill} every ${d.period} s up to ${d.maxRefill} (${d.description})`,
      })
  }
  for (const c of a.current) {
    if (!a.desired.some((d) => d.key === c.key))
      changes.push({ kind: 'allowance-removed', target: null, selector: null, text: `unset allowance ${c.key}` })
  }
  return changes
}
