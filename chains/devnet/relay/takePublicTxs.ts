import { formatTransaction, type Hex, keccak256, type RpcTransaction, serializeTransaction, type TransactionSerializable } from 'viem'
import { anvilRpc } from '../anvil.ts'

/** A public transaction taken out of the node's pool, to be sent again after the bundles. */
export type PublicTx = { hash: Hex; from: string; nonce: number; raw: Hex }

/** A signed pool transaction serialised again; null when the result does not hash to the pool's hash (an impersonated sender). */
export function reserialize(rpcTx: RpcTransaction): Hex | null {
  const tx = formatTransaction(rpcTx)
  if (tx.r === undefined || tx.s === undefined) return null
  try {
    const { r, s, v, yParity, hash: _hash, from: _from, blockHash: _bh, blockNumber: _bn, transactionIndex: _ti, input, ...fields } = tx
    const signature = tx.type === 'legacy' ? { r, s, v: v ?? 27n } : { r, s, yParity: yParity ?? 0 }
    // The RPC shape carries calldata as `input`; the serializer reads `data`.
    const raw = serializeTransaction({ ...fields, data: input } as TransactionSerializable, signature)
    return keccak256(raw) === rpcTx.hash ? raw : null
  } catch {
    return null
  }
}

type PoolContent = { pending: Record<string, Record<string, RpcTransaction>> }

/**
 * Empties the node's pending pool of every transaction it can send again, one `anvil_dropTransaction`
 * per hash (what arrives meanwhile stays, and is taken on the next pass). Returns them per sender in
 * nonce order; transactions it cannot reproduce are left in the pool and reported.
 */
export async function takePublicTxs(rpcUrl: string): Promise<{ taken: PublicTx[]; left: Hex[] }> {
  const taken: PublicTx[] = []
  const left = new Set<Hex>()
  for (let pass = 0; pass < 5; pass++) {
    const content = await anvilRpc<PoolContent>({ rpcUrl, method: 'txpool_content' })
    const batch: PublicTx[] = []
    for (const [from, byNonce] of Object.entries(content.pending)) {
      const txs = Object.values(byNonce).sort((a, b) => Number(BigInt(a.nonce) - BigInt(b.nonce)))
      for (const tx of txs) {
        if (left.has(tx.hash)) continue
        const raw = reserialize(tx)
        if (raw === null) left.add(tx.hash)
        else batch.push({ hash: tx.hash, from, nonce: Number(BigInt(tx.nonce)), raw })
      }
    }
    if (batch.length === 0) break
    for (const tx of batch) await anvilRpc({ rpcUrl, method: 'anvil_dropTransaction', params: [tx.hash] })
    taken.push(...batch)
  }
  return { taken, left: [...left] }
}
