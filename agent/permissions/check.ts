import {
  type AbiFunction,
  type AbiParameter,
  type Address,
  decodeFunctionData,
  type Hex,
  pad,
  parseAbi,
  slice,
  toFunctionSelector,
} from 'viem'
import type { Status } from 'zodiac-roles-sdk'
import { declaredFunction, elementOf } from './abi.ts'
import type { CallDeclaration, ParamRule } from './types.ts'

/** The Roles modifier's `Status` a call would revert with, by name. */
export type RolesStatus = keyof typeof Status

/** Why a call is refused: which target, which function, which parameter, expected against actual. */
export type Violation = {
  status: RolesStatus
  target: Address
  selector: Hex | null
  functionName: string | null
  /** Path of the offending parameter (`params.recipient`, `_actions[1].owner`); null for target, function or value. */
  parameter: string | null
  expected: string | null
  actual: string | null
}

export type CallCheck = { ok: true; declaration: CallDeclaration } | { ok: false; reason: string; violation: Violation }

export type CheckOptions = {
  /**
   * What is left of each allowance, by name, when the caller has read it; without it allowances
   * are not checked here (the Roles modifier still enforces them when the call runs).
   */
  allowanceBalances?: Readonly<Record<string, bigint>>
}

// Functions a refused call is most likely to be, so that its reason can say what it was.
const wellKnown = parseAbi([
  'function transfer(address to, uint256 amount)',
  'function transferFrom(address from, address to, uint256 amount)',
  'function approve(address spender, uint256 amount)',
  'function withdraw(uint256 amount)',
  'function setApprovalForAll(address operator, bool approved)',
])

type Failure = { status: RolesStatus; path: string | null; expected: string | null; actual: string | null; score: number }
type Outcome = { ok: true; score: number } | ({ ok: false } & Failure)

/**
 * Checks an unsigned call against one chain's declarations, as the Roles modifier would before
 * the Safe executes it: the target must be declared, the function declared on it, native value
 * only where declared, and every parameter within its rules. Pure: calldata is decoded with viem
 * against the declared signatures. Of several declarations of one function, one passing is
 * enough; when none does, the reason is the one that got furthest.
 */
export function checkCall(
  call: { to: Address; data: Hex; value: bigint },
  declarations: readonly CallDeclaration[],
  options: CheckOptions = {},
): CallCheck {
  const to = call.to.toLowerCase()
  const atTarget = declarations.filter((d) => d.target.toLowerCase() === to)
  const selector = call.data.length >= 10 ? slice(call.data, 0, 4) : null
  const known = selector ? describeUnknown(call.data, selector, declarations) : null
  if (atTarget.length === 0) {
    return refuse({
      status: 'TargetAddressNotAllowed',
      target: call.to,
      selector,
      functionName: known?.name ?? null,
      detail: `no declared call goes to ${call.to}${known ? `; the call is ${known.text}` : ''}`,
    })
  }
  const label = atTarget[0]!.targetLabel
  if (!selector) {
    return refuse({
      status: 'FunctionNotAllowed',
      target: call.to,
      selector: null,
      functionName: null,
      detail: `${label} ${call.to}: calldata ${call.data} has no function selector (plain transfers are not declared)`,
    })
  }
  const candidates = atTarget.map((d) => ({ d, ...declaredFunction(d) })).filter((x) => x.selector === selector)
  if (candidates.length === 0) {
    const declared = [...new Set(atTarget.map((d) => declaredFunction(d).fn.name))].join(', ')
    return refuse({
      status: 'FunctionNotAllowed',
      target: call.to,
      selector,
      functionName: known?.name ?? null,
      detail: `${label} ${call.to}: function ${selector}${known ? ` ${known.text}` : ''} is not declared (declared there: ${declared})`,
    })
  }
  const failures: (Failure & { d: CallDeclaration; fn: AbiFunction })[] = []
  for (const { d, fn } of candidates) {
    const outcome = checkDeclared({ d, fn, call, options })
    if (outcome.ok) return { ok: true, declaration: d }
    failures.push({ ...outcome, d, fn })
  }
  const best = Math.max(...failures.map((f) => f.score))
  const top = failures.filter((f) => f.score === best)
  const first = top[0]!
  // Declarations tied on the same parameter (an approve to one of several spenders): name every allowed value.
  const expected = top.every((f) => f.path === first.path)
    ? [...new Set(top.map((f) => f.expected).filter((e): e is string => e !== null))].join(' | ') || null
    : first.expected
  const status = top.length > 1 && top.every((f) => f.path === first.path) ? 'OrViolation' : first.status
  const where = first.path ? `parameter ${first.path}` : 'call'
  return refuse({
    status: first.status === 'SendNotAllowed' ? first.status : status,
    target: call.to,
    selector,
    functionName: first.fn.name,
    parameter: first.path,
    expected,
    actual: first.actual,
    detail: `${label} ${call.to}: ${first.fn.name} (${selector}) ${where}: expected ${expected ?? '(see declaration)'}, got ${first.actual ?? '(none)'}`,
  })
}

function refuse(p: {
  status: RolesStatus
  target: Address
  selector: Hex | null
  functionName: string | null
  parameter?: string | null
  expected?: string | null
  actual?: string | null
  detail: string
}): CallCheck {
  const violation: Violation = {
    status: p.status,
    target: p.target,
    selector: p.selector,
    functionName: p.functionName,
    parameter: p.parameter ?? null,
    expected: p.expected ?? null,
    actual: p.actual ?? null,
  }
  return { ok: false, reason: `${p.status}: ${p.detail}`, violation }
}

function checkDeclared(p: { d: CallDeclaration; fn: AbiFunction; call: { data: Hex; value: bigint }; options: CheckOptions }): Outcome {
  const { d, fn, call } = p
  if (call.value > 0n && !d.send) {
    return { ok: false, status: 'SendNotAllowed', path: null, expected: 'no native value', actual: `${call.value} wei`, score: 0 }
  }
  let args: readonly unknown[]
  try {
    args = decodeFunctionData({ abi: [fn], data: call.data }).args ?? []
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err)
    return {
      ok: false,
      status: 'ParameterNotAMatch',
      path: null,
      expected: d.signature,
      actual: `undecodable calldata (${message})`,
      score: 0,
    }
  }
  let score = 0
  for (const [i, input] of fn.inputs.entries()) {
    const rule = input.name === undefined ? undefined : d.params[input.name]
    if (rule === undefined) continue
    const out = evaluate({ rule, value: args[i], param: input, path: input.name ?? `#${i}`, options: p.options })
    score += out.score
    if (!out.ok) return { ...out, score }
  }
  return { ok: true, score }
}

function evaluate(p: { rule: ParamRule; value: unknown; param: AbiParameter; path: string; options: CheckOptions }): Outcome {
  const { rule, value, param, path } = p
  const fail = (status: RolesStatus, expected: string): Outcome => ({ ok: false, status, path, expected, actual: show(value), score: 0 })
  switch (rule.kind) {
    case 'any':
      return { ok: true, score: 0 }
    case 'avatar': {
      const safe = param.type === 'bytes32' ? pad(rule.safe, { size: 32 }) : rule.safe
      return same(value, safe) ? { ok: true, score: 1 } : fail('ParameterNotAllowed', `this chain's treasury Safe ${safe}`)
    }
    case 'oneOf':
      return rule.values.some((v) => same(value, v.value))
        ? { ok: true, score: 1 }
        : fail(
            rule.values.length > 1 ? 'OrViolation' : 'ParameterNotAllowed',
            rule.values.map((v) => `${v.label} ${show(v.value)}`).join(' | '),
          )
    case 'withinAllowance': {
      const balances = p.options.allowanceBalances
      if (!balances) return { ok: true, score: 1 }
      const left = balances[rule.allowance]
      if (left === undefined) return fail('AllowanceExceeded', `allowance ${rule.allowance} (its balance is unknown)`)
      return typeof value === 'bigint' && value <= left
        ? { ok: true, score: 1 }
        : fail('AllowanceExceeded', `at most ${left} left of allowance ${rule.allowance}`)
    }
    case 'matches': {
      const components = 'components' in param ? param.components : []
      let score = 0
      for (const [name, r] of Object.entries(rule.fields)) {
        const component = components.find((x) => x.name === name)
        const field = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined
        const out = component
          ? evaluate({ ...p, rule: r, value: field, param: component, path: `${path}.${name}` })
          : fail('ParameterNotAMatch', name)
        score += out.score
        if (!out.ok) return { ...out, score }
      }
      return { ok: true, score }
    }
    case 'every': {
      if (!Array.isArray(value)) return fail('ParameterNotAMatch', 'an array')
      let score = 0
      for (const [i, element] of value.entries()) {
        const out = evaluate({ ...p, rule: rule.element, value: element, param: elementOf(param), path: `${path}[${i}]` })
        score += out.score
        if (!out.ok) return { ...out, status: 'NotEveryArrayElementPasses', score }
      }
      return { ok: true, score }
    }
    case 'anyOf': {
      const outcomes = rule.branches.map((b) => evaluate({ ...p, rule: b }))
      const passed = outcomes.find((o) => o.ok)
      if (passed) return passed
      // The branch that matched furthest (an action whose type matched but whose owner did not) says why.
      const failed = outcomes.filter((o): o is Extract<Outcome, { ok: false }> => !o.ok)
      const best = failed.reduce((a, b) => (b.score > a.score ? b : a))
      return best.score > 0
        ? best
        : { ...best, status: 'OrViolation', path, expected: `one of ${rule.branches.length} allowed shapes`, actual: show(value) }
    }
  }
}

function same(actual: unknown, expected: unknown): boolean {
  return norm(actual) === norm(expected)
}

function norm(v: unknown): string {
  if (typeof v === 'string') return v.toLowerCase()
  if (typeof v === 'bigint' || typeof v === 'number') return BigInt(v).toString()
  return String(v)
}

function show(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'bigint' || typeof v === 'number') return String(v)
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v)
}

/** What an undeclared call is, decoded against a declared or well-known signature with the same selector. */
function describeUnknown(data: Hex, selector: Hex, declarations: readonly CallDeclaration[]): { name: string; text: string } | null {
  const fromDeclarations = declarations.map((d) => declaredFunction(d).fn)
  const fn = [...fromDeclarations, ...wellKnown].find((f) => toFunctionSelector(f) === selector)
  if (!fn) return null
  try {
    const { args } = decodeFunctionData({ abi: [fn], data })
    const shown = fn.inputs.map((input, i) => `${input.name ?? `#${i}`}=${show(args?.[i])}`).join(', ')
    return { name: fn.name, text: `${fn.name}(${shown})` }
  } catch {
    return { name: fn.name, text: fn.name }
  }
}
