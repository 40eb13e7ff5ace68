import { encodeAbiParameters, encodeFunctionData, keccak256 } from 'viem'
import type { BridgeQuote, BuiltTransfer, Call } from '../types.ts'
import { erc20Abi, spokePoolAbi } from './abis.ts'
import { type AcrossV3Deps, chainContext, read } from './chainContext.ts'
import { readDeposits } from './deposits.ts'
import { InvalidQuoteError } from './errors.ts'
import { toBytes32, unsafeDepositId } from './relayData.ts'
import { acrossQuoteSchema, parseInput } from './schemas.ts'

type AcrossQuote = ReturnType<typeof acrossQuoteSchema.parse>

/**
 * The deposit nonce of a quote: a hash of everything the deposit commits to, so that the same
 * quote always gives the same unsafe deposit id (a retried build or send is recognised), and two
 * different quotes never share one.
 */
export function depositNonceOf(q: AcrossQuote): bigint {
  return BigInt(
    keccak256(
      encodeAbiParameters(
        [
          { type: 'uint256' },
          { type: 'uint256' },
          { type: 'address' },
          { type: 'address' },
          { type: 'address' },
          { type: 'address' },
          { type: 'uint256' },
          { type: 'uint256' },
          { type: 'uint256' },
          { type: 'uint256' },
          { type: 'uint256' },
          { type: 'address' },
        ],
        [
          q.blockNumber,
          BigInt(q.params.destinationChainId),
          q.request.sender,
          q.request.recipient,
          q.params.inputToken,
          q.params.outputToken,
          q.request.amount,
          q.outputAmount,
          q.deadlineSec,
          BigInt(q.params.quoteTimestamp),
          BigInt(q.params.exclusivityParameter),
          q.params.exclusiveRelayer,
        ],
      ),
    ),
  )
}

/**
 * The origin calls of an Across transfer: an approve of exactly the input when the sender's
 * allowance is short, then `unsafeDeposit` with a nonce derived from the quote, so the transfer id
 * (the deposit id) is known before anything is sent. When a deposit with that id is already on
 * the origin chain, nothing is built again: `calls` is empty and the id is the one sent.
 */
export async function buildCalls(deps: AcrossV3Deps, input: { quote: BridgeQuote }): Promise<BuiltTransfer> {
  const q = parseInput(acrossQuoteSchema, input.quote, 'Across quote')
  const origin = chainContext(deps, q.request.from)
  const destination = chainContext(deps, q.request.to)
  if (q.params.spokePool !== origin.config.spokePool)
    throw new InvalidQuoteError({ reason: `spoke pool ${q.params.spokePool} is not ${origin.config.spokePool}` })
  if (BigInt(q.params.destinationChainId) !== BigInt(destination.config.chainId)) {
    throw new InvalidQuoteError({ reason: `destination chain id ${q.params.destinationChainId} is not ${q.request.to}'s` })
  }
  if (q.outputAmount + q.assetFee !== q.request.amount) {
    throw new InvalidQuoteError({ reason: `output ${q.outputAmount} + fee ${q.assetFee} is not the input ${q.request.amount}` })
  }
  const block = await read(origin, 'latest block', () => origin.client.getBlock({ blockTag: 'latest' }))
  if (block.timestamp >= q.deadlineSec)
    throw new InvalidQuoteError({ reason: `fill deadline ${q.deadlineSec} is not after chain time ${block.timestamp}` })

  const depositor = toBytes32(q.request.sender)
  const depositNonce = depositNonceOf(q)
  const depositId = unsafeDepositId({ msgSender: q.request.sender, depositor, depositNonce })
  const transferId = depositId.toString()
  const existing = await readDeposits({
    origin,
    filter: { depositId, depositor, destinationChainId: BigInt(destination.config.chainId) },
    fromBlock: q.blockNumber,
    toBlock: block.number,
    ...(deps.logChunkBlocks ? { chunkBlocks: deps.logChunkBlocks } : {}),
  })
  if (existing.length > 0) return { transferId, calls: [] }

  const chainId = origin.config.chainId
  const calls: Call[] = []
  const allowance = await read(origin, 'ERC20.allowance', () =>
    origin.client.readContract({
      address: q.params.inputToken,
      abi: erc20Abi,
      functionName: 'allowance',
      args: [q.request.sender, origin.config.spokePool],
    }),
  )
  if (allowance < q.request.amount) {
    calls.push({
      chainId,
      to: q.params.inputToken,
      data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [origin.config.spokePool, q.request.amount] }),
      value: 0n,
      description: `approve ${q.request.amount} of ${q.params.inputToken} to Across SpokePool ${origin.config.spokePool} (allowance ${allowance})`,
    })
  }
  calls.push({
    chainId,
    to: origin.config.spokePool,
    data: encodeFunctionData({
      abi: spokePoolAbi,
      functionName: 'unsafeDeposit',
      args: [
        depositor,
        toBytes32(q.request.recipient),
        toBytes32(q.params.inputToken),
        toBytes32(q.params.outputToken),
        q.request.amount,
        q.outputAmount,
        BigInt(destination.config.chainId),
        toBytes32(q.params.exclusiveRelayer),
        depositNonce,
        Number(q.params.quoteTimestamp),
        Number(q.deadlineSec),
        Number(q.params.exclusivityParameter),
        '0x',
      ],
    }),
    value: 0n,
    description: `across-v3 deposit ${transferId}: ${q.request.amount} ${q.request.asset} ${q.request.from} -> ${q.outputAmount} on ${q.request.to} (fill deadline ${q.deadlineSec})`,
  })
  return { transferId, calls }
}
