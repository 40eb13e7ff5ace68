import { encodeFunctionData } from 'viem'
import type { ChainKey } from '../../chains/types.ts'
import type { Call } from '../types.ts'
import { endpointAbi } from './abis.ts'
import { chainContext, type LayerZeroContext } from './context.ts'
import { RemediationWouldFailError, TransferNotFoundError } from './errors.ts'
import { mapTransferState, readDestination } from './getStatus.ts'
import { locatePacket } from './locate.ts'
import { parseInput, remediationParamsSchema } from './schemas.ts'

/**
 * What an operator sends to unstick a verified message whose execution failed (or never came):
 * `EndpointV2.lzReceive` on the destination, which anyone may call, checked first to succeed
 * within `gasLimit` (the call carries no gas of its own: the executor simulates it and sets one).
 * Null when there is nothing to re-execute: not verified yet, or already delivered.
 */
export async function remediation(
  ctx: LayerZeroContext,
  input: { from: ChainKey; to: ChainKey; transferId: string; gasLimit: bigint },
): Promise<Call[] | null> {
  const { from, to, transferId, gasLimit } = parseInput(remediationParamsSchema, input, 'remediation parameters')
  const packet = await locatePacket(ctx, { from, guid: transferId })
  if (packet.to !== to) throw new TransferNotFoundError({ transferId, chain: from, reason: `it goes to ${packet.to}, not ${to}` })
  const { state } = mapTransferState(await readDestination(ctx, packet))
  if (state !== 'failed' && state !== 'verified') return null
  const dst = chainContext(ctx, to)
  const data = encodeFunctionData({
    abi: endpointAbi,
    functionName: 'lzReceive',
    args: [{ srcEid: packet.srcEid, sender: packet.sender, nonce: packet.nonce }, packet.receiver, packet.guid, packet.message, '0x'],
  })
  try {
    await dst.client.call({ to: dst.config.endpoint, data, value: packet.lzReceiveValue, gas: gasLimit })
  } catch (err) {
    throw new RemediationWouldFailError({ transferId, gasLimit, cause: err })
  }
  const chainId = dst.client.chain?.id ?? (await dst.client.getChainId())
  return [
    {
      chainId,
      to: dst.config.endpoint,
      data,
      value: packet.lzReceiveValue,
      description: `re-execute LayerZero message ${packet.guid} (${from} nonce ${packet.nonce}) on ${to}: EndpointV2.lzReceive, succeeds within ${gasLimit} gas`,
    },
  ]
}
