import { InvalidInputError } from '../../agent/errors.ts'
import type { ChainKey } from '../../chains/types.ts'
import type { TransferStatus } from '../types.ts'
import { type AcrossV3Deps, chainContext } from './chainContext.ts'
import { readDeposits } from './deposits.ts'
import { DepositNotFoundError } from './errors.ts'
import { observe } from './observe.ts'
import { bridgeId } from './quote.ts'
import { findRefund, isRefundable } from './refunds.ts'
import { mapStatus, parseTransferId } from './status.ts'

/** Where an Across transfer is, from both chains: its deposit on `from`, its fill status on `to`, and its refund back on `from`. */
export async function getStatus(deps: AcrossV3Deps, p: { from: ChainKey; to: ChainKey; transferId: string }): Promise<TransferStatus> {
  const id = parseTransferId(p.transferId)
  if (!id)
    throw new InvalidInputError({
      what: 'Across transfer id',
      issues: [{ path: 'transferId', message: `not a deposit id: ${JSON.stringify(p.transferId)}` }],
    })
  const origin = chainContext(deps, p.from)
  const destination = chainContext(deps, p.to)
  const chunk = deps.logChunkBlocks ? { chunkBlocks: deps.logChunkBlocks } : {}
  const sameId = await readDeposits({
    origin,
    filter: { depositId: id.depositId, destinationChainId: BigInt(destination.config.chainId) },
    fromBlock: origin.config.fromBlock,
    ...chunk,
  })
  const target = sameId[id.repeat]
  if (!target) throw new DepositNotFoundError({ chain: p.from, transferId: p.transferId })
  const observed = await observe({ deps, deposit: target, earlier: sameId.slice(0, id.repeat) })
  let refund: { txHash: `0x${string}`; amount: bigint } | undefined
  if (isRefundable(observed)) {
    const depositorDeposits = await readDeposits({
      origin,
      filter: { depositor: target.relayData.depositor },
      fromBlock: origin.config.fromBlock,
      ...chunk,
    })
    const paid = await findRefund({ deps, origin, target, depositorDeposits })
    // What came back for this transfer is its input; the leaf may have paid other deposits of the depositor too.
    if (paid) refund = { txHash: paid.txHash, amount: target.relayData.inputAmount }
  }
  const mapped = mapStatus({ ...observed, ...(refund ? { refund } : {}) })
  return { ...mapped, bridge: bridgeId, transferId: p.transferId }
}
