import type { Address, Chain, Hex } from 'viem'

/** The chains keel knows; the key is used in mandates, task queues and CLI output. */
export type ChainKey = 'ethereum' | 'arbitrum' | 'base'
export const chainKeys = ['ethereum', 'arbitrum', 'base'] as const satisfies readonly ChainKey[]

/** Our metadata beside viem's chain definition: one file per chain in `chains/`. */
export type ChainMeta = {
  key: ChainKey
  chain: Chain
  /** Typical block time, used for status polling and devnet defaults. */
  blockTimeSec: number
  /** Blocks after which a receipt is treated as final. */
  finalityDepth: number
  /** Env var holding a comma-separated list of RPC URLs for this chain. */
  rpcEnvVar: string
  /** Whether transactions on this chain go out as bundles (Ethereum) or to a private/public route. */
  submission: 'bundle' | 'private' | 'public'
  /** How the chain charges for posting a transaction's data to L1, on top of execution gas. */
  l1FeeModel: L1FeeModel
}

/**
 * `none`: an L1 (Ethereum). `op-stack`: the GasPriceOracle predeploy's `getL1Fee` over the unsigned
 * serialized tx (Base). `arbitrum-nitro`: NodeInterface's `gasEstimateL1Component`, L2 gas at the L2 base fee.
 */
export type L1FeeModel = 'none' | 'op-stack' | 'arbitrum-nitro'

/** Addresses of the protocol contracts keel uses on one chain. */
export type ChainContracts = {
  weth: Address
  usdc: Address
  uniswapV3Factory: Address
  nonfungiblePositionManager: Address
  swapRouter: Address
  quoterV2: Address
  /** The WETH/USDC pool keel trades and provides liquidity in. */
  wethUsdcPool: Address
  /** Chainlink AggregatorV3-compatible ETH/USD feed (8 decimals). */
  ethUsdFeed: Address
}

/** What `keel devnet up` leaves behind for everything else to read. */
export type DevnetManifest = {
  version: 1
  /** Seed and parameters the devnet was started with, so a run can be reproduced. */
  params: { seed: number; blockTimeSec: number | null; initialEthPriceUsd: number }
  chains: Record<
    ChainKey,
    {
      chainId: number
      rpcUrl: string
      /** Process id of the anvil node (for `devnet down`). */
      pid: number
      contracts: ChainContracts
      /** WETH/USDC pool fee in hundredths of a bip (500 = 0.05 %). */
      poolFee: number
      accounts: {
        deployer: Address
        treasury: Address
        /** The market simulator's arbitrageur, separate from the treasury. */
        arbitrageur: Address
      }
      /** Position-manager token ids of the treasury's LP positions. */
      treasuryLpTokenIds: string[]
    }
  >
  /** Dev keys of the devnet accounts (anvil's public test mnemonic); never used off the devnet. */
  devKeys: { deployer: Hex; treasury: Hex; arbitrageur: Hex }
  /**
   * Each bridge's section (its contracts per chain and the pids of its off-chain stand-ins), read
   * by that bridge's own schema; absent on a devnet started before bridges.
   */
  bridges?: Partial<Record<'layerzero' | 'across', { services: number[] } & Record<string, unknown>>> | undefined
  /** Option venues deployed on every chain, each section checked by that venue's own schema; absent on a devnet started before options. */
  options?: { gamma?: Record<string, unknown> | undefined; rfq?: Record<string, unknown> | undefined } | undefined
  /**
   * The bundle relay that builds Ethereum's blocks (automine is off there once deployed): its URL,
   * process id and block interval; absent on a devnet started before the relay.
   */
  relay?: { url: string; pid: number; blockMs: number } | undefined
  /**
   * The treasuries as Safes: on every chain a Safe (same address everywhere) owned by the DAO's
   * signers, a Zodiac Roles v2 module on it, and the role keel's key (`devKeys.treasury`) holds;
   * absent on a devnet started before Safe treasuries (the signer is then the treasury).
   */
  safes?: DevnetSafes | undefined
}

export type DevnetSafes = {
  /** The Safe's owners and how many must sign. */
  owners: Address[]
  threshold: number
  /** Safe 1.5.0 singletons, the same on every chain. */
  infra: { safeSingleton: Address; proxyFactory: Address; fallbackHandler: Address; multiSend: Address; multiSendCallOnly: Address }
  roleKey: Hex
  chains: Record<ChainKey, { safe: Address; roles: Address; rolesLibraries: { integrity: Address; packer: Address }; deployBlock: string }>
}
