import type { Chain, PublicClient, Transport } from 'viem'
import { createDevnetClients } from '../../chains/devnet/devnetClients.ts'
import { readLayerZeroSection } from '../../chains/devnet/layerzero/schemas.ts'
import { type ChainKey, chainKeys, type DevnetManifest } from '../../chains/types.ts'
import type { BridgeAdapter } from '../types.ts'
import { buildCalls } from './buildCalls.ts'
import { bridgeId, findChainContext, type LayerZeroContext, type LayerZeroDeps } from './context.ts'
import { NotDeployedError } from './errors.ts'
import { getPending } from './getPending.ts'
import { getStatus } from './getStatus.ts'
import { quote, unsupportedReason } from './quote.ts'
import { readSent } from './readSent.ts'
import { remediation } from './remediation.ts'

export type { LayerZeroChainConfig, LayerZeroDeps } from './context.ts'
export { mapTransferState } from './getStatus.ts'
export { buildExtraOptions, lzReceiveGasOf } from './options.ts'

/** Creates the LayerZero V2 OFT bridge adapter (USDC) over per-chain clients and deployments. */
export function createLayerZeroAdapter(deps: LayerZeroDeps): BridgeAdapter {
  const ctx: LayerZeroContext = { ...deps, located: new Map() }
  const chains = chainKeys.filter((c) => findChainContext(deps, c) !== undefined)
  return {
    manifest: {
      id: bridgeId,
      kind: 'bridge',
      chains,
      version: '1.0.0',
      description: 'LayerZero V2 OFT: USDC burned on the origin and minted on the destination; GUID status from the endpoints',
    },
    supports: (req) => unsupportedReason(deps, req) === null,
    quote: (req) => quote(deps, req),
    buildCalls: (p) => buildCalls(deps, p),
    readSent: (p) => readSent(ctx, p),
    getStatus: (p) => getStatus(ctx, p),
    getPending: (p) => getPending(ctx, p),
    remediation: (p) => remediation(ctx, p),
  }
}

/** Delivery takes about a second on the devnet: a poll of the delivery service and a block on each side. */
const devnetExpectedSec = 2

/**
 * The LayerZero adapter of a devnet, from its manifest (for keel's composition root). Clients are
 * made for the manifest's RPC URLs unless given. Throws LayerZero.NotDeployedError on a devnet
 * that has no LayerZero section.
 */
export function createLayerZeroAdapterFromManifest(p: {
  manifest: DevnetManifest
  clients?: Partial<Record<ChainKey, PublicClient<Transport, Chain>>>
  extraLzReceiveGas?: bigint
}): BridgeAdapter {
  const section = readLayerZeroSection(p.manifest)
  if (!section) throw new NotDeployedError()
  const clients = Object.fromEntries(
    chainKeys.map((k) => [k, p.clients?.[k] ?? createDevnetClients({ key: k, rpcUrl: p.manifest.chains[k].rpcUrl }).publicClient]),
  ) as Record<ChainKey, PublicClient>
  const chains = Object.fromEntries(
    chainKeys.map((k) => {
      const c = section.chains[k]
      return [k, { eid: c.eid, endpoint: c.endpoint, oft: c.oft, token: c.token, fromBlock: BigInt(c.deployBlock) }]
    }),
  ) as LayerZeroDeps['chains']
  return createLayerZeroAdapter({
    clients,
    chains,
    expectedSec: devnetExpectedSec,
    ...(p.extraLzReceiveGas === undefined ? {} : { extraLzReceiveGas: p.extraLzReceiveGas }),
  })
}
