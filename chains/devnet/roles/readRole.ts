import { type Address, type Chain, type Hex, type PublicClient, parseAbi, type Transport } from 'viem'
import type { Allowance, Clearance, Condition, ExecutionOptions, Operator, ParameterType, Role, Target } from 'zodiac-roles-sdk'
import { DevnetError } from '../../errors.ts'
import { rolesAbi } from './artifacts.ts'

/** The Roles 2.1.0 events that change a role or an allowance, typed for viem (checked against the artifact by the unit test). */
export const roleEventsAbi = parseAbi([
  'event AllowTarget(bytes32 roleKey, address targetAddress, uint8 options)',
  'event ScopeTarget(bytes32 roleKey, address targetAddress)',
  'event RevokeTarget(bytes32 roleKey, address targetAddress)',
  'event AllowFunction(bytes32 roleKey, address targetAddress, bytes4 selector, uint8 options)',
  'event ScopeFunction(bytes32 roleKey, address targetAddress, bytes4 selector, (uint8 parent, uint8 paramType, uint8 operator, bytes compValue)[] conditions, uint8 options)',
  'event RevokeFunction(bytes32 roleKey, address targetAddress, bytes4 selector)',
  'event AssignRoles(address module, bytes32[] roleKeys, bool[] memberOf)',
  'event SetAllowance(bytes32 allowanceKey, uint128 balance, uint128 maxRefill, uint128 refill, uint64 period, uint64 timestamp)',
  'event ConsumeAllowance(bytes32 allowanceKey, uint128 consumed, uint128 newBalance)',
])

/** One node of `ScopeFunction`'s conditions: breadth-first, each naming its parent's index (the root names itself). */
export type ConditionFlat = { parent: number; paramType: number; operator: number; compValue: Hex }

/** The condition tree a flat, breadth-first list encodes, shaped as the Roles subgraph serves it (no empty `compValue` or `children`). */
export function conditionTreeFromFlat(flat: readonly ConditionFlat[]): Condition {
  type Node = { paramType: ParameterType; operator: Operator; compValue?: Hex; children: Node[] }
  const nodes: Node[] = []
  flat.forEach((c, i) => {
    const node: Node = { paramType: c.paramType as ParameterType, operator: c.operator as Operator, children: [] }
    if (c.compValue !== '0x') node.compValue = c.compValue
    nodes.push(node)
    if (i === 0) return
    const parent = nodes[c.parent]
    if (c.parent >= i || !parent) throw new DevnetError(`conditions are not breadth-first: node ${i} names parent ${c.parent}`)
    parent.children.push(node)
  })
  const shape = (n: Node): Condition => ({
    paramType: n.paramType,
    operator: n.operator,
    ...(n.compValue ? { compValue: n.compValue } : {}),
    ...(n.children.length > 0 ? { children: n.children.map(shape) } : {}),
  })
  const root = nodes[0]
  if (!root) throw new DevnetError('a scoped function has no conditions')
  return shape(root)
}

export type RoleState = {
  /** The role as `zodiac-roles-sdk` diffs it (`callsPlannedForApplyRole(role, desired)`); no annotations (they live on the Poster). */
  role: Role
  /** Every allowance of the modifier, as stored at `blockNumber`. */
  allowances: Allowance[]
  blockNumber: bigint
}

/**
 * The local stand-in for the Roles subgraph: replays the modifier's events up to the latest block
 * with the subgraph's rules (a revoked target stays, cleared; a revoked function goes) and returns
 * the role's state in the SDK's shape. Addresses and selectors are lowercase, as the SDK writes them.
 */
export async function readRoleTargets(p: {
  publicClient: PublicClient<Transport, Chain>
  roles: Address
  roleKey: Hex
  fromBlock?: bigint
}): Promise<RoleState> {
  const roleKey = p.roleKey.toLowerCase() as Hex
  const blockNumber = await p.publicClient.getBlockNumber({ cacheTime: 0 })
  const logs = await p.publicClient.getLogs({
    address: p.roles,
    events: roleEventsAbi,
    fromBlock: p.fromBlock ?? 0n,
    toBlock: blockNumber,
    strict: true,
  })
  const targets = new Map<Address, Target>()
  const members = new Set<Address>()
  const allowanceKeys = new Set<Hex>()
  let lastUpdate = 0
  const target = (address: Address): Target => {
    const key = address.toLowerCase() as Address
    let t = targets.get(key)
    if (!t) {
      t = { address: key, clearance: 0 as Clearance, executionOptions: 0 as ExecutionOptions, functions: [] }
      targets.set(key, t)
    }
    return t
  }
  const setFunction = (t: Target, fn: Target['functions'][number]) => {
    t.functions = [...t.functions.filter((f) => f.selector !== fn.selector), fn]
  }
  for (const log of logs) {
    if (log.eventName === 'SetAllowance' || log.eventName === 'ConsumeAllowance') {
      allowanceKeys.add(log.args.allowanceKey)
      continue
    }
    if (log.eventName === 'AssignRoles') {
      const { module, roleKeys, memberOf } = log.args
      roleKeys.forEach((key, i) => {
        if (key !== roleKey) return
        if (memberOf[i]) members.add(module.toLowerCase() as Address)
        else members.delete(module.toLowerCase() as Address)
        lastUpdate = Number(log.blockNumber)
      })
      continue
    }
    if (log.args.roleKey !== roleKey) continue
    lastUpdate = Number(log.blockNumber)
    // A revocation of what the role never had creates nothing, as in the subgraph.
    const revokes = log.eventName === 'RevokeTarget' || log.eventName === 'RevokeFunction'
    if (revokes && !targets.has(log.args.targetAddress.toLowerCase() as Address)) continue
    const t = target(log.args.targetAddress)
    switch (log.eventName) {
      case 'AllowTarget':
        Object.assign(t, { clearance: 1 as Clearance, executionOptions: log.args.options as ExecutionOptions })
        break
      case 'ScopeTarget':
        Object.assign(t, { clearance: 2 as Clearance, executionOptions: 0 as ExecutionOptions })
        break
      case 'RevokeTarget':
        Object.assign(t, { clearance: 0 as Clearance, executionOptions: 0 as ExecutionOptions })
        break
      case 'AllowFunction':
        setFunction(t, { selector: log.args.selector, executionOptions: log.args.options as ExecutionOptions, wildcarded: true })
        break
      case 'ScopeFunction':
        setFunction(t, {
          selector: log.args.selector,
          executionOptions: log.args.options as ExecutionOptions,
          wildcarded: false,
          condition: conditionTreeFromFlat(log.args.conditions),
        })
        break
      case 'RevokeFunction':
        t.functions = t.functions.filter((f) => f.selector !== log.args.selector)
        break
    }
  }
  return {
    role: { key: roleKey, members: [...members], targets: [...targets.values()], annotations: [], lastUpdate },
    allowances: await readAllowances({ publicClient: p.publicClient, roles: p.roles, keys: [...allowanceKeys], blockNumber }),
    blockNumber,
  }
}

/** The stored allowances (a zeroed one is deleted, as `setAllowance(key, 0, …)` deletes it in the subgraph). */
async function readAllowances(p: {
  publicClient: PublicClient<Transport, Chain>
  roles: Address
  keys: Hex[]
  blockNumber: bigint
}): Promise<Allowance[]> {
  const read = async (key: Hex): Promise<Allowance> => {
    const [refill, maxRefill, period, balance, timestamp] = (await p.publicClient.readContract({
      address: p.roles,
      abi: rolesAbi,
      functionName: 'allowances',
      args: [key],
      blockNumber: p.blockNumber,
    })) as readonly [bigint, bigint, bigint, bigint, bigint]
    return { key, refill, maxRefill, period, balance, timestamp }
  }
  const all = await Promise.all(p.keys.map(read))
  return all.filter((a) => a.refill + a.maxRefill + a.period + a.balance + a.timestamp > 0n)
}
