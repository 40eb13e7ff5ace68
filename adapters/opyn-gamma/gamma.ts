import { type Address, type Chain, encodeAbiParameters, encodeFunctionData, type PublicClient, type Transport, zeroAddress } from 'viem'
import { gammaFullCollateral } from '../../agent/options/gammaSettlement.ts'
import type { Call } from '../types.ts'
import { ActionType, controllerAbi, erc20Abi, feedAbi, marginCalculatorAbi, oracleAbi, otokenFactoryAbi, pricerAbi } from './abis.ts'

/**
 * keel's adapter for Opyn Gamma Protocol v2 on one chain: series (oTokens) found or created, vaults
 * read, and the calls that open a vault, deposit collateral and mint, burn, settle and redeem, and
 * post an expiry price through the Chainlink pricer. Calls are data (`Call`); the executor sends them.
 */

export type GammaDeployment = {
  chainId: number
  controller: Address
  otokenFactory: Address
  oracle: Address
  marginPool: Address
  marginCalculator: Address
  pricer: Address
  /** Chainlink-compatible ETH/USD feed the pricer reads. */
  feed: Address
  weth: Address
  usdc: Address
}

type Client = PublicClient<Transport, Chain>

/** One option series as Gamma keys it: WETH underlying, USDC strike, WETH collateral for calls and USDC for puts. */
export type SeriesSpec = { isPut: boolean; strikeE8: bigint; expirySec: bigint }

export type Series = SeriesSpec & { otoken: Address; collateral: Address; collateralDecimals: number }

export type Vault = {
  id: bigint
  /** 0: fully collateralised; 1: naked margin (partially collateralised puts). */
  type: number
  short: { otoken: Address; amountE8: bigint } | null
  long: { otoken: Address; amountE8: bigint } | null
  collateral: { asset: Address; amount: bigint } | null
}

const productArgs = (d: GammaDeployment, s: SeriesSpec) =>
  [d.weth, d.usdc, s.isPut ? d.usdc : d.weth, s.strikeE8, s.expirySec, s.isPut] as const

export const seriesOf = (d: GammaDeployment, s: SeriesSpec, otoken: Address): Series => ({
  ...s,
  otoken,
  collateral: s.isPut ? d.usdc : d.weth,
  collateralDecimals: s.isPut ? 6 : 18,
})

/** The series' oToken, or null when nobody has created it yet. */
export async function findSeries(client: Client, d: GammaDeployment, s: SeriesSpec): Promise<Series | null> {
  const otoken = await client.readContract({
    address: d.otokenFactory,
    abi: otokenFactoryAbi,
    functionName: 'getOtoken',
    args: productArgs(d, s),
  })
  return otoken === zeroAddress ? null : seriesOf(d, s, otoken)
}

/** Where the series' oToken will be once created (CREATE2), and the call that creates it. */
export async function createSeriesCall(client: Client, d: GammaDeployment, s: SeriesSpec): Promise<{ series: Series; call: Call }> {
  const otoken = await client.readContract({
    address: d.otokenFactory,
    abi: otokenFactoryAbi,
    functionName: 'getTargetOtokenAddress',
    args: productArgs(d, s),
  })
  const call: Call = {
    chainId: d.chainId,
    to: d.otokenFactory,
    data: encodeFunctionData({ abi: otokenFactoryAbi, functionName: 'createOtoken', args: productArgs(d, s) }),
    value: 0n,
    description: `create the ${describeSeries(s)} oToken`,
  }
  return { series: seriesOf(d, s, otoken), call }
}

/** Every series created on the chain from `fromBlock` (to `toBlock`, or the latest), from the factory's events. */
export async function listSeries(client: Client, d: GammaDeployment, fromBlock: bigint, toBlock?: bigint): Promise<Series[]> {
  const logs = await client.getContractEvents({
    address: d.otokenFactory,
    abi: otokenFactoryAbi,
    eventName: 'OtokenCreated',
    fromBlock,
    ...(toBlock !== undefined ? { toBlock } : {}),
  })
  return logs
    .filter((l) => l.args.underlying === d.weth && l.args.strike === d.usdc)
    .map((l) => seriesOf(d, { isPut: l.args.isPut!, strikeE8: l.args.strikePrice!, expirySec: l.args.expiry! }, l.args.tokenAddress!))
}

const action = (a: {
  actionType: number
  owner: Address
  secondAddress?: Address
  asset?: Address
  vaultId?: bigint
  amount?: bigint
  data?: `0x${string}`
}) => ({
  actionType: a.actionType,
  owner: a.owner,
  secondAddress: a.secondAddress ?? zeroAddress,
  asset: a.asset ?? zeroAddress,
  vaultId: a.vaultId ?? 0n,
  amount: a.amount ?? 0n,
  index: 0n,
  data: a.data ?? '0x',
})

const operate = (d: GammaDeployment, actions: ReturnType<typeof action>[], description: string): Call => ({
  chainId: d.chainId,
  to: d.controller,
  data: encodeFunctionData({ abi: controllerAbi, functionName: 'operate', args: [actions] }),
  value: 0n,
  description,
})

/**
 * Sells protection, step one: a new vault (the owner's next id), the collateral deposited from the
 * owner and `amountE8` oTokens minted to `to`, in one `operate`; preceded by the approval the
 * MarginPool pulls the collateral with. Fully collateralised unless `collateral` is given (a
 * partially collateralised put in a naked-margin vault).
 */
export function openShortCalls(
  d: GammaDeployment,
  p: { series: Series; owner: Address; vaultId: bigint; amountE8: bigint; to: Address; collateral?: bigint },
): Call[] {
  const { series } = p
  const naked = p.collateral !== undefined
  if (naked && !series.isPut) throw new RangeError('only puts may be partially collateralised')
  const amount = p.collateral ?? gammaFullCollateral({ ...series, amountE8: p.amountE8 })
  const approve: Call = {
    chainId: d.chainId,
    to: series.collateral,
    data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [d.marginPool, amount] }),
    value: 0n,
    description: `approve ${amount} of the collateral to Gamma's MarginPool`,
  }
  const vaultType = encodeAbiParameters([{ type: 'uint256' }], [naked ? 1n : 0n])
  return [
    approve,
    operate(
      d,
      [
        action({ actionType: ActionType.OpenVault, owner: p.owner, vaultId: p.vaultId, data: vaultType }),
        action({
          actionType: ActionType.DepositCollateral,
          owner: p.owner,
          secondAddress: p.owner,
          asset: series.collateral,
          vaultId: p.vaultId,
          amount,
        }),
        action({
          actionType: ActionType.MintShortOption,
          owner: p.owner,
          secondAddress: p.to,
          asset: series.otoken,
          vaultId: p.vaultId,
          amount: p.amountE8,
        }),
      ],
      `open vault ${p.vaultId}, deposit ${amount} collateral and mint ${p.amountE8} of ${describeSeries(series)}`,
    ),
  ]
}

/** Adds collateral to a vault (a top-up of a partially collateralised put): the approval and one `operate`. */
export function depositCollateralCalls(d: GammaDeployment, p: { series: Series; owner: Address; vaultId: bigint; amount: bigint }): Call[] {
  return [
    {
      chainId: d.chainId,
      to: p.series.collateral,
      data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [d.marginPool, p.amount] }),
      value: 0n,
      description: `approve ${p.amount} of the collateral to Gamma's MarginPool`,
    },
    operate(
      d,
      [
        action({
          actionType: ActionType.DepositCollateral,
          owner: p.owner,
          secondAddress: p.owner,
          asset: p.series.collateral,
          vaultId: p.vaultId,
          amount: p.amount,
        }),
      ],
      `deposit ${p.amount} collateral into vault ${p.vaultId}`,
    ),
  ]
}

/** Buys protection back: burns oTokens the owner holds against its vault and withdraws the collateral they freed. */
export function burnShortCall(
  d: GammaDeployment,
  p: { series: Series; owner: Address; vaultId: bigint; amountE8: bigint; withdraw: bigint },
): Call {
  return operate(
    d,
    [
      action({
        actionType: ActionType.BurnShortOption,
        owner: p.owner,
        secondAddress: p.owner,
        asset: p.series.otoken,
        vaultId: p.vaultId,
        amount: p.amountE8,
      }),
      ...(p.withdraw > 0n
        ? [
            action({
              actionType: ActionType.WithdrawCollateral,
              owner: p.owner,
              secondAddress: p.owner,
              asset: p.series.collateral,
              vaultId: p.vaultId,
              amount: p.withdraw,
            }),
          ]
        : []),
    ],
    `burn ${p.amountE8} of ${describeSeries(p.series)} from vault ${p.vaultId}`,
  )
}

/** After expiry and the dispute period: the vault's collateral less what its shorts owe goes to `to`. */
export const settleVaultCall = (d: GammaDeployment, p: { owner: Address; vaultId: bigint; to: Address }): Call =>
  operate(
    d,
    [action({ actionType: ActionType.SettleVault, owner: p.owner, secondAddress: p.to, vaultId: p.vaultId })],
    `settle vault ${p.vaultId}`,
  )

/** After expiry and the dispute period: `amountE8` oTokens of the holder's burnt for their payout. */
export const redeemCall = (d: GammaDeployment, p: { otoken: Address; holder: Address; amountE8: bigint }): Call =>
  operate(
    d,
    [action({ actionType: ActionType.Redeem, owner: zeroAddress, secondAddress: p.holder, asset: p.otoken, amount: p.amountE8 })],
    `redeem ${p.amountE8} oTokens ${p.otoken}`,
  )

/**
 * The expiry price posted through the Chainlink pricer: anyone may post it, with the feed's first
 * round at or after expiry (the pricer checks the round before it is earlier), once the locking
 * period after expiry has passed.
 */
export const postExpiryPriceCall = (d: GammaDeployment, p: { expirySec: bigint; roundId: bigint }): Call => ({
  chainId: d.chainId,
  to: d.pricer,
  data: encodeFunctionData({ abi: pricerAbi, functionName: 'setExpiryPriceInOracle', args: [p.expirySec, p.roundId] }),
  value: 0n,
  description: `post the ETH price at ${p.expirySec} from feed round ${p.roundId}`,
})

/** The feed's first round at or after `expirySec`, or null when the feed has not updated since. */
export async function expiryRound(
  client: Client,
  d: GammaDeployment,
  expirySec: bigint,
): Promise<{ roundId: bigint; priceE8: bigint } | null> {
  const [latest] = await client.readContract({ address: d.feed, abi: feedAbi, functionName: 'latestRoundData' })
  let found: { roundId: bigint; priceE8: bigint } | null = null
  for (let id = latest; id > 0n; id--) {
    const [, answer, , updatedAt] = await client.readContract({ address: d.feed, abi: feedAbi, functionName: 'getRoundData', args: [id] })
    if (updatedAt < expirySec) break
    found = { roundId: id, priceE8: answer }
  }
  return found
}

/** The expiry price Gamma's Oracle holds for WETH, and whether its dispute period is over (settlement allowed). */
export async function readExpiryPrice(client: Client, d: GammaDeployment, expirySec: bigint): Promise<{ priceE8: bigint; final: boolean }> {
  const [priceE8, final] = await client.readContract({
    address: d.oracle,
    abi: oracleAbi,
    functionName: 'getExpiryPrice',
    args: [d.weth, expirySec],
  })
  return { priceE8, final }
}

/** Every vault of `owner`, ids 1…n as Gamma numbers them. */
export async function readVaults(client: Client, d: GammaDeployment, owner: Address): Promise<Vault[]> {
  const count = await client.readContract({
    address: d.controller,
    abi: controllerAbi,
    functionName: 'getAccountVaultCounter',
    args: [owner],
  })
  const ids = Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1))
  return Promise.all(
    ids.map(async (id): Promise<Vault> => {
      const [v, type] = await client.readContract({
        address: d.controller,
        abi: controllerAbi,
        functionName: 'getVaultWithDetails',
        args: [owner, id],
      })
      const first = <T>(xs: readonly T[]) => xs[0]
      const short = first(v.shortOtokens)
      const long = first(v.longOtokens)
      const coll = first(v.collateralAssets)
      return {
        id,
        type: Number(type),
        short: short && short !== zeroAddress ? { otoken: short, amountE8: v.shortAmounts[0]! } : null,
        long: long && long !== zeroAddress ? { otoken: long, amountE8: v.longAmounts[0]! } : null,
        collateral: coll && coll !== zeroAddress ? { asset: coll, amount: v.collateralAmounts[0]! } : null,
      }
    }),
  )
}

/** Collateral above what the vault needs (negative: short of margin), in collateral base units, from Gamma's MarginCalculator. */
export async function readExcessCollateral(client: Client, d: GammaDeployment, owner: Address, vaultId: bigint): Promise<bigint> {
  const [v, type] = await client.readContract({
    address: d.controller,
    abi: controllerAbi,
    functionName: 'getVaultWithDetails',
    args: [owner, vaultId],
  })
  const [amount, isExcess] = await client.readContract({
    address: d.marginCalculator,
    abi: marginCalculatorAbi,
    functionName: 'getExcessCollateral',
    args: [v, type],
  })
  return isExcess ? amount : -amount
}

/**
 * The collateral Gamma's MarginCalculator requires of a partially collateralised put of `amountE8`
 * at ETH price `spotE8`, in USDC base units (its own arithmetic, so a vault opened or topped up
 * with it is exactly at the margin).
 */
export async function readNakedMarginRequired(
  client: Client,
  d: GammaDeployment,
  p: { series: SeriesSpec; amountE8: bigint; spotE8: bigint },
): Promise<bigint> {
  return client.readContract({
    address: d.marginCalculator,
    abi: marginCalculatorAbi,
    functionName: 'getNakedMarginRequired',
    args: [d.weth, d.usdc, d.usdc, p.amountE8, p.series.strikeE8, p.spotE8, p.series.expirySec, 6n, true],
  })
}

/** The ETH price Gamma's Oracle reads now (the pricer's feed), 1e8. */
export async function readOraclePriceE8(client: Client, d: GammaDeployment): Promise<bigint> {
  const [, answer] = await client.readContract({ address: d.feed, abi: feedAbi, functionName: 'latestRoundData' })
  return answer
}

export const describeSeries = (s: SeriesSpec): string =>
  `ETH ${s.isPut ? 'put' : 'call'} ${(Number(s.strikeE8) / 1e8).toFixed(2)} expiring ${new Date(Number(s.expirySec) * 1000).toISOString().slice(0, 16)}Z`
