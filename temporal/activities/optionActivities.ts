import { type Address, type Chain, getAddress, type PublicClient, type Transport } from 'viem'
import { requestQuotes, swapErc20Abi, takeOrderCalls } from '../../adapters/airswap-rfq/rfq.ts'
import type { Executor } from '../../adapters/executor/executor.ts'
import { controllerAbi, oracleAbi } from '../../adapters/opyn-gamma/abis.ts'
import {
  burnShortCall,
  createSeriesCall,
  depositCollateralCalls,
  expiryRound,
  findSeries,
  type GammaDeployment,
  listSeries,
  openShortCalls,
  postExpiryPriceCall,
  readExpiryPrice,
  readNakedMarginRequired,
  readOraclePriceE8,
  readVaults,
  redeemCall,
  type Series,
  type SeriesSpec,
  settleVaultCall,
} from '../../adapters/opyn-gamma/gamma.ts'
import type { Call } from '../../adapters/types.ts'
import { InvalidInputError } from '../../agent/errors.ts'
import type { Mandate } from '../../agent/mandate/schema.ts'
import { gammaFullCollateral } from '../../agent/options/gammaSettlement.ts'
import type { ChainOptionsJson, OptionLegJson } from '../../agent/options/mark.ts'
import type { ExpiryJson, SeriesJson } from '../../agent/options/rolls.ts'
import type { ChainKey } from '../../chains/types.ts'
import type { ActivityDeps } from './createActivities.ts'
import type { ChainActivities, OptionQuoteJson, ReadActivities } from './types.ts'

const erc20BalanceAbi = [
  {
    type: 'function',
    name: 'balanceOf',
    stateMutability: 'view',
    inputs: [{ name: 'owner', type: 'address' }],
    outputs: [{ name: '', type: 'uint256' }],
  },
] as const

const leg = (s: Series, amountE8: bigint): OptionLegJson => ({
  otoken: s.otoken,
  isPut: s.isPut,
  strikeE8: s.strikeE8.toString(),
  expirySec: s.expirySec.toString(),
  amountE8: amountE8.toString(),
})

/**
 * The treasury's option book on one chain, for the observation: its Gamma vaults (shorts and
 * collateral) and the oTokens it holds, with the mandate's mark smile. Nothing when the mandate has
 * no book on this chain or the worker knows no Gamma there.
 */
export async function observeOptions(
  deps: ActivityDeps,
  mandate: Mandate,
  chain: ChainKey,
  treasury: Address,
): Promise<{ options?: ChainOptionsJson }> {
  const book = mandate.options
  const d = deps.gamma?.[chain]
  const client = deps.chains[chain]?.clients.publicClient
  if (!book?.chains.includes(chain) || !d || !client) return {}
  const block = await client.getBlock()
  const [vaults, series] = await Promise.all([readVaults(client, d, treasury), seriesUpTo(client, d, block.number)])
  const byToken = new Map(series.map((s) => [s.otoken.toLowerCase(), s]))
  const held = await Promise.all(
    series.map((s) => client.readContract({ address: s.otoken, abi: erc20BalanceAbi, functionName: 'balanceOf', args: [treasury] })),
  )
  // Expiries the book still has something in that have passed: what settlement needs to know of each.
  const passed = new Set<bigint>()
  for (const v of vaults) {
    const s = v.short && v.short.amountE8 > 0n ? byToken.get(v.short.otoken.toLowerCase()) : undefined
    if (s && s.expirySec <= block.timestamp) passed.add(s.expirySec)
  }
  for (const [i, s] of series.entries()) if (held[i]! > 0n && s.expirySec <= block.timestamp) passed.add(s.expirySec)
  // What each live naked-margin vault needs now, at the feed's price, from Gamma's own calculator.
  const spotE8 = await readOraclePriceE8(client, d)
  const margins = new Map<bigint, bigint>()
  for (const v of vaults) {
    const s = v.short && v.short.amountE8 > 0n ? byToken.get(v.short.otoken.toLowerCase()) : undefined
    if (v.type === 1 && s?.isPut && s.expirySec > block.timestamp)
      margins.set(v.id, await readNakedMarginRequired(client, d, { series: s, amountE8: v.short!.amountE8, spotE8 }))
  }
  const expiries = await Promise.all([...passed].sort((a, b) => (a < b ? -1 : 1)).map((e) => expiryOf(client, d, e)))
  return {
    options: {
      ...(expiries.length > 0 ? { expiries } : {}),
      vaults: vaults.map((v) => {
        const s = v.short ? byToken.get(v.short.otoken.toLowerCase()) : undefined
        const naked = v.type === 1 && v.short && v.short.amountE8 > 0n && s && s.expirySec > block.timestamp
        return {
          id: v.id.toString(),
          type: v.type,
          ...(naked && margins.has(v.id) ? { marginRequired: margins.get(v.id)!.toString() } : {}),
          short: v.short && s ? leg(s, v.short.amountE8) : null,
          collateral: v.collateral ? { asset: v.collateral.asset, amount: v.collateral.amount.toString() } : null,
        }
      }),
      longs: series.flatMap((s, i) => (held[i]! > 0n ? [leg(s, held[i]!)] : [])),
      mark: book.mark.svi,
    },
  }
}

/**
 * Every series created up to `toBlock`, scanning only the blocks this worker has not scanned yet:
 * the factory's events are kept per client and factory (a chain that went back starts over).
 */
const seriesSeen = new WeakMap<Client, Map<string, { toBlock: bigint; series: Series[] }>>()
async function seriesUpTo(client: Client, d: GammaDeployment, toBlock: bigint): Promise<Series[]> {
  const key = d.otokenFactory.toLowerCase()
  const byFactory = seriesSeen.get(client) ?? new Map<string, { toBlock: bigint; series: Series[] }>()
  seriesSeen.set(client, byFactory)
  const seen = byFactory.get(key)
  const from = seen && seen.toBlock <= toBlock ? seen.toBlock + 1n : 0n
  const known = from === 0n ? [] : seen!.series
  if (from > toBlock) return known
  const found = await listSeries(client, d, from, toBlock)
  const series = [...known, ...found]
  byFactory.set(key, { toBlock, series })
  return series
}

async function expiryOf(client: Client, d: GammaDeployment, expirySec: bigint): Promise<ExpiryJson> {
  const [price, lockingOver] = await Promise.all([
    readExpiryPrice(client, d, expirySec),
    client.readContract({ address: d.oracle, abi: oracleAbi, functionName: 'isLockingPeriodOver', args: [d.weth, expirySec] }),
  ])
  const posted = price.priceE8 > 0n
  const round = posted ? null : await expiryRound(client, d, expirySec)
  return {
    expirySec: expirySec.toString(),
    priceE8: posted ? price.priceE8.toString() : null,
    final: posted && price.final,
    lockingOver,
    round: round ? { roundId: round.roundId.toString(), priceE8: round.priceE8.toString() } : null,
  }
}

/** Where the worker asks for option quotes on each chain: AirSwap SwapERC20 and the makers' RFQ servers. */
export type RfqVenue = { swapContract: Address; makers: { id: string; url: string }[] }

const seriesSpec = (s: SeriesJson): SeriesSpec => ({ isPut: s.isPut, strikeE8: BigInt(s.strikeE8), expirySec: BigInt(s.expirySec) })

function gammaOf(deps: ActivityDeps, chain: ChainKey): { d: GammaDeployment; client: Client } {
  const d = deps.gamma?.[chain]
  const client = deps.chains[chain]?.clients.publicClient
  if (!d || !client)
    throw new InvalidInputError({ what: 'option action', issues: [{ path: chain, message: 'no Opyn Gamma known on this chain' }] })
  return { d, client }
}

type Client = PublicClient<Transport, Chain>

/** Option reads: makers' quotes, series and vaults. */
export function optionReadActivities(deps: ActivityDeps): Pick<ReadActivities, 'quoteOptions' | 'findOptionSeries' | 'readOptionVault'> {
  return {
    async quoteOptions({ chain, otoken, side, amountE8, treasury }) {
      const { d, client } = gammaOf(deps, chain)
      const venue = deps.rfq?.[chain]
      if (!venue)
        throw new InvalidInputError({ what: 'quoteOptions', issues: [{ path: chain, message: 'no RFQ venue known on this chain' }] })
      const [block, protocolFee] = await Promise.all([
        client.getBlock(),
        client.readContract({ address: venue.swapContract, abi: swapErc20Abi, functionName: 'protocolFee' }),
      ])
      const common = {
        chainId: d.chainId,
        swapContract: venue.swapContract,
        senderWallet: getAddress(treasury),
        nowSec: block.timestamp,
        minValiditySec: MIN_ORDER_VALIDITY_SEC,
        protocolFee,
      }
      const bids = await requestQuotes(
        venue.makers,
        side === 'sell'
          ? { ...common, side, signerToken: d.usdc, senderToken: otoken, senderAmount: BigInt(amountE8) }
          : { ...common, side, signerToken: otoken, senderToken: d.usdc, signerAmount: BigInt(amountE8) },
      )
      return {
        blockTimestampSec: block.timestamp.toString(),
        quotes: bids.map((b): OptionQuoteJson => {
          if (b.status !== 'ok') return b
          const { v, r, s, nonce, expiry, signerWallet, signerToken, signerAmount, senderToken, senderAmount } = b.order
          // The signature covers the sender, which the order itself does not carry: the treasury that asked.
          const senderWallet = common.senderWallet
          const order = {
            nonce,
            expiry,
            signerWallet,
            signerToken,
            signerAmount,
            senderWallet,
            senderToken,
            senderAmount,
            v: String(v),
            r,
            s,
          }
          return { maker: b.maker, status: 'ok', order, signerAmount: b.signerAmount.toString(), senderAmount: b.senderAmount.toString() }
        }),
      }
    },
    async findOptionSeries({ chain, series }) {
      const { d, client } = gammaOf(deps, chain)
      const found = await findSeries(client, d, seriesSpec(series))
      if (found) return { otoken: found.otoken, exists: true }
      const { series: target } = await createSeriesCall(client, d, seriesSpec(series))
      return { otoken: target.otoken, exists: false }
    },
    async readOptionVault({ chain, owner, vaultId }) {
      const { d, client } = gammaOf(deps, chain)
      const vault = (await readVaults(client, d, getAddress(owner))).find((v) => v.id === BigInt(vaultId))
      if (!vault) return null
      return { shortE8: (vault.short?.amountE8 ?? 0n).toString(), collateral: (vault.collateral?.amount ?? 0n).toString() }
    },
  }
}

/** A maker's order must stay valid this long after it is quoted: the sale is signed and sent within it. */
const MIN_ORDER_VALIDITY_SEC = 30n

/** Option writes on one chain: each action built by the adapters and signed by the treasury's executor. */
export function optionChainActivities(
  deps: ActivityDeps,
  chain: ChainKey,
  executor: Executor,
): Pick<ChainActivities, 'prepareOptionAction'> {
  return {
    async prepareOptionAction({ chain: c, idempotencyKey, action }) {
      if (c !== chain)
        throw new InvalidInputError({
          what: 'prepareOptionAction',
          issues: [{ path: 'chain', message: `this worker signs for ${chain}, not ${c}` }],
        })
      const { d, client } = gammaOf(deps, chain)
      const owner = executor.treasury
      const sign = (calls: Call[]) => (calls.length === 0 ? Promise.resolve([]) : executor.prepare({ calls, idempotencyKey }))
      switch (action.kind) {
        case 'create-series': {
          const spec = seriesSpec(action.series)
          if (await findSeries(client, d, spec)) return { prepared: [] }
          const { call } = await createSeriesCall(client, d, spec)
          return { prepared: await sign([call]) }
        }
        case 'open': {
          const series = await findSeries(client, d, seriesSpec(action.series))
          if (!series) throw new InvalidInputError({ what: 'open', issues: [{ path: 'series', message: 'the series does not exist yet' }] })
          const amountE8 = BigInt(action.amountE8)
          const full = gammaFullCollateral({ ...series, amountE8 })
          if (BigInt(action.collateral) !== full)
            throw new InvalidInputError({
              what: 'open',
              issues: [{ path: 'collateral', message: `${action.collateral} is not the full collateral ${full}` }],
            })
          // Never naked beyond Gamma's own margin: a margined put deposits the MarginCalculator's requirement
          // at the feed's price plus the buffer, never less.
          let collateral: bigint | undefined
          if (action.margin) {
            if (!series.isPut)
              throw new InvalidInputError({ what: 'open', issues: [{ path: 'margin', message: 'only puts may be margined' }] })
            const required = await readNakedMarginRequired(client, d, { series, amountE8, spotE8: await readOraclePriceE8(client, d) })
            collateral = (required * BigInt(10_000 + action.margin.bufferBps) + 9_999n) / 10_000n
            if (collateral > full) collateral = undefined
          }
          const counter = await client.readContract({
            address: d.controller,
            abi: controllerAbi,
            functionName: 'getAccountVaultCounter',
            args: [owner],
          })
          const vaultId = counter + 1n
          const calls = openShortCalls(d, {
            series,
            owner,
            vaultId,
            amountE8,
            to: owner,
            ...(collateral !== undefined ? { collateral } : {}),
          })
          return { prepared: await sign(calls), vaultId: vaultId.toString(), collateral: (collateral ?? full).toString() }
        }
        case 'take-order': {
          const venue = deps.rfq?.[chain]
          if (!venue)
            throw new InvalidInputError({ what: 'take-order', issues: [{ path: chain, message: 'no RFQ venue known on this chain' }] })
          if (getAddress(action.order.senderWallet) !== owner)
            throw new InvalidInputError({
              what: 'take-order',
              issues: [{ path: 'order.senderWallet', message: 'the order is not for this treasury' }],
            })
          const { senderWallet: _treasury, ...order } = action.order
          // A Safe's role names each series it may trade: on the devnet its owners' stand-in extends it first.
          if (deps.treasuries?.[chain] && deps.extendRole) {
            const otoken = getAddress(order.senderToken) === getAddress(d.usdc) ? order.signerToken : order.senderToken
            await deps.extendRole({ chain, otoken: getAddress(otoken) })
          }
          return { prepared: await sign(takeOrderCalls({ chainId: d.chainId, swapContract: venue.swapContract, order, recipient: owner })) }
        }
        case 'burn': {
          const series = await findSeries(client, d, seriesSpec(action.series))
          if (!series) throw new InvalidInputError({ what: 'burn', issues: [{ path: 'series', message: 'no such series' }] })
          return {
            prepared: await sign([
              burnShortCall(d, {
                series,
                owner,
                vaultId: BigInt(action.vaultId),
                amountE8: BigInt(action.amountE8),
                withdraw: BigInt(action.withdraw),
              }),
            ]),
          }
        }
        case 'deposit': {
          const series = await findSeries(client, d, seriesSpec(action.series))
          if (!series) throw new InvalidInputError({ what: 'deposit', issues: [{ path: 'series', message: 'no such series' }] })
          return {
            prepared: await sign(
              depositCollateralCalls(d, { series, owner, vaultId: BigInt(action.vaultId), amount: BigInt(action.amount) }),
            ),
          }
        }
        case 'post-expiry-price':
          return {
            prepared: await sign([postExpiryPriceCall(d, { expirySec: BigInt(action.expirySec), roundId: BigInt(action.roundId) })]),
          }
        case 'settle-vault':
          return { prepared: await sign([settleVaultCall(d, { owner, vaultId: BigInt(action.vaultId), to: owner })]) }
        case 'redeem':
          return {
            prepared: await sign([redeemCall(d, { otoken: getAddress(action.otoken), holder: owner, amountE8: BigInt(action.amountE8) })]),
          }
      }
    },
  }
}
