import { Server } from '@airswap/libraries'
import { getSignerFromOrderERC20Signature, type OrderERC20 } from '@airswap/utils'
import { type Address, encodeFunctionData, getAddress, parseAbi } from 'viem'
import type { Call } from '../types.ts'

/**
 * keel's side of AirSwap RFQ: asks every maker for a signed order that buys what keel sells
 * (`getSignerSideOrderERC20`: keel is the sender, the maker the signer who pays USDC), through
 * `@airswap/libraries`' own Server client, and checks each answer before it counts as a bid: the
 * signature recovers to the maker, the order is for exactly what was asked, and it is still valid.
 */

export const swapErc20Abi = parseAbi([
  'function swap(address recipient, uint256 nonce, uint256 expiry, address signerWallet, address signerToken, uint256 signerAmount, address senderToken, uint256 senderAmount, uint8 v, bytes32 r, bytes32 s)',
  'function protocolFee() view returns (uint256)',
  'function nonceUsed(address signer, uint256 nonce) view returns (bool)',
  'function cancel(uint256[] nonces)',
])
const erc20Abi = parseAbi(['function approve(address spender, uint256 amount) returns (bool)'])

/**
 * What keel asks the makers. `sell`: keel gives `senderAmount` of `senderToken` (oTokens) and asks
 * what they pay in `signerToken` (a bid). `buy`: keel wants `signerAmount` of `signerToken` (oTokens,
 * a buy-back) and asks what it pays in `senderToken` (an ask). keel is always the sender.
 */
export type RfqRequest = {
  chainId: number
  swapContract: Address
  senderWallet: Address
  signerToken: Address
  senderToken: Address
  /** Chain time now, and how long an order must still be valid to be worth sending. */
  nowSec: bigint
  minValiditySec: bigint
  /** SwapERC20's protocol fee: part of what the maker signs, and what the contract checks it against. */
  protocolFee: bigint
} & ({ side: 'sell'; senderAmount: bigint } | { side: 'buy'; signerAmount: bigint })

/** A maker's answer: `amount` is what it pays (sell) or asks (buy), in the other token. */
export type Bid =
  | { maker: string; status: 'ok'; order: OrderERC20; signerAmount: bigint; senderAmount: bigint }
  | { maker: string; status: 'refused' | 'invalid'; reason: string }

/** Asks every maker at once; a maker that errs, answers late or signs something else is a quote refused with its reason. */
export async function requestQuotes(makers: readonly { id: string; url: string }[], req: RfqRequest, timeoutMs = 3_000): Promise<Bid[]> {
  return Promise.all(
    makers.map(async (m): Promise<Bid> => {
      try {
        const ask = async () => {
          const server = await Server.at(m.url, { swapContract: req.swapContract, chainId: req.chainId })
          return req.side === 'sell'
            ? server.getSignerSideOrderERC20(req.senderAmount.toString(), req.signerToken, req.senderToken, req.senderWallet)
            : server.getSenderSideOrderERC20(req.signerAmount.toString(), req.signerToken, req.senderToken, req.senderWallet)
        }
        const order = await Promise.race([
          ask(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)),
        ])
        const why = checkOrder(order, req)
        if (why) return { maker: m.id, status: 'invalid', reason: why }
        return { maker: m.id, status: 'ok', order, signerAmount: BigInt(order.signerAmount), senderAmount: BigInt(order.senderAmount) }
      } catch (err) {
        const e = err as { message?: string }
        return { maker: m.id, status: 'refused', reason: e.message ?? String(err) }
      }
    }),
  )
}

/** Bids for what keel sells. */
export const requestBids = requestQuotes

/** Why an order is not one keel can take, or null when it is. */
export function checkOrder(order: OrderERC20, req: RfqRequest): string | null {
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()
  if (!same(order.senderToken, req.senderToken) || !same(order.signerToken, req.signerToken)) return 'the order trades other tokens'
  if (req.side === 'sell' && BigInt(order.senderAmount) !== req.senderAmount) return 'the order is not for the amount asked'
  if (req.side === 'buy' && BigInt(order.signerAmount) !== req.signerAmount) return 'the order is not for the amount asked'
  if (BigInt(order.expiry) < req.nowSec + req.minValiditySec) return `the order expires at ${order.expiry}, too soon to send`
  let signer: string
  try {
    // Signed over the sender (the contract checks msg.sender) and the contract's fee, which the order does not carry.
    const unsigned = { ...order, senderWallet: req.senderWallet, protocolFee: req.protocolFee.toString() }
    signer = getSignerFromOrderERC20Signature(unsigned, req.swapContract, req.chainId, order.v, order.r, order.s)
  } catch {
    return 'the signature does not recover'
  }
  if (!same(signer, order.signerWallet)) return `signed by ${getAddress(signer)}, not the maker ${order.signerWallet}`
  return null
}

/** The sale: keel approves what it sells to SwapERC20, then settles the maker's order atomically, paid to `recipient`. */
export function takeOrderCalls(p: { chainId: number; swapContract: Address; order: OrderERC20; recipient: Address }): Call[] {
  const o = p.order
  return [
    {
      chainId: p.chainId,
      to: o.senderToken as Address,
      data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [p.swapContract, BigInt(o.senderAmount)] }),
      value: 0n,
      description: `approve ${o.senderAmount} of ${o.senderToken} to SwapERC20`,
    },
    {
      chainId: p.chainId,
      to: p.swapContract,
      data: encodeFunctionData({
        abi: swapErc20Abi,
        functionName: 'swap',
        args: [
          p.recipient,
          BigInt(o.nonce),
          BigInt(o.expiry),
          o.signerWallet as Address,
          o.signerToken as Address,
          BigInt(o.signerAmount),
          o.senderToken as Address,
          BigInt(o.senderAmount),
          Number(o.v),
          o.r as `0x${string}`,
          o.s as `0x${string}`,
        ],
      }),
      value: 0n,
      description: `sell ${o.senderAmount} of ${o.senderToken} to ${o.signerWallet} for ${o.signerAmount}`,
    },
  ]
}
