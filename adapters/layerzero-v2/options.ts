import { Options } from '@layerzerolabs/lz-v2-utilities'
import type { Hex } from 'viem'
import { ZeroLzReceiveGasError } from './errors.ts'

/**
 * The options keel adds to a send, written with LayerZero's Options builder (type 3): an
 * lzReceive option of `extraGas` when it is above zero, else the bare type-3 header, which the
 * OFT combines with its enforced options into exactly those.
 */
export function buildExtraOptions(extraGas: bigint): Hex {
  if (extraGas < 0n) throw new RangeError(`extraGas must be non-negative, got ${extraGas}`)
  const options = Options.newOptions()
  if (extraGas > 0n) options.addExecutorLzReceiveOption(extraGas, 0)
  return options.toHex() as Hex
}

/** The lzReceive gas and value an executor reads from options: sums over every lzReceive option, 0 when none. */
export function lzReceiveOf(options: Hex): { gas: bigint; value: bigint } {
  if (options === '0x') return { gas: 0n, value: 0n }
  const decoded = Options.fromOptions(options).decodeExecutorLzReceiveOption()
  return { gas: decoded?.gas ?? 0n, value: decoded?.value ?? 0n }
}

/** The lzReceive gas an executor reads from options, 0 when none. */
export const lzReceiveGasOf = (options: Hex): bigint => lzReceiveOf(options).gas

/** The lzReceive gas of the options a send will carry; throws ZeroLzReceiveGasError when it is 0. */
export function requireLzReceiveGas(p: { combinedOptions: Hex; route: string }): bigint {
  const gas = lzReceiveGasOf(p.combinedOptions)
  if (gas === 0n) throw new ZeroLzReceiveGasError({ route: p.route, options: p.combinedOptions })
  return gas
}
