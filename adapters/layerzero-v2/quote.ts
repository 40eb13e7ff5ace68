import { type Address, ContractFunctionRevertedError, BaseError as ViemBaseError } from 'viem'
import { decodeRevertReason, isTransientRpcError } from '../executor/mapError.ts'
import type { BridgeQuote, Call, TransferRequest, Unavailable } from '../types.ts'
import { oftAbi, oftSendMsgType } from './abis.ts'
import { sendCalls, sendParamOf } from './buildCalls.ts'
import { bridgeId, type ChainContext, findChainContext, type LayerZeroDeps, read } from './context.ts'
import { ReadFailedError } from './errors.ts'
import { buildExtraOptions, requireLzReceiveGas } from './options.ts'
import { parseInput, transferRequestSchema } from './schemas.ts'

const unavailable = (reason: string): Unavailable => ({ status: 'unavailable', reason })

/** Why this bridge does not serve a request, or null when it does (the amount aside). */
export function unsupportedReason(deps: LayerZeroDeps, req: TransferRequest): string | null {
  if (req.asset !== 'USDC') return `layerzero-v2-oft moves USDC only, not ${req.asset}`
  if (req.from === req.to) return `origin and destination are both ${req.from}`
  if (!findChainContext(deps, req.from)) return `layerzero-v2-oft is not configured on ${req.from}`
  if (!findChainContext(deps, req.to)) return `layerzero-v2-oft is not configured on ${req.to}`
  return null
}

/**
 * Quotes an OFT send at one pinned origin block: the amount that arrives (quoteOFT), the native
 * fee (quoteSend), the lzReceive gas of the options the message will carry (refused when zero)
 * and the gas of the origin calls, from a simulation of exactly the calls buildCalls makes.
 */
export async function quote(deps: LayerZeroDeps, input: TransferRequest): Promise<BridgeQuote | Unavailable> {
  const req = parseInput(transferRequestSchema, input, 'transfer request')
  const notServed = unsupportedReason(deps, req)
  if (notServed) return unavailable(notServed)
  if (req.amount === 0n) return unavailable('amount is 0')
  const origin = findChainContext(deps, req.from)!
  const dst = findChainContext(deps, req.to)!
  const { client, config } = origin
  const dstEid = dst.config.eid
  const route = `${req.from} -> ${req.to}`

  const block = await read(origin, 'latest block', () => client.getBlock({ blockTag: 'latest' }))
  const blockNumber = block.number
  const extraOptions = buildExtraOptions(deps.extraLzReceiveGas ?? 0n)
  const probe = sendParamOf({ dstEid, req, minAmountLD: 0n, extraOptions })
  const [oftQuote, combinedOptions] = await read(origin, 'OFT quoteOFT and combineOptions', () =>
    Promise.all([
      client.readContract({ address: config.oft, abi: oftAbi, functionName: 'quoteOFT', args: [probe], blockNumber }),
      client.readContract({
        address: config.oft,
        abi: oftAbi,
        functionName: 'combineOptions',
        args: [dstEid, oftSendMsgType, extraOptions],
        blockNumber,
      }),
    ]),
  )
  const lzReceiveGas = requireLzReceiveGas({ combinedOptions, route })
  const [limit, , receipt] = oftQuote
  if (req.amount > limit.maxAmountLD) return unavailable(`amount ${req.amount} is above the OFT's limit ${limit.maxAmountLD}`)
  if (receipt.amountReceivedLD === 0n) return unavailable(`amount ${req.amount} is below the OFT's smallest transferable unit`)
  // An OFT's output is exact (only shared-decimals dust is removed), so the minimum is the output itself.
  const sendParam = { ...probe, minAmountLD: receipt.amountReceivedLD }
  const fee = await read(origin, 'OFT quoteSend', () =>
    client.readContract({ address: config.oft, abi: oftAbi, functionName: 'quoteSend', args: [sendParam, false], blockNumber }),
  )
  const calls = await sendCalls({ origin, req, sendParam, nativeFeeWei: fee.nativeFee, blockNumber })
  const simulated = await simulateGas(origin, { sender: req.sender, calls, blockNumber })
  if (simulated.status === 'unavailable') return simulated

  return {
    status: 'ok',
    bridge: bridgeId,
    request: req,
    outputAmount: receipt.amountReceivedLD,
    assetFee: req.amount - receipt.amountReceivedLD,
    nativeFeeWei: fee.nativeFee,
    gasEstimate: simulated.gas,
    expectedSec: deps.expectedSec ?? defaultExpectedSec,
    deadlineSec: null,
    blockNumber,
    blockTimestampSec: block.timestamp,
    // The OFT's own limit (quoteOFT's maxAmountLD): a larger move is split over another route.
    maxAmount: limit.maxAmountLD,
    params: {
      dstEid: String(dstEid),
      extraOptions,
      minAmountLD: receipt.amountReceivedLD.toString(),
      lzReceiveGas: lzReceiveGas.toString(),
    },
  }
}

/** LayerZero's typical time to deliver with default confirmations (Ethereum's 15 blocks dominate). */
const defaultExpectedSec = 180

/** Gas of the origin calls, each seeing the state the previous one left (approve → send); a revert is a reason, not a quote. */
async function simulateGas(
  origin: ChainContext,
  p: { sender: Address; calls: Call[]; blockNumber: bigint },
): Promise<{ status: 'ok'; gas: bigint } | Unavailable> {
  let results: Awaited<ReturnType<typeof origin.client.simulateCalls>>['results']
  try {
    ;({ results } = await origin.client.simulateCalls({
      account: p.sender,
      calls: p.calls.map((c) => ({ to: c.to, data: c.data, value: c.value })),
      blockNumber: p.blockNumber,
    }))
  } catch (err) {
    const revert = err instanceof ViemBaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : null
    if (revert instanceof ContractFunctionRevertedError) return unavailable(`send would revert: ${revert.reason ?? revert.shortMessage}`)
    throw new ReadFailedError({ what: 'simulate approve + send', chain: origin.chain, cause: err, retryable: isTransientRpcError(err) })
  }
  const failed = results.findIndex((r) => r.status !== 'success')
  if (failed >= 0) {
    const r = results[failed]!
    const reason =
      decodeRevertReason(typeof r.data === 'string' ? r.data : undefined) ??
      (r.error instanceof ViemBaseError ? r.error.shortMessage : 'no reason')
    return unavailable(`${p.calls[failed]!.description} would revert: ${reason}`)
  }
  return { status: 'ok', gas: results.reduce((sum, r) => sum + r.gasUsed, 0n) }
}
