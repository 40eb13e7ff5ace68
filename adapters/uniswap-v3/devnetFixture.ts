import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Chain, PublicClient, TestClient, Transport } from 'viem'
import { withDevnet } from '../../chains/devnet/devnet.ts'
import { createDevnetClients } from '../../chains/devnet/devnetClients.ts'
import { type ChainKey, chainKeys, type DevnetManifest } from '../../chains/types.ts'
import type { UniswapV3ChainContracts } from './chainContext.ts'
import { createUniswapV3Adapter, type UniswapV3Adapter } from './index.ts'

export type DevnetFixture = {
  manifest: DevnetManifest
  clients: Record<ChainKey, PublicClient<Transport, Chain>>
  testClients: Record<ChainKey, TestClient<'anvil', Transport, Chain>>
  adapter: UniswapV3Adapter
  stop: () => Promise<void>
}

/** E2E helper: a fresh three-chain devnet on free ports, its clients and a Uniswap V3 adapter over it. */
export async function startDevnetFixture(): Promise<DevnetFixture> {
  const stateDir = mkdtempSync(join(tmpdir(), 'keel-adapters-'))
  const devnet = await withDevnet({ stateDir, treasury: 'signer' })
  try {
    const entries = chainKeys.map((key) => [key, createDevnetClients({ key, rpcUrl: devnet.manifest.chains[key].rpcUrl })] as const)
    const clients = Object.fromEntries(entries.map(([k, c]) => [k, c.publicClient])) as DevnetFixture['clients']
    const testClients = Object.fromEntries(entries.map(([k, c]) => [k, c.testClient])) as DevnetFixture['testClients']
    const contracts = Object.fromEntries(
      chainKeys.map((k) => [k, { ...devnet.manifest.chains[k].contracts, poolFee: devnet.manifest.chains[k].poolFee }]),
    ) as Record<ChainKey, UniswapV3ChainContracts>
    return {
      manifest: devnet.manifest,
      clients,
      testClients,
      adapter: createUniswapV3Adapter({ clients, contracts }),
      async stop() {
        await devnet.stop()
        rmSync(stateDir, { recursive: true, force: true })
      },
    }
  } catch (err) {
    await devnet.stop()
    throw err
  }
}
