import type { CallDeclaration, PermissionContext } from './types.ts'

/**
 * Calls keel's activities build themselves, outside any adapter: wrapping native ETH a bridge
 * delivered unwrapped into WETH (temporal/activities/transferActivities.ts, `prepareWrap`). WETH
 * mints to the sender, so the Safe is the only possible beneficiary.
 */
export function declareTreasuryPermissions(ctx: PermissionContext): CallDeclaration[] {
  return [
    {
      adapter: 'keel',
      chain: ctx.chain,
      target: ctx.tokens.weth,
      targetLabel: 'WETH',
      signature: 'function deposit() payable',
      params: {},
      send: true,
      description: 'wrap native ETH a bridge delivered into WETH',
    },
  ]
}
