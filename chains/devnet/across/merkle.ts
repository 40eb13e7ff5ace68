import { concatHex, type Hex, keccak256 } from 'viem'

/**
 * A Merkle tree that OpenZeppelin's `MerkleProof.verify` (v4, which the SpokePool's MerkleLib
 * uses) accepts: each parent is the hash of its two children in ascending order, and an odd node
 * out is carried up a level unchanged.
 */
export type MerkleTree = { root: Hex; proof(index: number): Hex[] }

/** Hash of a pair as OpenZeppelin's `_hashPair`: order-independent. */
export const hashPair = (a: Hex, b: Hex): Hex => (BigInt(a) < BigInt(b) ? keccak256(concatHex([a, b])) : keccak256(concatHex([b, a])))

/** Builds the tree over already-hashed leaves; a single leaf is its own root with an empty proof. */
export function buildMerkleTree(leafHashes: readonly Hex[]): MerkleTree {
  if (leafHashes.length === 0) throw new RangeError('a Merkle tree needs at least one leaf')
  const layers: Hex[][] = [[...leafHashes]]
  while (layers.at(-1)!.length > 1) {
    const below = layers.at(-1)!
    const above: Hex[] = []
    for (let i = 0; i < below.length; i += 2) above.push(i + 1 < below.length ? hashPair(below[i]!, below[i + 1]!) : below[i]!)
    layers.push(above)
  }
  return {
    root: layers.at(-1)![0]!,
    proof(index) {
      if (!Number.isInteger(index) || index < 0 || index >= leafHashes.length) throw new RangeError(`no leaf ${index}`)
      const proof: Hex[] = []
      let i = index
      for (const layer of layers.slice(0, -1)) {
        const sibling = i % 2 === 0 ? i + 1 : i - 1
        if (sibling < layer.length) proof.push(layer[sibling]!)
        i = Math.floor(i / 2)
      }
      return proof
    },
  }
}

/** OpenZeppelin's `MerkleProof.processProof`, for tests and for checking a proof before spending gas on it. */
export function verifyMerkleProof(p: { root: Hex; leaf: Hex; proof: readonly Hex[] }): boolean {
  return p.proof.reduce<Hex>((acc, sibling) => hashPair(acc, sibling), p.leaf) === p.root
}
