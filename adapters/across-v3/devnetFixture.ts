import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Chain, erc20Abi, type PublicClient, type TestClient, type Transport } from 'viem'
import { type AcrossKnobs, type AcrossSection, acrossSectionSchema } from '../../chains/devnet/across/section.ts'
import { withDevnet } from '../../chains/devnet/devnet.ts'
import { createDevnetClients } from '../../chains/devnet/devnetClients.ts'
import { type ChainKey, chainKeys, type DevnetManifest } from '../../chains/types.ts'
import type { BridgeAdapter, BridgeAsset, TransferStatus } from '../types.ts'
import { createAcrossAdapterFromManifest } from './fromManifest.ts'

export type AcrossDevnetFixture = {
  manifest: DevnetManifest
  section: AcrossSection
  clients: Record<ChainKey, PublicClient<Transport, Chain>>
  testClients: Record<ChainKey, TestClient<'anvil', Transport, Chain>>
  adapter: BridgeAdapter
  token(asset: BridgeAsset, chain: ChainKey): `0x${string}`
  balanceOf(p: { asset: BridgeAsset; chain: ChainKey; owner: `0x${string}` }): Promise<bigint>
  /** Changes the stand-in relayer's knobs (POST /control) and returns them all. */
  setKnobs(patch: Partial<AcrossKnobs>): Promise<AcrossKnobs>
  /** Runs the dataworker stand-in now (POST /bundle). */
  runBundle(): Promise<{ payments: { kind: string; depositKey: string; amount: string; txHash: string }[] }>
  /** Polls getStatus every 250 ms until `done` accepts it; throws with the last status after `timeoutMs`. */
  waitForStatus(p: {
    from: ChainKey
    to: ChainKey
    transferId: string
    done: (s: TransferStatus) => boolean
    timeoutMs: number
  }): Promise<TransferStatus>
  stop(): Promise<void>
}

/** E2E helper: a fresh three-chain devnet (Across deployed, its relayer stand-in running), clients and keel's Across adapter over it. */
export async function startAcrossDevnetFixture(): Promise<AcrossDevnetFixture> {
  const stateDir = mkdtempSync(join(tmpdir(), 'keel-across-'))
  const devnet = await withDevnet({ stateDir, treasury: 'signer' })
  try {
    const entries = chainKeys.map((key) => [key, createDevnetClients({ key, rpcUrl: devnet.manifest.chains[key].rpcUrl })] as const)
    const clients = Object.fromEntries(entries.map(([k, c]) => [k, c.publicClient])) as AcrossDevnetFixture['clients']
    const testClients = Object.fromEntries(entries.map(([k, c]) => [k, c.testClient])) as AcrossDevnetFixture['testClients']
    const section = acrossSectionSchema.parse(devnet.manifest.bridges?.across)
    const adapter = createAcrossAdapterFromManifest({ manifest: devnet.manifest, clients })
    const token = (asset: BridgeAsset, chain: ChainKey) =>
      asset === 'USDC' ? devnet.manifest.chains[chain].contracts.usdc : devnet.manifest.chains[chain].contracts.weth
    const api = async <T>(path: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${section.apiUrl}${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) })
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`)
      return (await res.json()) as T
    }
    return {
      manifest: devnet.manifest,
      section,
      clients,
      testClients,
      adapter,
      token,
      balanceOf: (p) =>
        clients[p.chain].readContract({ address: token(p.asset, p.chain), abi: erc20Abi, functionName: 'balanceOf', args: [p.owner] }),
      setKnobs: (patch) => api('/control', patch),
      runBundle: () => api('/bundle', {}),
      async waitForStatus(p) {
        const deadline = performance.now() + p.timeoutMs
        for (;;) {
          const status = await adapter.getStatus(p)
          if (p.done(status)) return status
          if (performance.now() > deadline)
            throw new Error(`transfer ${p.transferId} still ${status.state} after ${p.timeoutMs} ms: ${status.detail}`)
          await sleep(250)
        }
      },
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
