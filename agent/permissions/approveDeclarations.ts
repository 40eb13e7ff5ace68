import type { Address } from 'viem'
import type { ChainKey } from '../../chains/types.ts'
import { equals } from './rules.ts'
import type { CallDeclaration } from './types.ts'

/** ERC-20 `approve` as keel encodes it (viem's erc20Abi names the amount `amount` too; the selector is what counts). */
export const approveSignature = 'function approve(address spender, uint256 amount)'

/**
 * One `approve` per token, to exactly one spender: the amount is free (keel approves exactly what
 * the next call pulls), the spender is not. Several adapters approving the same token merge into
 * one condition with a branch per spender.
 */
export function approveDeclarations(p: {
  adapter: string
  chain: ChainKey
  tokens: readonly { address: Address; label: string }[]
  spender: { address: Address; label: string }
  description: string
}): CallDeclaration[] {
  return p.tokens.map((t) => ({
    adapter: p.adapter,
    chain: p.chain,
    target: t.address,
    targetLabel: t.label,
    signature: approveSignature,
    params: { spender: equals(p.spender.address, p.spender.label) },
    send: false,
    description: `approve ${t.label} to ${p.spender.label}: ${p.description}`,
  }))
}
