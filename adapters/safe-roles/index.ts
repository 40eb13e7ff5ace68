import {
  type Address,
  concat,
  decodeErrorResult,
  encodeFunctionData,
  encodePacked,
  getAddress,
  type Hex,
  type PublicClient,
  parseAbi,
  size,
} from 'viem'
import { BaseError } from '../../agent/errors.ts'
import type { Call } from '../types.ts'

/**
 * A treasury held by a Safe, which keel reaches only as a member of one role of the Safe's Zodiac
 * Roles v2 module: every call keel plans goes out as `Roles.execTransactionWithRole` from keel's
 * key, and the module checks it against the role's permissions before the Safe executes it.
 */
export type RoleTreasury = {
  /** The Safe that holds the funds: recipient, owner and payer of every call. */
  safe: Address
  /** The Roles v2 modifier enabled on the Safe (its avatar and target). */
  roles: Address
  /** The role keel's key is a member of (bytes32). */
  roleKey: Hex
  /**
   * Safe's MultiSendCallOnly, registered with the module's MultiSendUnwrapper: a batch of calls
   * goes out as one transaction the Safe delegatecalls it with, each call checked by the role.
   * Absent: each call of a batch is its own transaction.
   */
  multiSend?: Address
}

/** Roles v2's entry point and the errors its checks revert with (`PermissionChecker`, `Roles`, `Core`). */
export const rolesExecAbi = parseAbi([
  'function execTransactionWithRole(address to, uint256 value, bytes data, uint8 operation, bytes32 roleKey, bool shouldRevert) returns (bool success)',
  'function avatar() view returns (address)',
  'function target() view returns (address)',
  'function members(bytes32 roleKey, address member) view returns (bool)',
  'error ConditionViolation(uint8 status, bytes32 info)',
  'error NoMembership()',
  'error NotAuthorized(address module)',
  'error FunctionSignatureTooShort()',
  'error MalformedMultiEntrypoint()',
  'error ModuleTransactionFailed()',
  'error CalldataOutOfBounds()',
])

/** `PermissionChecker.Status`, in the contract's order: what a `ConditionViolation` says was wrong. */
export const rolesStatuses = [
  'Ok',
  'DelegateCallNotAllowed',
  'TargetAddressNotAllowed',
  'FunctionNotAllowed',
  'SendNotAllowed',
  'OrViolation',
  'NorViolation',
  'ParameterNotAllowed',
  'ParameterLessThanAllowed',
  'ParameterGreaterThanAllowed',
  'ParameterNotAMatch',
  'NotEveryArrayElementPasses',
  'NoArrayElementPasses',
  'ParameterNotSubsetOfAllowed',
  'BitmaskOverflow',
  'BitmaskNotAllowed',
  'CustomConditionViolation',
  'AllowanceExceeded',
  'CallAllowanceExceeded',
  'EtherAllowanceExceeded',
] as const
export type RolesStatus = (typeof rolesStatuses)[number]

/** Safe's `Enum.Operation`: keel only ever asks for plain calls. */
const CALL = 0

/** The transaction keel's key sends so that the Safe makes `call` through the role. */
export function wrapForRole(call: Call, treasury: RoleTreasury): Call {
  return {
    chainId: call.chainId,
    to: treasury.roles,
    value: 0n,
    data: encodeFunctionData({
      abi: rolesExecAbi,
      functionName: 'execTransactionWithRole',
      // shouldRevert: a call the Safe could not make reverts the whole transaction, so a failure is never mined as success.
      args: [call.to, call.value, call.data, CALL, treasury.roleKey, true],
    }),
    description: `${call.description} (via the Safe ${getAddress(treasury.safe)}'s role)`,
  }
}

/** The one transaction keel's key sends so that the Safe makes every call of `calls`, in order, atomically, through the role. */
export function wrapBatchForRole(calls: readonly Call[], treasury: RoleTreasury & { multiSend: Address }): Call {
  const packed = concat(
    calls.map((c) =>
      encodePacked(['uint8', 'address', 'uint256', 'uint256', 'bytes'], [CALL, c.to, c.value, BigInt(size(c.data)), c.data]),
    ),
  )
  return {
    chainId: calls[0]!.chainId,
    to: treasury.roles,
    value: 0n,
    data: encodeFunctionData({
      abi: rolesExecAbi,
      functionName: 'execTransactionWithRole',
      args: [
        treasury.multiSend,
        0n,
        encodeFunctionData({ abi: multiSendAbi, functionName: 'multiSend', args: [packed] }),
        DELEGATECALL,
        treasury.roleKey,
        true,
      ],
    }),
    description: `${calls.map((c) => c.description).join('; ')} (one batch via the Safe ${getAddress(treasury.safe)}'s role)`,
  }
}

const DELEGATECALL = 1
const multiSendAbi = parseAbi(['function multiSend(bytes transactions) payable'])

export type RolesRevert =
  | { kind: 'condition'; status: RolesStatus; info: Hex }
  | { kind: 'not-a-member' }
  | { kind: 'module-disabled' }
  | { kind: 'inner-call-failed' }
  | { kind: 'other'; error: string }

/** What a Roles module's revert means, or undefined when the data is not one of its errors. */
export function decodeRolesRevert(data: Hex | undefined): RolesRevert | undefined {
  if (!data || data.length < 10) return undefined
  try {
    const { errorName, args } = decodeErrorResult({ abi: rolesExecAbi, data })
    switch (errorName) {
      case 'ConditionViolation': {
        const [status, info] = args as readonly [number, Hex]
        return { kind: 'condition', status: rolesStatuses[status] ?? 'Ok', info }
      }
      case 'NoMembership':
        return { kind: 'not-a-member' }
      case 'NotAuthorized':
        return { kind: 'module-disabled' }
      case 'ModuleTransactionFailed':
        return { kind: 'inner-call-failed' }
      default:
        return { kind: 'other', error: errorName }
    }
  } catch {
    return undefined
  }
}

/** One line an operator can act on. */
export function describeRolesRevert(r: RolesRevert, roleKey: Hex): string {
  switch (r.kind) {
    case 'condition':
      return `the Roles module refused it: ${r.status}${/^0x0*$/.test(r.info) ? '' : ` (info ${r.info})`}`
    case 'not-a-member':
      return `keel's key is not a member of role ${roleKey} (revoked or never assigned)`
    case 'module-disabled':
      return 'the Roles module is not enabled on the Safe'
    case 'inner-call-failed':
      return 'the Safe executed the call and it failed'
    case 'other':
      return `the Roles module reverted with ${r.error}`
  }
}

/**
 * Whether `member` can still act through the role: an `eth_call` of a call the role never allows
 * (an empty call to the Safe itself) fails on the membership checks first when the role is gone,
 * and on the permission check after them when it is held. Nothing is sent.
 */
export async function probeRole(p: {
  client: PublicClient
  treasury: RoleTreasury
  member: Address
}): Promise<'member' | 'not-a-member' | 'module-disabled'> {
  try {
    await p.client.call({
      account: p.member,
      to: p.treasury.roles,
      data: encodeFunctionData({
        abi: rolesExecAbi,
        functionName: 'execTransactionWithRole',
        args: [p.treasury.safe, 0n, '0x', CALL, p.treasury.roleKey, false],
      }),
    })
    return 'member'
  } catch (err) {
    const data = revertDataOf(err)
    const r = decodeRolesRevert(data)
    if (r?.kind === 'not-a-member' || r?.kind === 'module-disabled') return r.kind
    if (r) return 'member'
    throw err
  }
}

/** The revert data somewhere in a viem error's cause chain. */
export function revertDataOf(err: unknown): Hex | undefined {
  let e: unknown = err
  while (e && typeof e === 'object') {
    if ('data' in e && typeof e.data === 'string' && e.data.startsWith('0x')) return e.data as Hex
    if ('data' in e && e.data && typeof e.data === 'object' && 'data' in e.data && typeof e.data.data === 'string')
      return e.data.data as Hex
    e = 'cause' in e ? e.cause : undefined
  }
  return undefined
}

/** keel's key can no longer act for the Safe (the owners revoked its role or removed the module): nothing will be traded. */
export class RoleRevokedError extends BaseError {
  override name = 'Treasury.RoleRevokedError' as const
  readonly chain: string
  constructor(p: { chain: string; treasury: RoleTreasury; member: Address; kind: 'not-a-member' | 'module-disabled' }) {
    super(
      p.kind === 'not-a-member'
        ? `keel's key ${p.member} is no longer a member of role ${p.treasury.roleKey} on ${p.chain}: the Safe ${p.treasury.safe}'s owners revoked it; holding, nothing is traded`
        : `keel's key ${p.member} is not an enabled module of the Roles module ${p.treasury.roles} on ${p.chain}; holding, nothing is traded`,
      { retryable: false },
    )
    this.chain = p.chain
  }
}

/**
 * Gas a swap costs on top of itself when it goes through the role: the Roles module's checks of
 * its conditions (both swap directions, the allowance) and the Safe's module call. Measured on
 * the devnet's Roles 2.1.0 for a Uniswap V3 `exactInputSingle` (eth_estimateGas of the wrapped
 * call minus the same call from the Safe): 159,356 on Base, 159,306 on Arbitrum.
 */
export const ROLE_SWAP_GAS_OVERHEAD = 160_000n
