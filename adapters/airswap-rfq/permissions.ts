import { getAbiItem } from 'viem'
import { humanSignature } from '../../agent/permissions/abi.ts'
import { approveDeclarations } from '../../agent/permissions/approveDeclarations.ts'
import { avatar, equals, oneOf } from '../../agent/permissions/rules.ts'
import type { CallDeclaration, PermissionContext } from '../../agent/permissions/types.ts'
import { swapErc20Abi } from './rfq.ts'

const adapter = 'airswap-rfq'

/**
 * What takeOrderCalls builds: the approval of what keel gives to SwapERC20 and `swap` paid to the
 * Safe, either selling a known oToken for USDC or buying one back with USDC. oTokens are new
 * contracts per series, so only the series in the context are declared; a new series needs the
 * role extended (see diffRole). Nothing without a known series.
 */
export function declarePermissions(ctx: PermissionContext): CallDeclaration[] {
  const a = ctx.venues.airswap
  if (!a || ctx.tokens.otokens.length === 0) return []
  const otokens = oneOf(ctx.tokens.otokens.map((t) => ({ value: t, label: 'a known oToken' })))
  const usdc = equals(ctx.tokens.usdc, 'USDC')
  const signature = humanSignature(getAbiItem({ abi: swapErc20Abi, name: 'swap' }))
  const swap = (side: 'sell' | 'buy'): CallDeclaration => ({
    adapter,
    chain: ctx.chain,
    target: a.swapContract,
    targetLabel: 'AirSwap SwapERC20',
    signature,
    params:
      side === 'sell'
        ? { recipient: avatar(ctx.safe), senderToken: otokens, signerToken: usdc }
        : { recipient: avatar(ctx.safe), senderToken: usdc, signerToken: otokens },
    send: false,
    description:
      side === 'sell' ? "sell an oToken to a maker's signed order for USDC" : "buy an oToken back from a maker's signed order with USDC",
  })
  return [
    ...approveDeclarations({
      adapter,
      chain: ctx.chain,
      tokens: [{ address: ctx.tokens.usdc, label: 'USDC' }, ...ctx.tokens.otokens.map((t) => ({ address: t, label: `oToken ${t}` }))],
      spender: { address: a.swapContract, label: 'AirSwap SwapERC20' },
      description: 'what the next order takes from the Safe',
    }),
    swap('sell'),
    swap('buy'),
  ]
}
