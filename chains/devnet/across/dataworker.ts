import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { encodeFunctionData, type Hex, keccak256, parseEventLogs, zeroHash } from 'viem'
import { z } from 'zod'
import { fromBytes32 } from '../../../adapters/across-v3/relayData.ts'
import { spokePoolStandInAbi } from './abis.ts'
import { type BundlePayment, buildRefundBundle } from './bundle.ts'
import { assetOf, type StandInContext, sendAndWait } from './context.ts'
import { relayerFees } from './fees.ts'
import type { SeenDeposit } from './relayer.ts'

/** What one dataworker run paid, per deposit; empty when nothing was due. */
export type BundleResult = {
  payments: (BundlePayment & { txHash: Hex; rootBundleId: number })[]
}

const stateSchema = z.object({ settled: z.array(z.string()) })

/** Deposits already paid for by an executed bundle, kept on disk so a restarted stand-in never pays twice. */
export function loadSettled(path: string): Set<string> {
  if (!existsSync(path)) return new Set()
  return new Set(stateSchema.parse(JSON.parse(readFileSync(path, 'utf8'))).settled)
}

function saveSettled(path: string, settled: Set<string>): void {
  writeFileSync(`${path}.tmp`, `${JSON.stringify({ settled: [...settled] }, null, 2)}\n`)
  renameSync(`${path}.tmp`, path)
}

/**
 * One dataworker run, the part of Across's that settles deposits: for every deposit not settled
 * yet, a fast fill repays its relayer (input − LP fee, on the origin chain) and an expired,
 * unfilled deposit (destination chain time past its fill deadline) refunds its depositor the full
 * input on the origin chain. The payments become one relayer refund root (UMIP-179's layout),
 * relayed by the spoke pools' admin to each chain that has leaves, and the leaves are executed.
 * The optimistic challenge period of the HubPool is skipped: the stand-in is its own proposer.
 */
export async function runBundle(p: {
  ctx: StandInContext
  deposits: Map<string, SeenDeposit>
  settled: Set<string>
}): Promise<BundleResult> {
  const payments = await paymentsDue(p)
  const bundle = buildRefundBundle(payments)
  if (!bundle) return { payments: [] }
  const result: BundleResult = { payments: [] }
  const chainIds = [...new Set(bundle.leaves.map((l) => Number(l.leaf.chainId)))]
  for (const chainId of chainIds) {
    const c = p.ctx.clients.get(chainId)
    if (!c) continue
    const [relayReceipt] = await sendAndWait({
      ctx: p.ctx,
      chainId,
      txs: [
        {
          to: c.chain.spokePool,
          data: encodeFunctionData({ abi: spokePoolStandInAbi, functionName: 'relayRootBundle', args: [bundle.root, zeroHash] }),
          label: `relay root bundle ${bundle.root}`,
        },
      ],
    })
    const relayed = parseEventLogs({ abi: spokePoolStandInAbi, eventName: 'RelayedRootBundle', logs: relayReceipt?.logs ?? [] })[0]
    if (!relayed) throw new Error(`no RelayedRootBundle on chain ${chainId}`)
    const rootBundleId = relayed.args.rootBundleId
    for (const { leaf, proof } of bundle.leaves.filter((l) => Number(l.leaf.chainId) === chainId)) {
      const [receipt] = await sendAndWait({
        ctx: p.ctx,
        chainId,
        txs: [
          {
            to: c.chain.spokePool,
            data: encodeFunctionData({
              abi: spokePoolStandInAbi,
              functionName: 'executeRelayerRefundLeaf',
              args: [rootBundleId, leaf, proof],
            }),
            label: `execute refund leaf ${leaf.leafId} of bundle ${rootBundleId}`,
          },
        ],
      })
      const paid = payments.filter((x) => x.chainId === chainId && x.token.toLowerCase() === leaf.l2TokenAddress.toLowerCase())
      for (const x of paid) {
        p.settled.add(x.depositKey)
        result.payments.push({ ...x, txHash: receipt?.transactionHash ?? zeroHash, rootBundleId })
      }
      saveSettled(p.ctx.config.statePath, p.settled)
      p.ctx.log(
        `bundle ${rootBundleId} on chain ${chainId}: leaf ${leaf.leafId} paid ${paid.length} deposit(s) in ${receipt?.transactionHash}`,
      )
    }
  }
  return result
}

async function paymentsDue(p: { ctx: StandInContext; deposits: Map<string, SeenDeposit>; settled: Set<string> }): Promise<BundlePayment[]> {
  const destBlocks = new Map<number, { number: bigint; timestamp: bigint }>()
  const destBlock = async (chainId: number) => {
    const known = destBlocks.get(chainId)
    if (known) return known
    const c = p.ctx.clients.get(chainId)
    if (!c) return undefined
    const b = await c.publicClient.getBlock({ blockTag: 'latest' })
    destBlocks.set(chainId, { number: b.number, timestamp: b.timestamp })
    return destBlocks.get(chainId)
  }
  // Deposits that share a relay hash (a repeated unsafe deposit id) can be filled once: the first
  // one made is the one a fill completes, the others are refunded once they expire.
  const ordered = [...p.deposits.values()].sort((a, b) =>
    a.originChainId !== b.originChainId
      ? a.originChainId - b.originChainId
      : a.blockNumber !== b.blockNumber
        ? Number(a.blockNumber - b.blockNumber)
        : a.logIndex - b.logIndex,
  )
  const claimed = new Set<string>()
  const payments: BundlePayment[] = []
  for (const d of ordered) {
    const origin = p.ctx.clients.get(d.originChainId)
    const dest = p.ctx.clients.get(d.destinationChainId)
    const block = await destBlock(d.destinationChainId)
    if (!origin || !dest || !block) continue
    const r = d.relayData
    const relayHash = await dest.publicClient.readContract({
      address: dest.chain.spokePool,
      abi: spokePoolStandInAbi,
      functionName: 'getV3RelayHash',
      args: [r],
      blockNumber: block.number,
    })
    const first = !claimed.has(`${d.destinationChainId}:${relayHash}`)
    claimed.add(`${d.destinationChainId}:${relayHash}`)
    if (p.settled.has(d.key)) continue
    const status = await dest.publicClient.readContract({
      address: dest.chain.spokePool,
      abi: spokePoolStandInAbi,
      functionName: 'fillStatuses',
      args: [relayHash],
      blockNumber: block.number,
    })
    const inputToken = fromBytes32(r.inputToken)
    if (first && status === 2n) {
      const payment = await repaymentFor({ ctx: p.ctx, d, atBlock: block.number })
      if (payment) payments.push(payment)
    } else if (block.timestamp > BigInt(r.fillDeadline)) {
      payments.push({
        kind: 'deposit-refund',
        chainId: d.originChainId,
        token: inputToken,
        to: fromBytes32(r.depositor),
        amount: r.inputAmount,
        depositKey: d.key,
      })
    }
  }
  return payments
}

/** The relayer's repayment for the fill of `d`: input − LP fee in the input token on the origin chain; none for a slow fill. */
async function repaymentFor(p: { ctx: StandInContext; d: SeenDeposit; atBlock: bigint }): Promise<BundlePayment | undefined> {
  const dest = p.ctx.clients.get(p.d.destinationChainId)
  const origin = p.ctx.clients.get(p.d.originChainId)
  if (!dest || !origin) return undefined
  const r = p.d.relayData
  const fills = await dest.publicClient.getContractEvents({
    address: dest.chain.spokePool,
    abi: spokePoolStandInAbi,
    eventName: 'FilledRelay',
    args: { originChainId: r.originChainId, depositId: r.depositId },
    fromBlock: dest.chain.deployBlock,
    toBlock: p.atBlock,
    strict: true,
  })
  const messageHash = r.message === '0x' ? zeroHash : keccak256(r.message)
  const fill = fills.find(
    (f) =>
      f.args.depositor === r.depositor &&
      f.args.recipient === r.recipient &&
      f.args.inputToken === r.inputToken &&
      f.args.outputToken === r.outputToken &&
      f.args.inputAmount === r.inputAmount &&
      f.args.outputAmount === r.outputAmount &&
      f.args.fillDeadline === r.fillDeadline &&
      f.args.exclusivityDeadline === r.exclusivityDeadline &&
      f.args.exclusiveRelayer === r.exclusiveRelayer &&
      f.args.messageHash === messageHash,
  )
  // A slow fill is paid out of the spoke pool's reserves: no relayer to repay.
  if (!fill || fill.args.relayExecutionInfo.fillType === 2) return undefined
  const inputToken = fromBytes32(r.inputToken)
  const asset = assetOf(origin.chain, inputToken)
  if (!asset) return undefined
  const { lpFee } = relayerFees({ policy: p.ctx.config.fees, asset, amount: r.inputAmount })
  return {
    kind: 'relayer-repayment',
    // Always on the origin chain, where the deposit sits (the stand-in moves no capital between spoke pools).
    chainId: p.d.originChainId,
    token: inputToken,
    to: fromBytes32(fill.args.relayer),
    amount: r.inputAmount - lpFee,
    depositKey: p.d.key,
  }
}
