import { type Address, getAddress, isAddress, keccak256, recoverMessageAddress, stringToBytes } from 'viem'

export type SignatureCheck = { status: 'valid'; signer: Address } | { status: 'invalid'; reason: string }

/**
 * Checks an `X-Flashbots-Signature: <address>:<signature>` header against the raw request body:
 * the signature is an EIP-191 personal_sign over the UTF-8 text of keccak256(body) as 0x hex,
 * which is what the Flashbots client's `signMessage(id(body))` produces.
 */
export async function verifySignature(p: { header: string | undefined; body: string }): Promise<SignatureCheck> {
  if (!p.header) return { status: 'invalid', reason: 'missing X-Flashbots-Signature header' }
  const [address, signature, ...rest] = p.header.split(':')
  if (rest.length > 0 || !address || !signature) {
    return { status: 'invalid', reason: 'X-Flashbots-Signature must be <address>:<signature>' }
  }
  if (!isAddress(address, { strict: false }))
    return { status: 'invalid', reason: `X-Flashbots-Signature address ${address} is not an address` }
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) return { status: 'invalid', reason: 'X-Flashbots-Signature signature is not 65 hex bytes' }
  let recovered: Address
  try {
    recovered = await recoverMessageAddress({ message: keccak256(stringToBytes(p.body)), signature: signature as `0x${string}` })
  } catch {
    return { status: 'invalid', reason: 'X-Flashbots-Signature signature does not recover' }
  }
  if (getAddress(recovered) !== getAddress(address)) {
    return { status: 'invalid', reason: `X-Flashbots-Signature signer mismatch: header names ${address}, signature recovers ${recovered}` }
  }
  return { status: 'valid', signer: getAddress(address) }
}
