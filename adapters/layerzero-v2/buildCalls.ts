import { encodeFunctionData, erc20Abi, type Hex, pad } from 'viem'
import type { BridgeQuote, BuiltTransfer, Call, TransferRequest } from '../types.ts'
import { oftAbi, oftSendMsgType } from './abis.ts'
import { bridgeId, type ChainContext, chainContext, type LayerZeroDeps, read } from './context.ts'
import { InvalidQuoteError } from './errors.ts'
import { requireLzReceiveGas } from './options.ts'
import { bridgeQuoteSchema, parseInput, quoteParamsSchema } from './schemas.ts'

/** The OFT's SendParam for a request: to the recipient on the destination, with keel's extra options. */
export function sendParamOf(p: { dstEid: number; req: TransferRequest; minAmountLD: bigint; extraOptions: Hex }) {
  return {
    dstEid: p.dstEid,
    to: pad(p.req.recipient),
    amountLD: p.req.amount,
    minAmountLD: p.minAmountLD,
    extraOptions: p.extraOptions,
    composeMsg: '0x' as Hex,
    oftCmd: '0x' as Hex,
  }
}

/** The approval (only when the OFT takes tokens by allowance and the sender's is short) and the send. */
export async function sendCalls(p: {
  origin: ChainContext
  req: TransferRequest
  sendParam: ReturnType<typeof sendParamOf>
  nativeFeeWei: bigint
  blockNumber?: bigint
}): Promise<Call[]> {
  const { origin, req } = p
  const { client, config } = origin
  const at = p.blockNumber === undefined ? {} : { blockNumber: p.blockNumber }
  const chainId = client.chain?.id ?? (await read(origin, 'chain id', () => client.getChainId()))
  const [approvalRequired, allowance] = await read(origin, 'OFT approval and allowance', () =>
    Promise.all([
      client.readContract({ address: config.oft, abi: oftAbi, functionName: 'approvalRequired', ...at }),
      client.readContract({ address: config.token, abi: erc20Abi, functionName: 'allowance', args: [req.sender, config.oft], ...at }),
    ]),
  )
  const calls: Call[] = []
  if (approvalRequired && allowance < req.amount) {
    calls.push({
      chainId,
      to: config.token,
      data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [config.oft, req.amount] }),
      value: 0n,
      description: `approve ${req.amount} USDC to the LayerZero OFT ${config.oft} (allowance ${allowance})`,
    })
  }
  calls.push({
    chainId,
    to: config.oft,
    data: encodeFunctionData({
      abi: oftAbi,
      functionName: 'send',
      args: [p.sendParam, { nativeFee: p.nativeFeeWei, lzTokenFee: 0n }, req.sender],
    }),
    value: p.nativeFeeWei,
    description: `LayerZero OFT send ${req.amount} USDC ${req.from} -> ${req.to} (eid ${p.sendParam.dstEid}) to ${req.recipient}, native fee ${p.nativeFeeWei} wei, refund to ${req.sender}`,
  })
  return calls
}

/**
 * The origin calls of a quoted transfer: an approval when the sender's allowance to the OFT is
 * short, then `send` with the quoted native fee as value and the sender as refund address. The
 * options are checked again on-chain: enforced options changed since the quote must not make a
 * zero-gas send. The GUID is only known from the receipt (it depends on the endpoint's nonce).
 */
export async function buildCalls(deps: LayerZeroDeps, input: { quote: BridgeQuote }): Promise<BuiltTransfer> {
  const quote = parseInput(bridgeQuoteSchema, input.quote, 'LayerZero quote')
  if (quote.bridge !== bridgeId) throw new InvalidQuoteError({ reason: `quote is from ${quote.bridge}, not ${bridgeId}` })
  const params = parseInput(quoteParamsSchema, quote.params, 'LayerZero quote params')
  const req = quote.request
  const origin = chainContext(deps, req.from)
  const dst = chainContext(deps, req.to)
  if (BigInt(params.dstEid) !== BigInt(dst.config.eid)) {
    throw new InvalidQuoteError({ reason: `quote targets eid ${params.dstEid}, ${req.to} is ${dst.config.eid}` })
  }
  if (BigInt(params.minAmountLD) !== quote.outputAmount) {
    throw new InvalidQuoteError({ reason: `minAmountLD ${params.minAmountLD} differs from outputAmount ${quote.outputAmount}` })
  }
  const combinedOptions = await read(origin, 'OFT combineOptions', () =>
    origin.client.readContract({
      address: origin.config.oft,
      abi: oftAbi,
      functionName: 'combineOptions',
      args: [dst.config.eid, oftSendMsgType, params.extraOptions],
    }),
  )
  requireLzReceiveGas({ combinedOptions, route: `${req.from} -> ${req.to}` })
  const sendParam = sendParamOf({ dstEid: dst.config.eid, req, minAmountLD: quote.outputAmount, extraOptions: params.extraOptions })
  return { transferId: null, calls: await sendCalls({ origin, req, sendParam, nativeFeeWei: quote.nativeFeeWei }) }
}
