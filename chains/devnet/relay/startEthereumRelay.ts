import type { DevnetManifest } from '../../types.ts'
import { anvilRpc } from '../anvil.ts'
import { findFreePort } from '../localProcess.ts'
import { type RelayEntry, spawnRelay } from './spawnRelay.ts'

/**
 * Hands Ethereum's mining to the builder: switches automine off on the node and starts the relay
 * process, which mines a block every `blockMs` from then on. Returns the manifest's `relay` entry.
 */
export async function startEthereumRelay(p: {
  manifest: DevnetManifest
  stateDir: string
  blockMs: number
  port?: number
}): Promise<RelayEntry> {
  const { rpcUrl, chainId } = p.manifest.chains.ethereum
  await anvilRpc({ rpcUrl, method: 'evm_setAutomine', params: [false] })
  const port = p.port ?? (await findFreePort())
  return spawnRelay({ config: { port, rpcUrl, chainId, blockMs: p.blockMs }, stateDir: p.stateDir })
}
