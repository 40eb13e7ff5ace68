import { type Address, encodeFunctionData, erc20Abi, getAddress, parseAbi, parseEventLogs } from 'viem'
import type { Executor } from '../../adapters/executor/executor.ts'
import type { BridgeAdapter, BridgeAsset, BridgeQuote } from '../../adapters/types.ts'
import { InvalidInputError } from '../../agent/errors.ts'
import { wethIsToken0 } from '../../agent/portfolio/poolPrice.ts'
import { l1DataFeeWei } from '../../chains/l1DataFee.ts'
import { getChainMeta } from '../../chains/registry.ts'
import type { ChainKey } from '../../chains/types.ts'
import type { ActivityDeps } from './createActivities.ts'
import type { BridgeQuoteJson, ChainActivities, ReadActivities } from './types.ts'

type TransferReads = Pick<
  ReadActivities,
  'quoteTransfers' | 'listBridges' | 'readTransferSent' | 'transferStatus' | 'confirmArrival' | 'pendingTransfers'
>
type TransferWrites = Pick<ChainActivities, 'prepareTransfer' | 'prepareRemediation' | 'prepareWrap'>

const wrapAbi = parseAbi(['function deposit() payable', 'event Deposit(address indexed to, uint256 value)'])

/** Read-only transfer activities: quotes, status and arrival, over every bridge this worker knows. */
export function transferReadActivities(deps: ActivityDeps): TransferReads {
  return {
    async quoteTransfers({ requests }) {
      return Promise.all(
        requests.map(async (r) => {
          const bridge = bridgeOf(deps, r.bridge)
          const request = {
            asset: r.asset,
            from: r.from,
            to: r.to,
            amount: BigInt(r.amount),
            sender: getAddress(r.sender),
            recipient: getAddress(r.recipient),
          }
          if (!bridge.supports(request))
            return { status: 'unavailable' as const, bridge: r.bridge, reason: `${r.bridge} does not serve this route` }
          const q = await bridge.quote(request)
          if (q.status !== 'ok') return { status: 'unavailable' as const, bridge: r.bridge, reason: q.reason }
          return quoteJson(deps, q)
        }),
      )
    },
    async listBridges() {
      return deps.bridges.map((b) => ({ id: b.manifest.id, chains: [...b.manifest.chains] }))
    },
    async readTransferSent({ bridge, from, txHash }) {
      const sent = await bridgeOf(deps, bridge).readSent({ from, txHash })
      const receipt = await clientOf(deps, from).getTransactionReceipt({ hash: txHash })
      const block = await clientOf(deps, from).getBlock({ blockNumber: receipt.blockNumber })
      return {
        transferId: sent.transferId,
        amount: sent.amount.toString(),
        outputAmount: sent.outputAmount.toString(),
        deadlineSec: sent.deadlineSec === null ? null : sent.deadlineSec.toString(),
        blockTimestampSec: block.timestamp.toString(),
      }
    },
    async transferStatus({ bridge, from, to, transferId }) {
      const s = await bridgeOf(deps, bridge).getStatus({ from, to, transferId })
      return {
        state: s.state,
        transferId: s.transferId,
        deliveryTxHash: s.deliveryTxHash ?? null,
        refundTxHash: s.refundTxHash ?? null,
        settledAmount: s.settledAmount === undefined ? null : s.settledAmount.toString(),
        detail: s.detail,
      }
    },
    async confirmArrival({ chain, asset, txHash, recipient }) {
      const client = clientOf(deps, chain)
      const receipt = await client.getTransactionReceipt({ hash: txHash })
      const token = tokenOf(deps, chain, asset)
      const transferred = parseEventLogs({ abi: erc20Abi, eventName: 'Transfer', logs: receipt.logs })
        .filter((l) => same(l.address, token) && same(l.args.to, recipient))
        .reduce((s, l) => s + l.args.value, 0n)
      // WETH minted to the recipient by wrapping counts too (WETH9 logs Deposit, not Transfer).
      const wrapped =
        asset === 'WETH'
          ? parseEventLogs({ abi: wrapAbi, eventName: 'Deposit', logs: receipt.logs })
              .filter((l) => same(l.address, token) && same(l.args.to, recipient))
              .reduce((s, l) => s + l.args.value, 0n)
          : 0n
      const amount = transferred + wrapped
      const block = await client.getBlock({ blockNumber: receipt.blockNumber })
      return { amount: amount.toString(), blockTimestampSec: block.timestamp.toString() }
    },
    async pendingTransfers({ sender, fromBlocks }) {
      const blocks = Object.fromEntries(Object.entries(fromBlocks).map(([k, v]) => [k, BigInt(v as string)])) as Partial<
        Record<ChainKey, bigint>
      >
      const all = await Promise.all(deps.bridges.map((b) => b.getPending({ sender: getAddress(sender), fromBlocks: blocks })))
      return all.flat().map((t) => ({
        bridge: t.bridge,
        transferId: t.transferId,
        asset: t.asset,
        from: t.from,
        to: t.to,
        amount: t.amount.toString(),
        state: t.state,
        originTxHash: t.originTxHash,
      }))
    },
  }
}

/** Signing transfer activities of one chain: the origin's send, or a destination's remediation. */
export function transferChainActivities(deps: ActivityDeps, chain: ChainKey, executor: Executor): TransferWrites {
  return {
    async prepareTransfer({ chain: c, idempotencyKey, quote }) {
      if (c !== chain || quote.from !== chain) throw wrongChain(chain, c)
      const sender = getAddress(quote.sender)
      if (sender !== executor.treasury || getAddress(quote.recipient) !== sender) {
        throw new InvalidInputError({
          what: 'prepareTransfer',
          issues: [
            {
              path: 'quote.recipient',
              message: `a transfer goes from the treasury (${executor.treasury}, the account keel acts for on this chain) to the same treasury; got ${quote.sender} → ${quote.recipient}`,
            },
          ],
        })
      }
      const built = await bridgeOf(deps, quote.bridge).buildCalls({ quote: fromJson(quote) })
      const prepared = await executor.prepare({ calls: built.calls, idempotencyKey })
      return { transferId: built.transferId, prepared }
    },
    async prepareWrap({ chain: c, idempotencyKey, amountWei }) {
      if (c !== chain) throw wrongChain(chain, c)
      const weth = chainOf(deps, chain).contracts.weth
      const call = {
        chainId: executor.chainId,
        to: weth,
        data: encodeFunctionData({ abi: wrapAbi, functionName: 'deposit' }),
        value: BigInt(amountWei),
        description: `wrap ${amountWei} wei of ETH a bridge delivered unwrapped into WETH`,
      }
      return executor.prepare({ calls: [call], idempotencyKey })
    },
    async prepareRemediation({ chain: c, idempotencyKey, bridge, from, transferId, gasLimit }) {
      if (c !== chain) throw wrongChain(chain, c)
      const calls = await bridgeOf(deps, bridge).remediation({ from, to: chain, transferId, gasLimit: BigInt(gasLimit) })
      if (calls === null) return null
      return executor.prepare({ calls, idempotencyKey })
    },
  }
}

async function quoteJson(deps: ActivityDeps, q: BridgeQuote): Promise<BridgeQuoteJson> {
  const { clients } = chainOf(deps, q.request.from)
  const pool = await deps.uniswap.readPoolState({ chain: q.request.from, blockNumber: q.blockNumber })
  const block = await clients.publicClient.getBlock({ blockNumber: q.blockNumber })
  const priority = await clients.publicClient.estimateMaxPriorityFeePerGas()
  const weth = chainOf(deps, q.request.from).contracts.weth
  const originL1DataFeeWei = await originL1Fee(deps, q)
  return {
    status: 'ok',
    bridge: q.bridge,
    asset: q.request.asset,
    from: q.request.from,
    to: q.request.to,
    amount: q.request.amount.toString(),
    sender: q.request.sender,
    recipient: q.request.recipient,
    outputAmount: q.outputAmount.toString(),
    assetFee: q.assetFee.toString(),
    nativeFeeWei: q.nativeFeeWei.toString(),
    gasEstimate: q.gasEstimate.toString(),
    expectedSec: q.expectedSec,
    maxAmount: q.maxAmount === null ? null : q.maxAmount.toString(),
    deadlineSec: q.deadlineSec === null ? null : q.deadlineSec.toString(),
    blockNumber: q.blockNumber.toString(),
    blockTimestampSec: q.blockTimestampSec.toString(),
    params: q.params,
    originGasPriceWei: ((block.baseFeePerGas ?? 0n) + priority).toString(),
    originL1DataFeeWei: originL1DataFeeWei.toString(),
    originMid: { sqrtPriceX96: pool.sqrtPriceX96.toString(), wethIsToken0: wethIsToken0({ token0: pool.token0 }, weth) },
  }
}

/** The L1 data fee of the calls the transfer will send on its origin (0 when the origin is an L1). */
async function originL1Fee(deps: ActivityDeps, q: BridgeQuote): Promise<bigint> {
  const from = q.request.from
  if (getChainMeta(from).l1FeeModel === 'none') return 0n
  const { calls } = await bridgeOf(deps, q.bridge).buildCalls({ quote: q })
  const client = chainOf(deps, from).clients.publicClient
  const fees = await Promise.all(
    calls.map((c) => l1DataFeeWei({ chain: from, client, tx: { to: c.to, data: c.data, value: c.value }, blockNumber: q.blockNumber })),
  )
  return fees.reduce((a, b) => a + b, 0n)
}

function fromJson(q: BridgeQuoteJson): BridgeQuote {
  return {
    status: 'ok',
    bridge: q.bridge,
    request: {
      asset: q.asset,
      from: q.from,
      to: q.to,
      amount: BigInt(q.amount),
      sender: getAddress(q.sender),
      recipient: getAddress(q.recipient),
    },
    outputAmount: BigInt(q.outputAmount),
    assetFee: BigInt(q.assetFee),
    nativeFeeWei: BigInt(q.nativeFeeWei),
    gasEstimate: BigInt(q.gasEstimate),
    expectedSec: q.expectedSec,
    deadlineSec: q.deadlineSec === null ? null : BigInt(q.deadlineSec),
    blockNumber: BigInt(q.blockNumber),
    blockTimestampSec: BigInt(q.blockTimestampSec),
    maxAmount: q.maxAmount === null ? null : BigInt(q.maxAmount),
    params: q.params,
  }
}

function bridgeOf(deps: ActivityDeps, id: string): BridgeAdapter {
  const bridge = deps.bridges.find((b) => b.manifest.id === id)
  if (!bridge) {
    const known = deps.bridges.map((b) => b.manifest.id).join(', ') || 'none'
    throw new InvalidInputError({
      what: 'transfer',
      issues: [{ path: 'bridge', message: `unknown bridge "${id}" (this worker knows ${known})` }],
    })
  }
  return bridge
}

function chainOf(deps: ActivityDeps, chain: ChainKey) {
  const c = deps.chains[chain]
  if (!c)
    throw new InvalidInputError({
      what: 'transfer',
      issues: [{ path: 'chain', message: `this worker has no RPC configured for ${chain}` }],
    })
  return c
}

const clientOf = (deps: ActivityDeps, chain: ChainKey) => chainOf(deps, chain).clients.publicClient

function tokenOf(deps: ActivityDeps, chain: ChainKey, asset: BridgeAsset): Address {
  const c = chainOf(deps, chain).contracts
  return asset === 'WETH' ? c.weth : c.usdc
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase()

const wrongChain = (served: ChainKey, asked: string) =>
  new InvalidInputError({
    what: 'activity input',
    issues: [{ path: 'chain', message: `this activity serves ${served}, was asked for ${asked}` }],
  })
