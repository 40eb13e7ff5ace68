import type { Address, Chain, PublicClient, Transport } from 'viem'
import { InvalidInputError } from '../../agent/errors.ts'
import type { ChainKey } from '../../chains/types.ts'
import type { Call, OptionSeries, OptionVault, OptionVenueAdapter } from '../types.ts'
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
  readExcessCollateral,
  readExpiryPrice,
  readNakedMarginRequired,
  readOraclePriceE8,
  readVaults,
  redeemCall,
  type Series,
  settleVaultCall,
  type Vault,
} from './gamma.ts'

export type { GammaDeployment } from './gamma.ts'

export type GammaChainDeps = { client: PublicClient<Transport, Chain>; deployment: GammaDeployment }

export type GammaAdapterDeps = { chains: Partial<Record<ChainKey, GammaChainDeps>> }

// Gamma's oTokens all have 8 decimals, so an amount of them is also an `amountE8`.
const otokenDecimals = 8

/** Opyn Gamma v2 as an OptionVenueAdapter: gamma.ts's reads and calls, keyed by chain. */
export function createGammaAdapter(deps: GammaAdapterDeps): OptionVenueAdapter {
  const served = (Object.keys(deps.chains) as ChainKey[]).filter((c) => deps.chains[c] !== undefined)
  const on = (chain: ChainKey): GammaChainDeps | undefined => (served.includes(chain) ? deps.chains[chain] : undefined)
  const must = (chain: ChainKey, what: string): GammaChainDeps => {
    const c = on(chain)
    if (!c) throw new InvalidInputError({ what, issues: [{ path: 'chain', message: `Gamma is not served on ${chain}` }] })
    return c
  }
  const toOption = (chain: ChainKey, d: GammaDeployment, s: Series): OptionSeries => ({
    chain,
    isPut: s.isPut,
    strikeE8: s.strikeE8,
    expirySec: s.expirySec,
    token: s.otoken,
    decimals: otokenDecimals,
    underlying: d.weth,
    strikeAsset: d.usdc,
    collateral: s.collateral,
    collateralDecimals: s.collateralDecimals,
  })
  return {
    manifest: {
      id: 'opyn-gamma',
      kind: 'options',
      chains: served,
      version: '1.0.0',
      description: 'Opyn Gamma Protocol v2: WETH/USDC oTokens written from vaults (calls in WETH, puts in USDC or on margin)',
    },
    async findSeries({ chain, spec }) {
      const c = on(chain)
      const s = c ? await findSeries(c.client, c.deployment, spec) : null
      return c && s ? toOption(chain, c.deployment, s) : null
    },
    async createSeriesCall({ chain, spec }) {
      const c = on(chain)
      if (!c) return { status: 'unavailable', reason: `Gamma is not served on ${chain}` }
      const { series, call } = await createSeriesCall(c.client, c.deployment, spec)
      return { status: 'ok', series: toOption(chain, c.deployment, series), call }
    },
    async listSeries({ chain, fromBlock, toBlock }) {
      const c = on(chain)
      if (!c) return []
      const found = await listSeries(c.client, c.deployment, fromBlock, toBlock)
      return found.map((s) => toOption(chain, c.deployment, s))
    },
    async positions({ chain, owner }) {
      const c = on(chain)
      return c ? (await readVaults(c.client, c.deployment, owner)).map((v) => toVault(chain, owner, v)) : []
    },
    openShortCalls({ series, owner, vaultId, amount, to, collateral }) {
      const { deployment } = must(series.chain, 'Gamma short')
      try {
        return openShortCalls(deployment, {
          series: toGamma(series),
          owner,
          vaultId,
          amountE8: amount,
          to,
          ...(collateral !== undefined ? { collateral } : {}),
        })
      } catch (err) {
        // gamma.ts refuses a partially collateralised call with a RangeError: the caller's input, named.
        if (err instanceof RangeError)
          throw new InvalidInputError({ what: 'Gamma short', issues: [{ path: 'collateral', message: err.message }], cause: err })
        throw err
      }
    },
    depositCollateralCalls({ series, owner, vaultId, amount }) {
      const { deployment } = must(series.chain, 'Gamma deposit')
      return depositCollateralCalls(deployment, { series: toGamma(series), owner, vaultId, amount })
    },
    burnShortCall({ series, owner, vaultId, amount, withdraw }) {
      const { deployment } = must(series.chain, 'Gamma burn')
      return burnShortCall(deployment, { series: toGamma(series), owner, vaultId, amountE8: amount, withdraw })
    },
    settleVaultCall({ chain, owner, vaultId, to }): Call {
      return settleVaultCall(must(chain, 'Gamma settlement').deployment, { owner, vaultId, to })
    },
    redeemCall({ series, holder, amount }) {
      return redeemCall(must(series.chain, 'Gamma redemption').deployment, { otoken: series.token, holder, amountE8: amount })
    },
    async marginRequired({ series, amount, spotE8 }) {
      const c = on(series.chain)
      if (!c || !series.isPut) return null
      const spot = spotE8 ?? (await readOraclePriceE8(c.client, c.deployment))
      return readNakedMarginRequired(c.client, c.deployment, { series, amountE8: amount, spotE8: spot })
    },
    async excessCollateral({ chain, owner, vaultId }) {
      const c = on(chain)
      return c ? readExcessCollateral(c.client, c.deployment, owner, vaultId) : null
    },
    async expiryPrice({ chain, expirySec }) {
      const c = on(chain)
      if (!c) return null
      const price = await readExpiryPrice(c.client, c.deployment, expirySec)
      // Gamma's Oracle answers 0 for an expiry nobody has priced yet.
      return price.priceE8 === 0n ? null : price
    },
    async postExpiryPriceCall({ chain, expirySec }) {
      const c = on(chain)
      if (!c) return { status: 'unavailable', reason: `Gamma is not served on ${chain}` }
      const round = await expiryRound(c.client, c.deployment, expirySec)
      if (!round) return { status: 'unavailable', reason: `the ETH/USD feed has not updated since expiry ${expirySec}` }
      return { status: 'ok', priceE8: round.priceE8, call: postExpiryPriceCall(c.deployment, { expirySec, roundId: round.roundId }) }
    },
  }
}

const toGamma = (s: OptionSeries): Series => ({
  isPut: s.isPut,
  strikeE8: s.strikeE8,
  expirySec: s.expirySec,
  otoken: s.token,
  collateral: s.collateral,
  collateralDecimals: s.collateralDecimals,
})

// Gamma's vault types: 0 fully collateralised, 1 naked margin; anything else is a Gamma keel does not know.
const collateralisations = { 0: 'full', 1: 'partial' } as const

function toVault(chain: ChainKey, owner: Address, v: Vault): OptionVault {
  const collateralisation = collateralisations[v.type as keyof typeof collateralisations]
  if (!collateralisation) throw new RangeError(`Gamma vault ${v.id} of ${owner} has an unknown type ${v.type}`)
  return {
    chain,
    owner,
    id: v.id,
    collateralisation,
    short: v.short ? { token: v.short.otoken, amount: v.short.amountE8 } : null,
    long: v.long ? { token: v.long.otoken, amount: v.long.amountE8 } : null,
    collateral: v.collateral,
  }
}
