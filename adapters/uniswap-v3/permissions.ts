import { getAbiItem } from 'viem'
import { humanSignature } from '../../agent/permissions/abi.ts'
import { allowanceNames } from '../../agent/permissions/allowances.ts'
import { approveDeclarations } from '../../agent/permissions/approveDeclarations.ts'
import { avatar, equals, matches, withinAllowance } from '../../agent/permissions/rules.ts'
import type { CallDeclaration, PermissionContext, TreasuryAsset } from '../../agent/permissions/types.ts'
import { swapRouterAbi } from './abis.ts'
import { venueId } from './quote.ts'

const label = { weth: 'WETH', usdc: 'USDC' } as const

/**
 * What buildCalls sends: an approve of the token sold to the SwapRouter, and exactInputSingle
 * between WETH and USDC in the configured pool, paid to the Safe, spending from the daily swap
 * allowance of the token sold. No LP call is declared: keel reads positions, it does not manage them.
 */
export function declarePermissions(ctx: PermissionContext): CallDeclaration[] {
  const u = ctx.venues.uniswapV3
  if (!u) return []
  const router = { address: u.swapRouter, label: 'Uniswap V3 SwapRouter' }
  const signature = humanSignature(getAbiItem({ abi: swapRouterAbi, name: 'exactInputSingle' }))
  const swap = (sold: TreasuryAsset, bought: TreasuryAsset): CallDeclaration => ({
    adapter: venueId,
    chain: ctx.chain,
    target: u.swapRouter,
    targetLabel: router.label,
    signature,
    params: {
      params: matches({
        tokenIn: equals(ctx.tokens[sold], label[sold]),
        tokenOut: equals(ctx.tokens[bought], label[bought]),
        // Only the pool keel quotes: a thin pool of another fee tier would be a cheap sandwich.
        fee: equals(u.poolFee, `the WETH/USDC pool's fee tier`),
        recipient: avatar(ctx.safe),
        amountIn: withinAllowance(allowanceNames.swapIn(sold)),
      }),
    },
    send: false,
    description: `swap ${label[sold]} for ${label[bought]} to the treasury Safe`,
  })
  return [
    ...approveDeclarations({
      adapter: venueId,
      chain: ctx.chain,
      tokens: [
        { address: ctx.tokens.weth, label: 'WETH' },
        { address: ctx.tokens.usdc, label: 'USDC' },
      ],
      spender: router,
      description: 'the amount of the next swap',
    }),
    swap('weth', 'usdc'),
    swap('usdc', 'weth'),
  ]
}
