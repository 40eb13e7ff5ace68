import { type Hex, keccak256, toHex } from 'viem'
import { describe, expect, test } from 'vitest'
import { buildMerkleTree, hashPair, verifyMerkleProof } from './merkle.ts'

const leaves = (n: number): Hex[] => Array.from({ length: n }, (_, i) => keccak256(toHex(i)))

describe('buildMerkleTree', () => {
  test('a single leaf is its own root with an empty proof', () => {
    const [leaf] = leaves(1)
    const tree = buildMerkleTree([leaf!])
    expect(tree.root).toBe(leaf)
    expect(tree.proof(0)).toEqual([])
  })

  test('two leaves hash in ascending order whatever their position', () => {
    const [a, b] = leaves(2)
    expect(buildMerkleTree([a!, b!]).root).toBe(buildMerkleTree([b!, a!]).root)
    expect(buildMerkleTree([a!, b!]).root).toBe(hashPair(a!, b!))
  })

  test('every leaf of trees of 1 to 9 leaves proves against the root, and no leaf proves at another position', () => {
    for (let n = 1; n <= 9; n++) {
      const ls = leaves(n)
      const tree = buildMerkleTree(ls)
      for (const [i, leaf] of ls.entries()) expect(verifyMerkleProof({ root: tree.root, leaf, proof: tree.proof(i) })).toBe(true)
      if (n > 1) expect(verifyMerkleProof({ root: tree.root, leaf: keccak256('0x01'), proof: tree.proof(0) })).toBe(false)
    }
  })

  test('refuses an empty tree and a leaf index outside it', () => {
    expect(() => buildMerkleTree([])).toThrow(RangeError)
    expect(() => buildMerkleTree(leaves(3)).proof(3)).toThrow(RangeError)
  })
})
