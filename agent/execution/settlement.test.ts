import { describe, expect, test } from 'vitest'
import { planSettlement, settledFates, type UnsettledTx } from './settlement.ts'

const tx = (nonce: number, fee = '100'): UnsettledTx => ({
  nonce,
  hash: `0x${nonce.toString(16).padStart(64, '0')}`,
  maxFeePerGas: fee,
  maxPriorityFeePerGas: '2',
  description: `tx ${nonce}`,
})

describe('planSettlement', () => {
  test('cancels an unsent approve + swap pair at their own nonces, replacing their fees', () => {
    const plan = planSettlement({ txs: [tx(5), tx(6)], latestNonce: 5, receipts: {} })
    expect(plan.fates.map((f) => f.fate)).toEqual(['open', 'open'])
    expect(plan.cancels).toEqual([
      { nonce: 5, replacing: { maxFeePerGas: '100', maxPriorityFeePerGas: '2' } },
      { nonce: 6, replacing: { maxFeePerGas: '100', maxPriorityFeePerGas: '2' } },
    ])
  })

  test('sends nothing when the in-doubt transaction was mined after all', () => {
    const t = tx(5)
    const plan = planSettlement({ txs: [t], latestNonce: 6, receipts: { [t.hash]: 'success' } })
    expect(plan.fates).toEqual([{ hash: t.hash, nonce: 5, description: 'tx 5', fate: 'mined' }])
    expect(plan.cancels).toEqual([])
  })

  test('calls a transaction displaced when its nonce was taken by another', () => {
    const plan = planSettlement({ txs: [tx(5), tx(6)], latestNonce: 6, receipts: {} })
    expect(plan.fates.map((f) => f.fate)).toEqual(['displaced', 'open'])
    expect(plan.cancels.map((c) => c.nonce)).toEqual([6])
  })

  test('fills a gap below our lowest open nonce with plain cancels', () => {
    const plan = planSettlement({ txs: [tx(8)], latestNonce: 6, receipts: {} })
    expect(plan.cancels).toEqual([
      { nonce: 6, replacing: null },
      { nonce: 7, replacing: null },
      { nonce: 8, replacing: { maxFeePerGas: '100', maxPriorityFeePerGas: '2' } },
    ])
  })

  test('keeps a reverted transaction as mined-and-reverted when it has a receipt', () => {
    const t = tx(3)
    const plan = planSettlement({ txs: [t, tx(4)], latestNonce: 4, receipts: { [t.hash]: 'reverted' } })
    expect(plan.fates.map((f) => f.fate)).toEqual(['reverted', 'open'])
    expect(plan.cancels.map((c) => c.nonce)).toEqual([4])
  })
})

describe('settledFates', () => {
  test('is settled once every nonce is taken, whoever took it', () => {
    const a = tx(5)
    const b = tx(6)
    const r = settledFates({ txs: [a, b], latestNonce: 7, receipts: { [a.hash]: 'success' } })
    expect(r.settled).toBe(true)
    expect(r.fates.map((f) => f.fate)).toEqual(['mined', 'displaced'])
  })

  test('is not settled while a nonce of ours is still open', () => {
    expect(settledFates({ txs: [tx(5)], latestNonce: 5, receipts: {} }).settled).toBe(false)
  })
})
