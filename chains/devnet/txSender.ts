import { setTimeout as sleep } from 'node:timers/promises'
import type { Address, Chain, Hex, PrivateKeyAccount, PublicClient, TransactionReceipt, Transport } from 'viem'
import { DevnetError } from '../errors.ts'

export type TxRequest = { to?: Address; data: Hex; value?: bigint; gas?: bigint; label: string }
export type SentTx = { hash: Hex; nonce: number; label: string }

/** Signs locally and sends one account's transactions in nonce order without waiting for receipts. */
export type TxSender = {
  address: Address
  send(req: TxRequest): Promise<SentTx>
  /** Re-reads the pending nonce (after someone else may have sent from this account). */
  syncNonce(): Promise<void>
}

/** A sender for one devnet account; fees are fixed per sender so no fee lookup runs per transaction. */
export async function createTxSender(params: {
  client: PublicClient<Transport, Chain>
  account: PrivateKeyAccount
  maxFeePerGasWei: bigint
  priorityFeeWei: bigint
}): Promise<TxSender> {
  const { client, account } = params
  let nonce = await client.getTransactionCount({ address: account.address, blockTag: 'pending' })
  // Calls may arrive concurrently; chaining them keeps nonces gap-free and in call order.
  let queue: Promise<unknown> = Promise.resolve()

  const sendNow = async (req: TxRequest): Promise<SentTx> => {
    let gas = req.gas
    if (gas === undefined) {
      try {
        const estimate = await client.estimateGas({ account: account.address, to: req.to, data: req.data, value: req.value ?? 0n })
        gas = (estimate * 6n) / 5n + 20_000n
      } catch (cause) {
        throw new DevnetError(`${req.label} would revert`, { cause })
      }
    }
    const serializedTransaction = await account.signTransaction({
      type: 'eip1559',
      chainId: client.chain.id,
      nonce,
      ...(req.to ? { to: req.to } : {}),
      data: req.data,
      value: req.value ?? 0n,
      gas,
      maxFeePerGas: params.maxFeePerGasWei,
      maxPriorityFeePerGas: params.priorityFeeWei,
    })
    const hash = await client.sendRawTransaction({ serializedTransaction })
    const sent = { hash, nonce, label: req.label }
    nonce += 1
    return sent
  }

  return {
    address: account.address,
    send(req) {
      const next = queue.then(() => sendNow(req))
      queue = next.catch(() => undefined)
      return next
    },
    async syncNonce() {
      await queue
      nonce = await client.getTransactionCount({ address: account.address, blockTag: 'pending' })
    },
  }
}

/** Waits until every transaction has a receipt; throws `Chains.DevnetError` naming the first that reverted. */
export async function waitForReceipts(params: {
  client: PublicClient<Transport, Chain>
  txs: readonly SentTx[]
  timeoutMs?: number
}): Promise<TransactionReceipt[]> {
  const deadline = performance.now() + (params.timeoutMs ?? 60_000)
  const receipts: TransactionReceipt[] = []
  for (const tx of params.txs) {
    let receipt: TransactionReceipt | null = null
    while (receipt === null) {
      receipt = await params.client.getTransactionReceipt({ hash: tx.hash }).catch(() => null)
      if (receipt !== null) break
      if (performance.now() > deadline) throw new DevnetError(`no receipt for ${tx.label} (${tx.hash})`)
      await sleep(20)
    }
    if (receipt.status !== 'success') throw new DevnetError(`${tx.label} reverted`, { details: `tx ${tx.hash}` })
    receipts.push(receipt)
  }
  return receipts
}
