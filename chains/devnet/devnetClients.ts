import { type Chain, createTestClient, type Hex, http, type PublicClient, type TestClient, type Transport } from 'viem'
import { mnemonicToAccount, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { bytesToHex } from 'viem/utils'
import { DevnetError } from '../errors.ts'
import { createChainClients } from '../transport.ts'
import type { ChainKey } from '../types.ts'
import { accountIndex, anvilMnemonic } from './constants.ts'

export type DevnetRole = keyof typeof accountIndex
export type DevnetAccounts = Record<DevnetRole, PrivateKeyAccount>

/** The devnet's role keys, derived from anvil's public test mnemonic. */
export function devnetKeys(): Record<DevnetRole, Hex> {
  const derive = (index: number): Hex => {
    const key = mnemonicToAccount(anvilMnemonic, { addressIndex: index }).getHdKey().privateKey
    if (!key) throw new DevnetError(`could not derive devnet account ${index}`)
    return bytesToHex(key)
  }
  return Object.fromEntries(Object.entries(accountIndex).map(([role, index]) => [role, derive(index)])) as Record<DevnetRole, Hex>
}

/** The devnet's role accounts (local signers). */
export function devnetAccounts(): DevnetAccounts {
  const keys = devnetKeys()
  return Object.fromEntries(Object.entries(keys).map(([role, key]) => [role, privateKeyToAccount(key)])) as DevnetAccounts
}

export type DevnetClients = {
  publicClient: PublicClient<Transport, Chain>
  /** anvil's cheat methods: time, mining mode, balances. */
  testClient: TestClient<'anvil', Transport, Chain>
}

/** Clients for one devnet chain; the local node gets loose limits since nothing rate-limits it. */
export function createDevnetClients(params: { key: ChainKey; rpcUrl: string }): DevnetClients {
  const { publicClient, meta } = createChainClients({
    key: params.key,
    rpcUrls: [params.rpcUrl],
    limits: { concurrency: 16, intervalMs: 1_000, intervalCap: 100_000 },
  })
  const testClient = createTestClient({ mode: 'anvil', chain: meta.chain, transport: http(params.rpcUrl) })
  return { publicClient, testClient }
}
