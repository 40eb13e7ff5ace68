import type { ChainKey } from '../../types.ts'

/** LayerZero V2 endpoint ids of the real chains (LayerZero's deployment list): the devnet uses the same. */
export const layerZeroEids: Readonly<Record<ChainKey, number>> = { ethereum: 30101, arbitrum: 30110, base: 30184 }

/** OFT message types that enforced options apply to (OFTCore's SEND and SEND_AND_CALL). */
export const oftMsgTypes = { send: 1, sendAndCall: 2 } as const

/**
 * lzReceive gas every OFT message carries at least (enforced on the OFT, so no client can send
 * less). It covers the endpoint's bookkeeping and a mint to a fresh holder (~60k on the devnet)
 * with room to spare, as mainnet OFTs enforce 60-100k.
 */
export const enforcedLzReceiveGas = 100_000n

/** Gas the delivery service's out-of-gas fault executes with: enough to start, never enough to mint. */
export const outOfGasExecutionGas = 30_000n
