import { type Abi, decodeFunctionData, getAddress, toFunctionSelector } from 'viem'
import { describe, expect, test } from 'vitest'
import { type Condition, callsPlannedForApplyRole, encodeCalls, encodeKey, rolesAbi, type Target } from 'zodiac-roles-sdk'
import { declareChainPermissions } from '../../temporal/permissions.ts'
import { approveDeclarations } from './approveDeclarations.ts'
import { compilePermissions } from './compile.ts'
import { diffRole } from './diff.ts'
import { addr, baseContext, tokens, venues } from './testFixtures.ts'

const rolesMod = addr(9, 1)
const declarations = declareChainPermissions(baseContext)
const { targets, allowances } = compilePermissions({ declarations, allowances: baseContext.allowances })

const decode = (calls: { data: `0x${string}` }[]) => calls.map((c) => decodeFunctionData({ abi: rolesAbi as Abi, data: c.data }))

type Flat = { parent: number; paramType: number; operator: number; compValue: `0x${string}` }

/** The role as a reader of the modifier's calls (or their events) rebuilds it: conditions from their flat, breadth-first form. */
function readBack(applied: { data: `0x${string}` }[]): Target[] {
  const targets: Target[] = []
  const tree = (flat: readonly Flat[]): Condition => {
    const nodes = flat.map((f) => ({
      paramType: f.paramType,
      operator: f.operator,
      ...(f.compValue === '0x' ? {} : { compValue: f.compValue }),
      children: [] as Condition[],
    }))
    nodes.forEach((n, i) => {
      if (i > 0) nodes[flat[i]!.parent]!.children.push(n)
    })
    const shape = (n: (typeof nodes)[number]): Condition =>
      ({ ...n, children: n.children.length > 0 ? n.children.map((c) => shape(c as (typeof nodes)[number])) : undefined }) as Condition
    return shape(nodes[0]!)
  }
  for (const d of decode(applied)) {
    const args = d.args as readonly unknown[]
    const address = (args[1] as string).toLowerCase() as `0x${string}`
    if (d.functionName === 'scopeTarget') targets.push({ address, clearance: 2, executionOptions: 0, functions: [] })
    const t = targets.find((x) => x.address === address)!
    if (d.functionName === 'scopeFunction')
      t.functions.push({
        selector: args[2] as `0x${string}`,
        executionOptions: args[4] as number,
        wildcarded: false,
        condition: tree(args[3] as Flat[]),
      })
    if (d.functionName === 'allowFunction')
      t.functions.push({ selector: args[2] as `0x${string}`, executionOptions: args[3] as number, wildcarded: true })
  }
  return targets
}

describe('diffRole', () => {
  test('finds nothing to change when the role on chain is the compiled one', () => {
    const diff = diffRole({
      roleKey: 'keel',
      rolesMod,
      current: targets,
      desired: targets,
      allowances: { current: allowances, desired: allowances },
    })
    expect(diff).toEqual({ changes: [], calls: [] })
  })

  test('finds nothing to change when the chain reports checksummed addresses', () => {
    const fromChain: Target[] = targets.map((t) => ({ ...t, address: getAddress(t.address) }))
    expect(diffRole({ roleKey: 'keel', rolesMod, current: fromChain, desired: targets })).toEqual({ changes: [], calls: [] })
  })

  test('finds nothing to change when the role is read back from the calls that applied it', () => {
    const key = encodeKey('keel')
    const empty = { key, members: [], targets: [], annotations: [], lastUpdate: 0 }
    const applied = encodeCalls(callsPlannedForApplyRole(empty, { ...empty, targets }), rolesMod)
    const current = readBack(applied)
    expect(current).toHaveLength(targets.length)
    expect(diffRole({ roleKey: 'keel', rolesMod, current, desired: targets })).toEqual({ changes: [], calls: [] })
  })

  test('ignores a revoked target the chain still lists without clearance', () => {
    const revoked: Target = { address: addr(9, 2).toLowerCase() as `0x${string}`, clearance: 0, executionOptions: 0, functions: [] }
    expect(diffRole({ roleKey: 'keel', rolesMod, current: [...targets, revoked], desired: targets })).toEqual({ changes: [], calls: [] })
  })

  test('shows a new declaration as a scoped function and a scoped target, with the calls that add them', () => {
    const extra = approveDeclarations({
      adapter: 'uniswap-v3',
      chain: 'base',
      tokens: [{ address: addr(2, 50), label: 'cbBTC' }],
      spender: { address: venues.swapRouter, label: 'Uniswap V3 SwapRouter' },
      description: 'a new market',
    })
    const desired = compilePermissions({ declarations: [...declarations, ...extra], allowances: baseContext.allowances }).targets
    const diff = diffRole({ roleKey: 'keel', rolesMod, current: targets, desired, declarations: [...declarations, ...extra] })
    expect(diff.changes).toEqual([
      { kind: 'target-added', target: addr(2, 50).toLowerCase(), selector: null, text: `allow selected functions of cbBTC ${addr(2, 50)}` },
      {
        kind: 'function-added',
        target: addr(2, 50).toLowerCase(),
        selector: '0x095ea7b3',
        text: `allow cbBTC ${addr(2, 50)}: approve (0x095ea7b3) under its condition`,
      },
    ])
    expect(diff.calls.every((c) => c.to === rolesMod)).toBe(true)
    const decoded = decode(diff.calls)
    expect(decoded.map((d) => d.functionName)).toEqual(['scopeTarget', 'scopeFunction'])
    expect(decoded[1]?.args?.slice(0, 3)).toEqual([encodeKey('keel'), getAddress(addr(2, 50)), '0x095ea7b3'])
  })

  test('shows a changed condition and a revoked function when a spender changes and a declaration goes', () => {
    const changed = declarations
      .filter((d) => !(d.target === venues.pricer))
      .map((d) =>
        d.adapter === 'across-v3' && d.target === tokens.base.usdc
          ? { ...d, params: { spender: { kind: 'avatar' as const, safe: addr(5, 9) } } }
          : d,
      )
    const desired = compilePermissions({ declarations: changed, allowances: baseContext.allowances }).targets
    const diff = diffRole({ roleKey: 'keel', rolesMod, current: targets, desired, declarations })
    const setExpiry = toFunctionSelector('setExpiryPriceInOracle(uint256,uint80)')
    expect(diff.changes.map((c) => [c.kind, c.target, c.selector])).toEqual([
      ['target-removed', venues.pricer.toLowerCase(), null],
      ['condition-changed', tokens.base.usdc.toLowerCase(), '0x095ea7b3'],
      ['function-removed', venues.pricer.toLowerCase(), setExpiry],
    ])
    expect(
      decode(diff.calls)
        .map((d) => d.functionName)
        .sort(),
    ).toEqual(['revokeFunction', 'revokeTarget', 'scopeFunction'])
  })

  test('sets a changed allowance and unsets one no longer needed', () => {
    const [first, ...rest] = allowances
    const raised = { ...first!, refill: first!.refill * 2n, maxRefill: first!.maxRefill * 2n }
    const diff = diffRole({
      roleKey: 'keel',
      rolesMod,
      current: targets,
      desired: targets,
      allowances: { current: allowances, desired: [raised, ...rest.slice(1)] },
    })
    expect(diff.changes.map((c) => c.kind)).toEqual(['allowance-set', 'allowance-removed'])
    const decoded = decode(diff.calls)
    expect(decoded.map((d) => d.functionName)).toEqual(['setAllowance', 'setAllowance'])
    // The removed allowance is unset (all zero); the raised one carries its new refill.
    expect(decoded.map((d) => d.args?.[0])).toEqual(expect.arrayContaining([first!.key, rest[0]!.key]))
  })
})
