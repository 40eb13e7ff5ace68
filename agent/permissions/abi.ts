import { type AbiFunction, type AbiParameter, type Hex, parseAbiItem, toFunctionSelector } from 'viem'
import { InvalidInputError } from '../errors.ts'
import type { CallDeclaration, ParamRule } from './types.ts'

/** A parameter as human-readable ABI with inline tuples and names: `(address to, uint256 amount)[] items`. */
export function formatParameter(p: AbiParameter): string {
  const tuple = /^tuple(.*)$/.exec(p.type)
  const type = tuple && 'components' in p ? `(${p.components.map(formatParameter).join(', ')})${tuple[1]}` : p.type
  return p.name ? `${type} ${p.name}` : type
}

/** The human-readable signature of an adapter's ABI function, as a declaration carries it. */
export function humanSignature(fn: AbiFunction): string {
  const payable = fn.stateMutability === 'payable' ? ' payable' : ''
  return `function ${fn.name}(${fn.inputs.map(formatParameter).join(', ')})${payable}`
}

/** A declaration's function, parsed and checked against its rules once. */
export type DeclaredFunction = { fn: AbiFunction; selector: Hex }

/** Parses a declaration's signature and checks that every rule fits the parameter it names; throws InvalidInputError otherwise. */
export function declaredFunction(d: CallDeclaration): DeclaredFunction {
  let fn: AbiFunction
  try {
    const item = parseAbiItem(d.signature)
    if (item.type !== 'function') throw new Error(`a ${item.type}, not a function`)
    fn = item
  } catch (err) {
    throw new InvalidInputError({ what: 'call declaration', issues: [{ path: 'signature', message: `${d.signature}: ${String(err)}` }] })
  }
  const found = { fn, selector: toFunctionSelector(fn) }
  const issues: { path: string; message: string }[] = []
  for (const [name, rule] of Object.entries(d.params)) {
    const input = found.fn.inputs.find((i) => i.name === name)
    if (!input) issues.push({ path: name, message: `${found.fn.name} has no parameter named ${name}` })
    else issues.push(...ruleIssues(rule, input, name))
  }
  if (issues.length > 0) {
    throw new InvalidInputError({ what: `call declaration ${d.adapter}: ${d.targetLabel}.${found.fn.name}`, issues })
  }
  return found
}

/** The element type of an array parameter. */
export const elementOf = (p: AbiParameter): AbiParameter => ({ ...p, type: p.type.replace(/\[\d*\]$/, '') })

function ruleIssues(rule: ParamRule, p: AbiParameter, path: string): { path: string; message: string }[] {
  const wrong = (message: string) => [{ path, message: `${message} (parameter type ${p.type})` }]
  switch (rule.kind) {
    case 'any':
      return []
    case 'avatar':
      return p.type === 'address' || p.type === 'bytes32' ? [] : wrong('avatar applies to an address or bytes32')
    case 'oneOf':
      return rule.values.length > 0 && !p.type.startsWith('tuple') && !p.type.endsWith(']')
        ? []
        : wrong('oneOf needs values of a plain type')
    case 'withinAllowance':
      return /^uint\d*$/.test(p.type) ? [] : wrong('withinAllowance applies to a uint')
    case 'matches': {
      if (p.type !== 'tuple' || !('components' in p)) return wrong('matches applies to a tuple')
      return Object.entries(rule.fields).flatMap(([name, r]) => {
        const c = p.components.find((x) => x.name === name)
        return c ? ruleIssues(r, c, `${path}.${name}`) : [{ path: `${path}.${name}`, message: `the tuple has no component named ${name}` }]
      })
    }
    case 'every':
      return p.type.endsWith(']') ? ruleIssues(rule.element, elementOf(p), `${path}[]`) : wrong('every applies to an array')
    case 'anyOf':
      return rule.branches.length > 0 ? rule.branches.flatMap((b) => ruleIssues(b, p, path)) : wrong('anyOf needs a branch')
  }
}
