import { type AbiFunction, type Hex, recoverAddress, slice, toEventSelector, toFunctionSelector } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { loadSafeArtifact, multiSendAbi, safeAbi, safeProxyFactoryAbi } from './artifacts.ts'
import { encodeMultiSend, type SafeCall, safeOperation, signSafeTx, toSafeTxBody } from './safeTx.ts'

// Anvil's public test keys (indices 0-2): known to everyone, fine for pure tests.
const ownerKeys: Hex[] = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
]
const hash = `0x${'ab'.repeat(32)}` as const

describe('signSafeTx', () => {
  test('orders 65-byte signatures by ascending owner address with v 27 or 28 when keys come in any order', async () => {
    const signatures = await signSafeTx(hash, [ownerKeys[2]!, ownerKeys[0]!, ownerKeys[1]!])
    expect((signatures.length - 2) / 2).toBe(3 * 65)
    const signers = await Promise.all([0, 1, 2].map((i) => recoverAddress({ hash, signature: slice(signatures, i * 65, (i + 1) * 65) })))
    const expected = ownerKeys.map((k) => privateKeyToAccount(k).address).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))
    expect(signers).toEqual(expected)
    for (const i of [0, 1, 2]) expect(['0x1b', '0x1c']).toContain(slice(signatures, i * 65 + 64, i * 65 + 65))
  })
})

describe('encodeMultiSend', () => {
  test('packs operation, to, value, data length and data for each call', () => {
    const to1 = '0x1111111111111111111111111111111111111111'
    const to2 = '0x2222222222222222222222222222222222222222'
    const data = encodeMultiSend([
      { to: to1, value: 5n },
      { to: to2, data: '0xabcdef' },
    ])
    // multiSend(bytes): selector, offset 0x20, length 85 + 88 = 173, then the packed calls.
    const expectedPacked =
      `00${to1.slice(2)}${(5).toString(16).padStart(64, '0')}${'0'.repeat(64)}` +
      `00${to2.slice(2)}${'0'.repeat(64)}${(3).toString(16).padStart(64, '0')}abcdef`
    expect(slice(data, 0, 4)).toBe(toFunctionSelector('function multiSend(bytes)'))
    expect(BigInt(slice(data, 36, 68))).toBe(173n)
    expect(slice(data, 68, 68 + 173)).toBe(`0x${expectedPacked}`)
  })
})

describe('toSafeTxBody', () => {
  const multiSendCallOnly = '0x3333333333333333333333333333333333333333' as const
  test('calls the target directly when there is one call', () => {
    expect(toSafeTxBody({ calls: [{ to: '0x4333333333333333333333333333333333333333', value: 9n }], multiSendCallOnly })).toEqual({
      to: '0x4333333333333333333333333333333333333333',
      value: 9n,
      data: '0x',
      operation: safeOperation.call,
    })
  })

  test('delegatecalls MultiSendCallOnly with no value when there are several calls', () => {
    const calls: SafeCall[] = [{ to: multiSendCallOnly, value: 1n }, { to: multiSendCallOnly }]
    expect(toSafeTxBody({ calls, multiSendCallOnly })).toEqual({
      to: multiSendCallOnly,
      value: 0n,
      data: encodeMultiSend(calls),
      operation: safeOperation.delegateCall,
    })
  })

  test('throws when there is no call', () => {
    expect(() => toSafeTxBody({ calls: [], multiSendCallOnly })).toThrow('at least one call')
  })
})

describe('safe ABIs', () => {
  test('match entries of the published 1.5.0 artifacts when compared by selector', () => {
    const selectors = (abi: readonly { type: string }[]) =>
      abi.flatMap((e) =>
        e.type === 'function'
          ? [toFunctionSelector(e as AbiFunction)]
          : e.type === 'event'
            ? [toEventSelector(e as Parameters<typeof toEventSelector>[0])]
            : [],
      )
    const check = (ours: readonly { type: string }[], name: Parameters<typeof loadSafeArtifact>[0]) =>
      expect(selectors(loadSafeArtifact(name).abi)).toEqual(expect.arrayContaining(selectors(ours)))
    check(safeAbi, 'SafeL2')
    check(safeProxyFactoryAbi, 'SafeProxyFactory')
    check(multiSendAbi, 'MultiSendCallOnly')
    check(multiSendAbi, 'MultiSend')
  })
})
