import { decodeFunctionData, encodeErrorResult, type Hex, pad } from 'viem'
import { describe, expect, test } from 'vitest'
import { decodeRolesRevert, describeRolesRevert, rolesExecAbi, wrapForRole } from './index.ts'

const treasury = {
  safe: '0x1111111111111111111111111111111111111111',
  roles: '0x2222222222222222222222222222222222222222',
  roleKey: pad('0x6b65656c', { dir: 'right' }),
} as const

describe('wrapForRole', () => {
  test('sends nothing itself and asks the module to make the call from the Safe, reverting if it fails', () => {
    const call = {
      chainId: 1,
      to: '0x3333333333333333333333333333333333333333',
      data: '0xdeadbeef',
      value: 7n,
      description: 'swap',
    } as const
    const wrapped = wrapForRole(call, treasury)
    expect(wrapped.to).toBe(treasury.roles)
    expect(wrapped.value).toBe(0n)
    expect(wrapped.chainId).toBe(1)
    const { functionName, args } = decodeFunctionData({ abi: rolesExecAbi, data: wrapped.data })
    expect(functionName).toBe('execTransactionWithRole')
    expect(args).toEqual([call.to, 7n, '0xdeadbeef', 0, treasury.roleKey, true])
  })
})

describe('decodeRolesRevert', () => {
  const err = (errorName: 'ConditionViolation' | 'NoMembership' | 'NotAuthorized' | 'ModuleTransactionFailed', args?: unknown[]): Hex =>
    encodeErrorResult({ abi: rolesExecAbi, errorName, args } as Parameters<typeof encodeErrorResult>[0])

  test('names the violated condition by the contract enum', () => {
    const r = decodeRolesRevert(err('ConditionViolation', [7, pad('0x01')]))
    expect(r).toEqual({ kind: 'condition', status: 'ParameterNotAllowed', info: pad('0x01') })
    expect(describeRolesRevert(r!, treasury.roleKey)).toContain('ParameterNotAllowed')
    expect(decodeRolesRevert(err('ConditionViolation', [17, pad('0x0')]))).toMatchObject({ status: 'AllowanceExceeded' })
    expect(decodeRolesRevert(err('ConditionViolation', [2, pad('0x0')]))).toMatchObject({ status: 'TargetAddressNotAllowed' })
  })

  test('a lost membership and a disabled module are told apart from a refused parameter', () => {
    expect(decodeRolesRevert(err('NoMembership'))).toEqual({ kind: 'not-a-member' })
    expect(decodeRolesRevert(err('NotAuthorized', [treasury.roles]))).toEqual({ kind: 'module-disabled' })
    expect(decodeRolesRevert(err('ModuleTransactionFailed'))).toEqual({ kind: 'inner-call-failed' })
  })

  test('anything else is not a Roles error', () => {
    expect(decodeRolesRevert(undefined)).toBeUndefined()
    expect(decodeRolesRevert('0x')).toBeUndefined()
    // Error(string) "STF"
    expect(
      decodeRolesRevert(
        '0x08c379a000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000003535446000000000000000000000000000000000000000000000000000000000',
      ),
    ).toBeUndefined()
  })
})
