import { BaseError } from '../../agent/errors.ts'
import { rawDetails } from '../executor/errors.ts'

/** The adapter was asked about a chain it was not configured for. */
export class ChainNotConfiguredError extends BaseError {
  override name = 'LayerZero.ChainNotConfiguredError' as const
  constructor(params: { chain: string }) {
    super(`LayerZero is not configured on chain "${params.chain}"`, { retryable: false })
  }
}

/** The devnet manifest has no LayerZero section (a devnet started before LayerZero was deployed on it). */
export class NotDeployedError extends BaseError {
  override name = 'LayerZero.NotDeployedError' as const
  constructor() {
    super('This devnet has no LayerZero deployment', { metaMessages: ['start a fresh one: keel devnet up --fresh'], retryable: false })
  }
}

/**
 * The options a send would carry give lzReceive no gas. Executors do not execute such a message:
 * it is verified on the destination and then sits there until someone executes it by hand, so
 * keel refuses to send it at all.
 */
export class ZeroLzReceiveGasError extends BaseError {
  override name = 'LayerZero.ZeroLzReceiveGasError' as const
  constructor(params: { route: string; options: string }) {
    super(`LayerZero send ${params.route} would carry no lzReceive gas`, {
      details: `combined options ${params.options}`,
      metaMessages: ['set enforced options with an lzReceive gas on the OFT, or give the adapter a non-zero extraLzReceiveGas'],
      retryable: false,
    })
  }
}

/** A quote handed to buildCalls cannot be turned into a send (another bridge's, malformed params...). */
export class InvalidQuoteError extends BaseError {
  override name = 'LayerZero.InvalidQuoteError' as const
  constructor(params: { reason: string }) {
    super(`Quote cannot be built into a LayerZero send: ${params.reason}`, { retryable: false })
  }
}

/** A mined origin transaction holds no OFT send (wrong hash, another contract, a reverted send). */
export class SendNotFoundError extends BaseError {
  override name = 'LayerZero.SendNotFoundError' as const
  constructor(params: { chain: string; txHash: string; reason: string }) {
    super(`No LayerZero OFT send in ${params.txHash} on ${params.chain}: ${params.reason}`, { retryable: false })
  }
}

/** No OFT send with this GUID exists on the origin chain (or it goes elsewhere than asked). */
export class TransferNotFoundError extends BaseError {
  override name = 'LayerZero.TransferNotFoundError' as const
  constructor(params: { transferId: string; chain: string; reason: string }) {
    super(`LayerZero transfer ${params.transferId} not found on ${params.chain}: ${params.reason}`, { retryable: false })
  }
}

/** Re-executing the message within the gas the operator allows would still fail. */
export class RemediationWouldFailError extends BaseError {
  override name = 'LayerZero.RemediationWouldFailError' as const
  constructor(params: { transferId: string; gasLimit: bigint; cause: unknown }) {
    super(`Re-executing LayerZero transfer ${params.transferId} with ${params.gasLimit} gas would fail`, {
      cause: params.cause,
      details: rawDetails(params.cause),
      metaMessages: ['allow more gas, or look at why lzReceive reverts (the OApp, not the gas)'],
      retryable: false,
    })
  }
}

/** Reading chain state failed; `retryable` tells whether the transport error is transient. */
export class ReadFailedError extends BaseError {
  override name = 'LayerZero.ReadFailedError' as const
  constructor(params: { what: string; chain: string; cause: unknown; retryable: boolean }) {
    // The node's own words only: the cause's full message quotes the RPC URL it called.
    super(`LayerZero read failed on ${params.chain}: ${params.what}`, {
      cause: params.cause,
      details: rawDetails(params.cause),
      retryable: params.retryable,
    })
  }
}
