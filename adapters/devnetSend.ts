import { type Chain, createWalletClient, type Hex, http, type PublicClient, type Transport } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { Call } from './types.ts'

/** Test helper: sends calls from a devnet key one after the other, each mined; throws naming the call that reverted. */
export async function sendDevnetCalls(p: {
  client: PublicClient<Transport, Chain>
  rpcUrl: string
  key: Hex
  calls: readonly Call[]
  /**
   * How often to poll for each receipt; viem's default (4 s on Ethereum) when absent. The RFQ
   * suite keeps the default: at 1 s and 100 ms its burn after an unsold mint sometimes reverts,
   * a timing dependence not yet understood.
   */
  pollingInterval?: number
}): Promise<void> {
  const wallet = createWalletClient({ account: privateKeyToAccount(p.key), chain: p.client.chain, transport: http(p.rpcUrl) })
  for (const c of p.calls) {
    const hash = await wallet.sendTransaction({ to: c.to, data: c.data, value: c.value })
    // Devnet blocks come in well under a second; viem would poll Ethereum every 4 s.
    const receipt = await p.client.waitForTransactionReceipt({ hash, ...(p.pollingInterval ? { pollingInterval: p.pollingInterval } : {}) })
    if (receipt.status !== 'success') throw new Error(`${c.description}: reverted in ${hash}`)
  }
}
