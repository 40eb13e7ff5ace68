import type { Chain, PublicClient, Transport } from 'viem'
import { createAcrossAdapterFromManifest } from '../adapters/across-v3/fromManifest.ts'
import { createLayerZeroAdapterFromManifest } from '../adapters/layerzero-v2/index.ts'
import type { BridgeAdapter } from '../adapters/types.ts'
import { readLayerZeroSection } from '../chains/devnet/layerzero/schemas.ts'
import type { ChainKey } from '../chains/types.ts'
import type { ChainEnvironment } from './chainEnvironment.ts'

/**
 * The bridges a worker can use, built from its chain environment: on the devnet, each bridge whose
 * section the manifest has (a devnet started before bridges has none). Live chains name no bridge
 * contracts yet, so a live worker has none and plans no transfer.
 */
export function createBridgeAdapters(p: {
  environment: ChainEnvironment
  clients: Partial<Record<ChainKey, PublicClient<Transport, Chain>>>
}): BridgeAdapter[] {
  const manifest = p.environment.devnetManifest
  if (!manifest) return []
  const bridges: BridgeAdapter[] = []
  if (readLayerZeroSection(manifest)) bridges.push(createLayerZeroAdapterFromManifest({ manifest, clients: p.clients }))
  if (manifest.bridges?.across) bridges.push(createAcrossAdapterFromManifest({ manifest, clients: p.clients }))
  return bridges
}
