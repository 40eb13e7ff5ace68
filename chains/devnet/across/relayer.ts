import { type Address, encodeFunctionData, type Hex, zeroAddress } from 'viem'
import { fromBytes32, type RelayData, relayDataOf, toBytes32 } from '../../../adapters/across-v3/relayData.ts'
import { erc20StandInAbi, spokePoolStandInAbi } from './abis.ts'
import { assetOf, isZeroBytes32, type StandInContext, sendAndWait } from './context.ts'
import { relayerFees } from './fees.ts'

/** A deposit the relayer saw, and what it did about it. */
export type SeenDeposit = {
  /** `<originChainId>:<txHash>:<logIndex>`: unique even when two deposits share an (unsafe) deposit id. */
  key: string
  originChainId: number
  destinationChainId: number
  blockNumber: bigint
  logIndex: number
  txHash: Hex
  relayData: RelayData
  seenAtMs: number
  fill: 'pending' | 'filled' | 'skipped'
  reason: string
  attempts: number
}

/** Attempts at one fill before the relayer gives it up (a fill that reverts three times will not succeed). */
const maxFillAttempts = 3

type PollParams = { ctx: StandInContext; cursors: Map<number, bigint>; deposits: Map<string, SeenDeposit> }

/**
 * Reads new FundsDeposited events on every chain since the last poll and remembers them; a chain
 * that does not answer (restarting, say) is skipped until it does. Returns how many chains answered.
 */
export async function pollDeposits(p: PollParams): Promise<number> {
  let answered = 0
  for (const chainId of p.ctx.clients.keys()) {
    try {
      await pollChain(p, chainId)
      answered += 1
    } catch (err) {
      p.ctx.log(`chain ${chainId}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`)
    }
  }
  return answered
}

async function pollChain(p: PollParams, chainId: number): Promise<void> {
  const c = p.ctx.clients.get(chainId)
  if (!c) return
  const latest = await c.publicClient.getBlockNumber()
  const from = p.cursors.get(chainId) ?? c.chain.deployBlock
  if (latest < from) return
  const logs = await c.publicClient.getContractEvents({
    address: c.chain.spokePool,
    abi: spokePoolStandInAbi,
    eventName: 'FundsDeposited',
    fromBlock: from,
    toBlock: latest,
    strict: true,
  })
  for (const log of logs) {
    const key = `${chainId}:${log.transactionHash}:${log.logIndex}`
    if (p.deposits.has(key)) continue
    const a = log.args
    const fillsOn = p.ctx.config.knobs.fill
    p.deposits.set(key, {
      key,
      originChainId: chainId,
      destinationChainId: Number(a.destinationChainId),
      blockNumber: log.blockNumber,
      logIndex: log.logIndex,
      txHash: log.transactionHash,
      relayData: relayDataOf(a, chainId),
      seenAtMs: Date.now(),
      // Decided when seen: a deposit made while fills are off stays unfilled, so that it expires.
      fill: fillsOn ? 'pending' : 'skipped',
      reason: fillsOn ? 'waiting for the fill delay' : 'fills were off when it was seen',
      attempts: 0,
    })
    p.ctx.log(`deposit ${key} id ${a.depositId} to chain ${a.destinationChainId}: ${fillsOn ? 'will fill' : 'not filling (fills off)'}`)
  }
  p.cursors.set(chainId, latest + 1n)
}

/** Fills every pending deposit whose delay has passed, from the relayer's own inventory, when it may and wants to. */
export async function fillDueDeposits(p: { ctx: StandInContext; deposits: Map<string, SeenDeposit> }) {
  const now = Date.now()
  for (const d of p.deposits.values()) {
    if (d.fill !== 'pending' || now < d.seenAtMs + p.ctx.config.knobs.fillDelayMs) continue
    try {
      await tryFill(p.ctx, d)
    } catch (err) {
      d.attempts += 1
      d.reason = `fill failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`
      if (d.attempts >= maxFillAttempts) d.fill = 'skipped'
      p.ctx.log(`deposit ${d.key}: ${d.reason} (attempt ${d.attempts})`)
    }
  }
}

async function tryFill(ctx: StandInContext, d: SeenDeposit): Promise<void> {
  const origin = ctx.clients.get(d.originChainId)
  const dest = ctx.clients.get(d.destinationChainId)
  const skip = (reason: string) => {
    d.fill = 'skipped'
    d.reason = reason
    ctx.log(`deposit ${d.key}: not filling, ${reason}`)
  }
  if (!origin || !dest) return skip(`destination chain ${d.destinationChainId} is not served`)
  const r = d.relayData
  const asset = assetOf(origin.chain, fromBytes32(r.inputToken))
  if (!asset || assetOf(dest.chain, fromBytes32(r.outputToken)) !== asset) return skip('input and output are not the same asset')
  const fees = relayerFees({ policy: ctx.config.fees, asset, amount: r.inputAmount })
  if (r.outputAmount > r.inputAmount - fees.total) return skip(`output ${r.outputAmount} leaves less than the relayer's fee ${fees.total}`)

  const block = await dest.publicClient.getBlock({ blockTag: 'latest' })
  if (block.timestamp > BigInt(r.fillDeadline)) return skip('fill deadline passed before the fill')
  const self = ctx.account.address
  const exclusive = isZeroBytes32(r.exclusiveRelayer) ? zeroAddress : fromBytes32(r.exclusiveRelayer)
  if (exclusive !== zeroAddress && exclusive !== self && BigInt(r.exclusivityDeadline) >= block.timestamp) {
    d.reason = `another relayer (${exclusive}) is exclusive until ${r.exclusivityDeadline}`
    return
  }
  const relayHash = await dest.publicClient.readContract({
    address: dest.chain.spokePool,
    abi: spokePoolStandInAbi,
    functionName: 'getV3RelayHash',
    args: [r],
  })
  const status = await dest.publicClient.readContract({
    address: dest.chain.spokePool,
    abi: spokePoolStandInAbi,
    functionName: 'fillStatuses',
    args: [relayHash],
  })
  if (status === 2n) {
    d.fill = 'filled'
    d.reason = 'already filled'
    return
  }
  const outputToken: Address = fromBytes32(r.outputToken)
  const inventory = await dest.publicClient.readContract({
    address: outputToken,
    abi: erc20StandInAbi,
    functionName: 'balanceOf',
    args: [self],
  })
  if (inventory < r.outputAmount) {
    d.reason = `inventory ${inventory} < output ${r.outputAmount}`
    return
  }
  const [receipt] = await sendAndWait({
    ctx,
    chainId: d.destinationChainId,
    txs: [
      {
        to: dest.chain.spokePool,
        // Repaid on the origin chain, where the deposit sits: the dataworker stand-in repays there.
        data: encodeFunctionData({ abi: spokePoolStandInAbi, functionName: 'fillRelay', args: [r, r.originChainId, toBytes32(self)] }),
        label: `fill ${d.key}`,
      },
    ],
  })
  d.fill = 'filled'
  d.reason = `filled in ${receipt?.transactionHash}`
  ctx.log(`deposit ${d.key}: filled ${r.outputAmount} on chain ${d.destinationChainId} in ${receipt?.transactionHash}`)
}
