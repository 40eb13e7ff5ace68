import { type Chain, createWalletClient, type Hex, http, type PublicClient, type Transport } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { Call } from './types.ts'

/** Test helper: sends calls from a devnet key one after the other, each mined; throws naming the call that reverted. */
export async function sendDevnetCalls(p: {
  client: PublicClient<Transport, Chain>
  rpcUrl: string
  key: Hex
  calls: readonly Call[]
}): Promise<void> {
  const wallet = createWalletClient({ account: privateKeyToAccount(p.key), chain: p.client.chain, transport: http(p.rpcUrl) })
  for (const c of p.calls) {
    const hash = await wallet.sendTransaction({ to: c.to, data: c.data, value: c.value })
    // Devnet blocks come in well under a second; viem would poll Ethereum every 4 s.
    // Devnet blocks come in well under a second; viem would poll Ethereum every 4 s.
    const receipt = await p.client.waitForTransactionReceipt({ hash, pollingInterval: 1_000 })
    if (receipt.status !== 'success') throw new Error(`${c.description}: reverted in ${hash}`)
  }
}
