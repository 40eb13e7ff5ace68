import {
  encodeErrorResult,
  getContractAddress,
  type Hex,
  parseAbi,
  parseTransaction,
  recoverTransactionAddress,
  type TransactionSerializedLegacy,
  toHex,
} from 'viem'
import { describe, expect, test } from 'vitest'
import { Status } from 'zodiac-roles-sdk'
import { rolesArtifact } from './artifacts.ts'
import { decodeRolesError, rolesAbi, rolesStatuses, singletonFactory } from './deploy.ts'

describe('decodeRolesError', () => {
  const info = toHex(7n, { size: 32 })

  test('names the Status member of a ConditionViolation', () => {
    const data = encodeErrorResult({ abi: rolesAbi, errorName: 'ConditionViolation', args: [7, info] })
    expect(decodeRolesError(data)).toEqual({ name: 'ConditionViolation', args: [7, info], status: 'ParameterNotAllowed', info })
  })

  test('decodes the errors without a status by name and arguments', () => {
    const sender = '0x000000000000000000000000000000000000dEaD'
    expect(decodeRolesError(encodeErrorResult({ abi: rolesAbi, errorName: 'NotAuthorized', args: [sender] }))).toEqual({
      name: 'NotAuthorized',
      args: [sender],
    })
    expect(decodeRolesError(encodeErrorResult({ abi: rolesAbi, errorName: 'NoMembership' }))).toEqual({ name: 'NoMembership', args: [] })
  })

  test("decodes the Integrity library's errors, which reach callers through Roles' delegatecall", () => {
    const data = encodeErrorResult({ abi: rolesArtifact('Integrity').abi, errorName: 'UnsupportedOperator', args: [3n] })
    expect(decodeRolesError(data)).toEqual({ name: 'UnsupportedOperator', args: [3n] })
  })

  test('returns undefined when the data is no error Roles defines', () => {
    const foreign = encodeErrorResult({ abi: parseAbi(['error Foreign(uint256)']), errorName: 'Foreign', args: [1n] })
    expect(decodeRolesError(foreign)).toBeUndefined()
    expect(decodeRolesError('0x')).toBeUndefined()
  })

  test('throws on a ConditionViolation status past the enum', () => {
    const data = encodeErrorResult({ abi: rolesAbi, errorName: 'ConditionViolation', args: [20, info] })
    expect(() => decodeRolesError(data)).toThrow('unknown status 20')
  })
})

describe('rolesStatuses', () => {
  test("lists PermissionChecker.Status in the order of zodiac-roles-sdk's Status", () => {
    expect(rolesStatuses.map((_, i) => Status[i])).toEqual([...rolesStatuses])
    expect(Status[rolesStatuses.length]).toBeUndefined()
  })
})

describe('singletonFactory', () => {
  test('is the contract the presigned transaction creates, paid for by exactly the funding', async () => {
    const tx = parseTransaction(singletonFactory.signedDeployTransaction as Hex)
    expect(tx.chainId).toBeUndefined()
    expect(tx.gas! * tx.gasPrice!).toBe(singletonFactory.funding)
    const from = await recoverTransactionAddress({
      serializedTransaction: singletonFactory.signedDeployTransaction as TransactionSerializedLegacy,
    })
    expect(from).toBe(singletonFactory.deployer)
    expect(getContractAddress({ from, nonce: 0n })).toBe(singletonFactory.address)
  })

  test('is the factory Roles stores conditions through (WriteOnce.SINGLETON_FACTORY)', () => {
    expect(rolesArtifact('Roles').bytecode).toContain(singletonFactory.address.slice(2).toLowerCase())
  })
})
