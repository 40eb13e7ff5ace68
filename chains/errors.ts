import { BaseError } from '../agent/errors.ts'
import type { ChainKey } from './types.ts'

/** No RPC endpoint of a chain answered; the URLs named here have their credentials stripped. */
export class RpcUnreachableError extends BaseError {
  override name = 'Chains.RpcUnreachableError' as const
  readonly chain: ChainKey
  constructor(params: { chain: ChainKey; urls: readonly string[]; cause?: unknown }) {
    super(`Chain ${params.chain} is unreachable at ${params.urls.join(', ')}`, {
      cause: params.cause,
      // The cause text may quote the raw URL (viem puts it in its messages): keep it out.
      details: 'no endpoint answered eth_chainId',
      retryable: true,
    })
    this.chain = params.chain
  }
}

/** An endpoint answered for a different chain than the one it was configured for. */
export class ChainIdMismatchError extends BaseError {
  override name = 'Chains.ChainIdMismatchError' as const
  constructor(params: { chain: ChainKey; expected: number; actual: number; url: string }) {
    super(`RPC for ${params.chain} at ${params.url} answers chain id ${params.actual}, expected ${params.expected}`, { retryable: false })
  }
}

/** A chain id or key keel does not know. */
export class UnknownChainError extends BaseError {
  override name = 'Chains.UnknownChainError' as const
  constructor(params: { chain: string | number }) {
    super(`Unknown chain ${String(params.chain)}`, { retryable: false })
  }
}

/** The devnet could not be started, deployed or stopped as asked. */
export class DevnetError extends BaseError {
  override name = 'Chains.DevnetError' as const
}

/** A deployed contract does not match what the published artifacts promise (e.g. pool init code hash). */
export class DeploymentMismatchError extends BaseError {
  override name = 'Chains.DeploymentMismatchError' as const
  constructor(params: { what: string; expected: string; actual: string; chain: ChainKey }) {
    super(`${params.what} mismatch on ${params.chain}`, { metaMessages: [`expected: ${params.expected}`, `actual:   ${params.actual}`] })
  }
}
