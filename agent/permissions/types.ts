import type { Address, Hex } from 'viem'
import type { ChainKey } from '../../chains/types.ts'

/**
 * What keel's key may do through a Safe's Zodiac Roles modifier, declared by each adapter as
 * data: one `CallDeclaration` per call shape it builds. The same declarations compile to the
 * role's on-chain conditions (compile.ts) and check a call before it is simulated (check.ts), so
 * the executor refuses exactly what the Roles modifier would revert.
 */

/** A value a parameter may take, with the name an operator knows it by ("Uniswap V3 SwapRouter"). */
export type Expected = { value: Hex | bigint | number | boolean; label: string }

/**
 * A condition on one parameter (or a field or element of one). `avatar` is the chain's treasury
 * Safe, the Roles modifier's avatar; on a bytes32 parameter it is the Safe left-padded, as bridges
 * encode addresses. `withinAllowance` names an allowance of `PermissionContext.allowances`.
 */
export type ParamRule =
  | { kind: 'any' }
  | { kind: 'avatar'; safe: Address }
  | { kind: 'oneOf'; values: readonly Expected[] }
  | { kind: 'withinAllowance'; allowance: string }
  /** A tuple, by component name; components left out may be anything. */
  | { kind: 'matches'; fields: Readonly<Record<string, ParamRule>> }
  /** Every element of an array. */
  | { kind: 'every'; element: ParamRule }
  /** At least one of the branches (e.g. each action shape an `operate` batch may hold). */
  | { kind: 'anyOf'; branches: readonly ParamRule[] }

/** One call shape keel builds: the function on one contract, and what each parameter may be. */
export type CallDeclaration = {
  /** Adapter id (`uniswap-v3`, `layerzero-v2-oft`, ...) or `keel` for calls the activities build themselves. */
  adapter: string
  chain: ChainKey
  target: Address
  /** What the target is, for reasons and diffs ("USDC", "Across SpokePool"). */
  targetLabel: string
  /** Human-readable ABI with named parameters and inline tuples: `function approve(address spender, uint256 amount)`. */
  signature: string
  /** Conditions by top-level parameter name; parameters left out may be anything. */
  params: Readonly<Record<string, ParamRule>>
  /** Whether the call may carry native value (a LayerZero fee, a wrap). */
  send: boolean
  description: string
}

/** One allowance of the Roles modifier: `balance` now, `refill` every `period` seconds up to `maxRefill`. */
export type AllowanceSetting = {
  /** Name declarations refer to (`swap-weth`); `key` is its bytes32 encoding on chain. */
  name: string
  key: Hex
  balance: bigint
  maxRefill: bigint
  refill: bigint
  period: bigint
  /** 0: the first use refills at once. */
  timestamp: bigint
  /** Unit and reason, for operators ("WETH base units: 12 hedges of 5 ETH a day"). */
  description: string
}

/** The two tokens keel holds on a chain; bridges move them under these names. */
export type TreasuryAsset = 'weth' | 'usdc'

/**
 * Everything the declarations of one chain need: whose Safe, which tokens, where each venue is.
 * A venue left out is not declared (keel does not use it on this chain).
 */
export type PermissionContext = {
  chain: ChainKey
  chainId: number
  /** This chain's treasury Safe: the Roles modifier's avatar. */
  safe: Address
  /** The treasury Safe of every chain: where a bridge may deliver. */
  safes: Partial<Record<ChainKey, Address>>
  tokens: Record<TreasuryAsset, Address> & {
    /** Option tokens (Gamma oTokens) keel may sell or buy back here: series known when the role is compiled. */
    otokens: readonly Address[]
  }
  venues: {
    uniswapV3?: { swapRouter: Address; nonfungiblePositionManager: Address; poolFee: number }
    layerZero?: {
      endpoint: Address
      oft: Address
      /** The token the OFT takes (USDC). */
      token: Address
      eid: number
      /** The executor options keel's sends carry (`buildExtraOptions` of its extra lzReceive gas). */
      extraOptions: readonly Hex[]
      /** The OFT on every other chain: where a send may go and whose messages keel may re-execute here. */
      peers: Partial<Record<ChainKey, { eid: number; oft: Address }>>
    }
    across?: {
      spokePool: Address
      tokens: Record<TreasuryAsset, Address>
      destinations: Partial<Record<ChainKey, { chainId: number; tokens: Record<TreasuryAsset, Address> }>>
    }
    gamma?: { controller: Address; marginPool: Address; otokenFactory: Address; pricer: Address }
    airswap?: { swapContract: Address }
  }
  allowances: readonly AllowanceSetting[]
}
