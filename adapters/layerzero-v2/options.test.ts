import { Options } from '@layerzerolabs/lz-v2-utilities'
import type { Hex } from 'viem'
import { describe, expect, test } from 'vitest'
import { ZeroLzReceiveGasError } from './errors.ts'
import { buildExtraOptions, lzReceiveGasOf, lzReceiveOf, requireLzReceiveGas } from './options.ts'

// Hex as LayerZero's OptionsBuilder.sol writes it: type 3, worker 1 (executor), length 17, option 1 (lzReceive), uint128 gas.
const enforced100k: Hex = '0x000301001101000000000000000000000000000186a0'

describe('buildExtraOptions', () => {
  test('writes the bare type-3 header when keel adds no gas (the OFT combines it into its enforced options)', () => {
    expect(buildExtraOptions(0n)).toBe('0x0003')
    expect(lzReceiveGasOf(buildExtraOptions(0n))).toBe(0n)
  })

  test('writes one lzReceive option of the extra gas, byte for byte as the Solidity builder does', () => {
    expect(buildExtraOptions(100_000n)).toBe(enforced100k)
    expect(lzReceiveOf(buildExtraOptions(250_000n))).toEqual({ gas: 250_000n, value: 0n })
  })

  test('refuses a negative extra gas', () => {
    expect(() => buildExtraOptions(-1n)).toThrow(RangeError)
  })
})

describe('lzReceiveGasOf', () => {
  test('sums the enforced and the extra lzReceive gas of combined options (what the executor reads)', () => {
    // OAppOptionsType3.combineOptions: enforced ++ extra without its 2-byte type header.
    const combined = `${enforced100k}${buildExtraOptions(30_000n).slice(6)}` as Hex
    expect(lzReceiveGasOf(combined)).toBe(130_000n)
  })

  test('reads 0 from empty options and from options with only a native drop', () => {
    expect(lzReceiveGasOf('0x')).toBe(0n)
    const dropOnly = Options.newOptions().addExecutorNativeDropOption(1n, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8').toHex() as Hex
    expect(lzReceiveGasOf(dropOnly)).toBe(0n)
  })
})

describe('requireLzReceiveGas', () => {
  test('returns the gas when the options carry some', () => {
    expect(requireLzReceiveGas({ combinedOptions: enforced100k, route: 'ethereum -> base' })).toBe(100_000n)
  })

  test('throws ZeroLzReceiveGasError when the combined options carry no lzReceive gas', () => {
    for (const combinedOptions of ['0x', '0x0003', buildExtraOptions(0n)] as Hex[]) {
      const run = () => requireLzReceiveGas({ combinedOptions, route: 'ethereum -> base' })
      expect(run).toThrow(ZeroLzReceiveGasError)
      try {
        run()
      } catch (err) {
        expect((err as ZeroLzReceiveGasError).name).toBe('LayerZero.ZeroLzReceiveGasError')
        expect((err as ZeroLzReceiveGasError).retryable).toBe(false)
      }
    }
  })
})
