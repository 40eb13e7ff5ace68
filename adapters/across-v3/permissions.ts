import { getAbiItem } from 'viem'
import { humanSignature } from '../../agent/permissions/abi.ts'
import { allowanceNames } from '../../agent/permissions/allowances.ts'
import { approveDeclarations } from '../../agent/permissions/approveDeclarations.ts'
import { avatar, bytes32Of, equals, withinAllowance } from '../../agent/permissions/rules.ts'
import type { CallDeclaration, PermissionContext, TreasuryAsset } from '../../agent/permissions/types.ts'
import type { ChainKey } from '../../chains/types.ts'
import { spokePoolAbi } from './abis.ts'
import { bridgeId } from './quote.ts'

const label = { weth: 'WETH', usdc: 'USDC' } as const

/**
 * What buildCalls sends: approvals of WETH and USDC to the SpokePool, and `unsafeDeposit` of each
 * asset to each other chain, from the Safe to that chain's treasury Safe, the same asset out, no
 * message, spending from the asset's bridge allowance. One declaration per route, so that the
 * destination chain, its Safe and its token are checked together.
 */
export function declarePermissions(ctx: PermissionContext): CallDeclaration[] {
  const a = ctx.venues.across
  if (!a) return []
  const signature = humanSignature(getAbiItem({ abi: spokePoolAbi, name: 'unsafeDeposit' }))
  const destinations = (Object.entries(a.destinations) as [ChainKey, NonNullable<(typeof a.destinations)[ChainKey]>][]).filter(
    ([c]) => c !== ctx.chain,
  )
  const deposits = destinations.flatMap(([to, dest]) => {
    const safe = ctx.safes[to]
    if (!safe) return []
    return (['weth', 'usdc'] as const satisfies readonly TreasuryAsset[]).map(
      (asset): CallDeclaration => ({
        adapter: bridgeId,
        chain: ctx.chain,
        target: a.spokePool,
        targetLabel: 'Across SpokePool',
        signature,
        params: {
          depositor: avatar(ctx.safe),
          recipient: equals(bytes32Of(safe), `${to}'s treasury Safe`),
          inputToken: equals(bytes32Of(a.tokens[asset]), `${label[asset]} on ${ctx.chain}`),
          outputToken: equals(bytes32Of(dest.tokens[asset]), `${label[asset]} on ${to}`),
          inputAmount: withinAllowance(allowanceNames.bridge(asset)),
          destinationChainId: equals(BigInt(dest.chainId), `${to}'s chain id`),
          message: equals('0x', 'no message'),
        },
        send: false,
        description: `deposit ${label[asset]} for ${to}'s treasury Safe`,
      }),
    )
  })
  return [
    ...approveDeclarations({
      adapter: bridgeId,
      chain: ctx.chain,
      tokens: [
        { address: a.tokens.weth, label: 'WETH' },
        { address: a.tokens.usdc, label: 'USDC' },
      ],
      spender: { address: a.spokePool, label: 'Across SpokePool' },
      description: 'the amount of the next deposit',
    }),
    ...deposits,
  ]
}
