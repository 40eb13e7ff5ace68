import { getAbiItem } from 'viem'
import { humanSignature } from '../../agent/permissions/abi.ts'
import { allowanceNames } from '../../agent/permissions/allowances.ts'
import { approveDeclarations } from '../../agent/permissions/approveDeclarations.ts'
import { avatar, bytes32Of, equals, matches, oneOf, withinAllowance } from '../../agent/permissions/rules.ts'
import type { CallDeclaration, PermissionContext } from '../../agent/permissions/types.ts'
import type { ChainKey } from '../../chains/types.ts'
import { endpointAbi, oftAbi } from './abis.ts'
import { bridgeId } from './context.ts'

/**
 * What buildCalls and remediation build: the approval of USDC to the OFT, `send` to the treasury
 * Safe of each other chain (paired with its endpoint id, native fee as value, refund to the Safe,
 * keel's own options only, no compose), and `lzReceive` on this chain's endpoint for a message
 * from a peer OFT to this chain's OFT (re-executing a failed delivery).
 */
export function declarePermissions(ctx: PermissionContext): CallDeclaration[] {
  const lz = ctx.venues.layerZero
  if (!lz) return []
  const peers = (Object.entries(lz.peers) as [ChainKey, { eid: number; oft: `0x${string}` }][]).filter(([c]) => c !== ctx.chain)
  const sendSignature = humanSignature(getAbiItem({ abi: oftAbi, name: 'send' }))
  const sends = peers.flatMap(([to, peer]): CallDeclaration[] => {
    const safe = ctx.safes[to]
    if (!safe) return []
    return [
      {
        adapter: bridgeId,
        chain: ctx.chain,
        target: lz.oft,
        targetLabel: 'LayerZero USDC OFT',
        signature: sendSignature,
        params: {
          sendParam: matches({
            dstEid: equals(peer.eid, `${to}'s endpoint id`),
            to: equals(bytes32Of(safe), `${to}'s treasury Safe`),
            amountLD: withinAllowance(allowanceNames.bridge('usdc')),
            // Options are keel's own: another executor option could drop the native fee on anyone.
            extraOptions: oneOf(lz.extraOptions.map((o) => ({ value: o, label: "keel's executor options" }))),
            composeMsg: equals('0x', 'no compose message'),
            oftCmd: equals('0x', 'no OFT command'),
          }),
          refundAddress: avatar(ctx.safe),
        },
        send: true,
        description: `send USDC to ${to}'s treasury Safe`,
      },
    ]
  })
  const receiveSignature = humanSignature(getAbiItem({ abi: endpointAbi, name: 'lzReceive' }))
  const receives = peers.map(
    ([from, peer]): CallDeclaration => ({
      adapter: bridgeId,
      chain: ctx.chain,
      target: lz.endpoint,
      targetLabel: 'LayerZero EndpointV2',
      signature: receiveSignature,
      params: {
        origin: matches({ srcEid: equals(peer.eid, `${from}'s endpoint id`), sender: equals(bytes32Of(peer.oft), `${from}'s USDC OFT`) }),
        receiver: equals(lz.oft, `${ctx.chain}'s USDC OFT`),
      },
      send: false,
      description: `re-execute a verified USDC transfer from ${from}`,
    }),
  )
  return [
    ...approveDeclarations({
      adapter: bridgeId,
      chain: ctx.chain,
      tokens: [{ address: lz.token, label: 'USDC' }],
      spender: { address: lz.oft, label: 'LayerZero USDC OFT' },
      description: 'the amount of the next send, when the OFT takes tokens by allowance',
    }),
    ...sends,
    ...receives,
  ]
}
