import { getAbiItem } from 'viem'
import { humanSignature } from '../../agent/permissions/abi.ts'
import { approveDeclarations } from '../../agent/permissions/approveDeclarations.ts'
import { anyOf, avatar, equals, every, matches, oneOf } from '../../agent/permissions/rules.ts'
import type { CallDeclaration, ParamRule, PermissionContext } from '../../agent/permissions/types.ts'
import { ActionType, controllerAbi, otokenFactoryAbi, pricerAbi } from './abis.ts'

const adapter = 'opyn-gamma'

/**
 * What gamma.ts builds: approvals of the collateral (WETH, USDC) to the MarginPool; `operate`
 * batches whose every action is one keel builds, on the Safe's own vaults, with everything minted,
 * withdrawn, settled or redeemed going to the Safe; series creation for WETH/USDC products; and
 * posting an expiry price (both open to anyone).
 */
export function declarePermissions(ctx: PermissionContext): CallDeclaration[] {
  const g = ctx.venues.gamma
  if (!g) return []
  const safe = avatar(ctx.safe)
  const collateral = oneOf([
    { value: ctx.tokens.weth, label: 'WETH' },
    { value: ctx.tokens.usdc, label: 'USDC' },
  ])
  const action = (type: keyof typeof ActionType, fields: Record<string, ParamRule>): ParamRule =>
    matches({ actionType: equals(ActionType[type], type), ...fields })
  const actions = anyOf([
    action('OpenVault', { owner: safe }),
    action('DepositCollateral', { owner: safe, secondAddress: safe, asset: collateral }),
    action('MintShortOption', { owner: safe, secondAddress: safe }),
    action('BurnShortOption', { owner: safe, secondAddress: safe }),
    action('WithdrawCollateral', { owner: safe, secondAddress: safe, asset: collateral }),
    action('SettleVault', { owner: safe, secondAddress: safe }),
    action('Redeem', { secondAddress: safe }),
  ])
  const createOtoken = humanSignature(getAbiItem({ abi: otokenFactoryAbi, name: 'createOtoken' }))
  const series = (isPut: boolean): CallDeclaration => ({
    adapter,
    chain: ctx.chain,
    target: g.otokenFactory,
    targetLabel: 'Gamma OtokenFactory',
    signature: createOtoken,
    params: {
      _underlyingAsset: equals(ctx.tokens.weth, 'WETH'),
      _strikeAsset: equals(ctx.tokens.usdc, 'USDC'),
      _collateralAsset: isPut ? equals(ctx.tokens.usdc, 'USDC') : equals(ctx.tokens.weth, 'WETH'),
      _isPut: equals(isPut, isPut ? 'a put' : 'a call'),
    },
    send: false,
    description: `create a WETH/USDC ${isPut ? 'put' : 'call'} series`,
  })
  return [
    ...approveDeclarations({
      adapter,
      chain: ctx.chain,
      tokens: [
        { address: ctx.tokens.weth, label: 'WETH' },
        { address: ctx.tokens.usdc, label: 'USDC' },
      ],
      spender: { address: g.marginPool, label: 'Gamma MarginPool' },
      description: 'the collateral of the next deposit',
    }),
    {
      adapter,
      chain: ctx.chain,
      target: g.controller,
      targetLabel: 'Gamma Controller',
      signature: humanSignature(getAbiItem({ abi: controllerAbi, name: 'operate' })),
      params: { _actions: every(actions) },
      send: false,
      description: "open, collateralise, mint, burn, settle and redeem on the Safe's own vaults, proceeds to the Safe",
    },
    series(false),
    series(true),
    {
      adapter,
      chain: ctx.chain,
      target: g.pricer,
      targetLabel: 'Gamma ChainLinkPricer',
      signature: humanSignature(getAbiItem({ abi: pricerAbi, name: 'setExpiryPriceInOracle' })),
      params: {},
      send: false,
      description: 'post the ETH expiry price from a feed round',
    },
  ]
}
