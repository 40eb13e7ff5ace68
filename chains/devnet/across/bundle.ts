import { type Address, encodeAbiParameters, getAddress, type Hex, keccak256 } from 'viem'
import { buildMerkleTree } from './merkle.ts'

/** One payment a root bundle makes on a spoke pool: a relayer's repayment for a fill, or a depositor's refund for an expired deposit. */
export type BundlePayment = {
  kind: 'relayer-repayment' | 'deposit-refund'
  chainId: number
  token: Address
  to: Address
  amount: bigint
  /** The deposit this pays for (`<originChainId>:<txHash>:<logIndex>`), recorded as settled once executed. */
  depositKey: string
}

/** The SpokePool's `RelayerRefundLeaf`. */
export type RelayerRefundLeaf = {
  amountToReturn: bigint
  chainId: bigint
  refundAmounts: bigint[]
  leafId: number
  l2TokenAddress: Address
  refundAddresses: Address[]
}

export type BuiltBundle = { root: Hex; leaves: { leaf: RelayerRefundLeaf; proof: Hex[] }[] }

const leafAbi = [
  {
    type: 'tuple',
    components: [
      { name: 'amountToReturn', type: 'uint256' },
      { name: 'chainId', type: 'uint256' },
      { name: 'refundAmounts', type: 'uint256[]' },
      { name: 'leafId', type: 'uint32' },
      { name: 'l2TokenAddress', type: 'address' },
      { name: 'refundAddresses', type: 'address[]' },
    ],
  },
] as const

/** `keccak256(abi.encode(leaf))`, what MerkleLib.verifyRelayerRefund hashes. */
export const hashRefundLeaf = (leaf: RelayerRefundLeaf): Hex => keccak256(encodeAbiParameters(leafAbi, [leaf]))

/**
 * The relayer refund root of one bundle, built as UMIP-179 lays it out: one leaf per chain and
 * token, refunds summed per address and ordered by amount (descending) then address; leaves
 * ordered by chain id then token, numbered in that order. Nothing is returned to the HubPool
 * (`amountToReturn` 0): what a spoke pool keeps beyond its payments (the LP fees) stays there.
 * Returns null when there is nothing to pay.
 */
export function buildRefundBundle(payments: readonly BundlePayment[]): BuiltBundle | null {
  const groups = new Map<string, { chainId: number; token: Address; refunds: Map<Address, bigint> }>()
  for (const p of payments) {
    if (p.amount <= 0n) continue
    const token = getAddress(p.token)
    const key = `${p.chainId}:${token}`
    const group = groups.get(key) ?? { chainId: p.chainId, token, refunds: new Map<Address, bigint>() }
    const to = getAddress(p.to)
    group.refunds.set(to, (group.refunds.get(to) ?? 0n) + p.amount)
    groups.set(key, group)
  }
  if (groups.size === 0) return null
  const sorted = [...groups.values()].sort((a, b) => a.chainId - b.chainId || compareAddresses(a.token, b.token))
  const leaves: RelayerRefundLeaf[] = sorted.map((g, leafId) => {
    const refunds = [...g.refunds.entries()].sort(([addrA, amtA], [addrB, amtB]) =>
      amtA === amtB ? compareAddresses(addrA, addrB) : amtA > amtB ? -1 : 1,
    )
    return {
      amountToReturn: 0n,
      chainId: BigInt(g.chainId),
      refundAmounts: refunds.map(([, amount]) => amount),
      leafId,
      l2TokenAddress: g.token,
      refundAddresses: refunds.map(([address]) => address),
    }
  })
  const tree = buildMerkleTree(leaves.map(hashRefundLeaf))
  return { root: tree.root, leaves: leaves.map((leaf, i) => ({ leaf, proof: tree.proof(i) })) }
}

const compareAddresses = (a: Address, b: Address): number => {
  const x = BigInt(a)
  const y = BigInt(b)
  return x < y ? -1 : x > y ? 1 : 0
}
