import { getAddress } from 'viem'
import { describe, expect, test } from 'vitest'
import { type BundlePayment, buildRefundBundle, hashRefundLeaf } from './bundle.ts'
import { verifyMerkleProof } from './merkle.ts'

const usdcEth = getAddress('0x00000000000000000000000000000000000000a1')
const usdcBase = getAddress('0x00000000000000000000000000000000000000b1')
const treasury = getAddress('0x70997970c51812dc3a010c7d01b50e0d17dc79c8')
const relayer = getAddress('0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc')
const pay = (p: Partial<BundlePayment>): BundlePayment => ({
  kind: 'deposit-refund',
  chainId: 1,
  token: usdcEth,
  to: treasury,
  amount: 1n,
  depositKey: 'k',
  ...p,
})

describe('buildRefundBundle', () => {
  test('returns null when nothing is owed', () => {
    expect(buildRefundBundle([])).toBeNull()
    expect(buildRefundBundle([pay({ amount: 0n })])).toBeNull()
  })

  test('one leaf per chain and token, ordered by chain id; refunds summed per address, largest first', () => {
    const bundle = buildRefundBundle([
      pay({ chainId: 8453, token: usdcBase, amount: 7n, depositKey: 'a' }),
      pay({ amount: 10n, depositKey: 'b' }),
      pay({ kind: 'relayer-repayment', to: relayer, amount: 25n, depositKey: 'c' }),
      pay({ amount: 20n, depositKey: 'd' }),
    ])
    expect(bundle?.leaves.map((l) => l.leaf)).toEqual([
      {
        amountToReturn: 0n,
        chainId: 1n,
        refundAmounts: [30n, 25n],
        leafId: 0,
        l2TokenAddress: usdcEth,
        refundAddresses: [treasury, relayer],
      },
      { amountToReturn: 0n, chainId: 8453n, refundAmounts: [7n], leafId: 1, l2TokenAddress: usdcBase, refundAddresses: [treasury] },
    ])
  })

  test('equal refunds are ordered by address, and every leaf proves against the root', () => {
    const bundle = buildRefundBundle([pay({ to: relayer, amount: 5n }), pay({ amount: 5n }), pay({ chainId: 10, amount: 1n })])
    expect(bundle?.leaves[0]?.leaf.refundAddresses).toEqual([treasury, relayer])
    for (const { leaf, proof } of bundle?.leaves ?? [])
      expect(verifyMerkleProof({ root: bundle!.root, leaf: hashRefundLeaf(leaf), proof })).toBe(true)
  })
})
