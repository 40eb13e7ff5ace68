import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Chain, Hex, PublicClient, TestClient, Transport } from 'viem'
import { withDevnet } from '../../chains/devnet/devnet.ts'
import { createDevnetClients } from '../../chains/devnet/devnetClients.ts'
import {
  createDeliveryControl,
  type DeliveryControl,
  type LayerZeroSection,
  readLayerZeroSection,
} from '../../chains/devnet/layerzero/index.ts'
import { type ChainKey, chainKeys, type DevnetManifest } from '../../chains/types.ts'
import type { BridgeAdapter } from '../types.ts'
import { createLayerZeroAdapterFromManifest } from './index.ts'

export type LayerZeroFixture = {
  stateDir: string
  manifest: DevnetManifest
  section: LayerZeroSection
  clients: Record<ChainKey, PublicClient<Transport, Chain>>
  testClients: Record<ChainKey, TestClient<'anvil', Transport, Chain>>
  adapter: BridgeAdapter
  /** The delivery service's knobs (faults, latency) and its view of every packet. */
  control: DeliveryControl
  /** Resolves once the delivery service has executed the packet of `transferId`. */
  settle(p: { transferId: string; timeoutMs: number }): Promise<void>
  stop(): Promise<void>
}

/** E2E helper: a fresh three-chain devnet (LayerZero and its delivery service included) and the adapter over it. */
export async function startLayerZeroFixture(): Promise<LayerZeroFixture> {
  const stateDir = mkdtempSync(join(tmpdir(), 'keel-layerzero-'))
  const devnet = await withDevnet({ stateDir, treasury: 'signer' })
  try {
    const section = readLayerZeroSection(devnet.manifest)
    if (!section) throw new Error('the devnet has no LayerZero section')
    const entries = chainKeys.map((key) => [key, createDevnetClients({ key, rpcUrl: devnet.manifest.chains[key].rpcUrl })] as const)
    const clients = Object.fromEntries(entries.map(([k, c]) => [k, c.publicClient])) as LayerZeroFixture['clients']
    const testClients = Object.fromEntries(entries.map(([k, c]) => [k, c.testClient])) as LayerZeroFixture['testClients']
    const control = createDeliveryControl(section.control.url)
    return {
      stateDir,
      manifest: devnet.manifest,
      section,
      clients,
      testClients,
      adapter: createLayerZeroAdapterFromManifest({ manifest: devnet.manifest, clients }),
      control,
      async settle({ transferId, timeoutMs }) {
        await control.waitForPacket({ guid: transferId as Hex, until: (r) => r.state === 'executed', timeoutMs })
      },
      async stop() {
        await devnet.stop()
        rmSync(stateDir, { recursive: true, force: true })
      },
    }
  } catch (err) {
    await devnet.stop()
    rmSync(stateDir, { recursive: true, force: true })
    throw err
  }
}
