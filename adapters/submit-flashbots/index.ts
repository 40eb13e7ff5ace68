import { FlashbotsBundleProvider } from '@flashbots/ethers-provider-bundle'
import { providers, Wallet } from 'ethers'
import type { Hex } from 'viem'
import { BaseError } from '../../agent/errors.ts'
import { redactRpcUrl, redactUrlsIn } from '../../chains/redactRpcUrl.ts'
import type { BundleRelay, BundleSimulation } from '../types.ts'

/** The relay refused a request (bad signature, malformed bundle): sending the same again cannot help. */
export class RelayRefusedError extends BaseError {
  override name = 'Flashbots.RelayRefusedError' as const
  constructor(p: { method: string; relay: string; reason: string }) {
    super(`The bundle relay at ${p.relay} refused ${p.method}: ${p.reason}`, { retryable: false })
  }
}

/** The relay did not answer (network, 5xx): the request may be retried. */
export class RelayUnavailableError extends BaseError {
  override name = 'Flashbots.RelayUnavailableError' as const
  constructor(p: { method: string; relay: string; reason: string }) {
    super(`The bundle relay at ${p.relay} did not answer ${p.method}: ${p.reason}`, { retryable: true })
  }
}

export type CreateFlashbotsRelayParams = {
  /** The relay's JSON-RPC endpoint (https://relay.flashbots.net on mainnet; the devnet's local relay). */
  relayUrl: string
  /** The chain's own RPC, which the client reads blocks from. */
  rpcUrl: string
  chainId: number
  /** Signs `X-Flashbots-Signature`: a reputation key that holds no funds, never the treasury's. */
  authKey: Hex
}

/**
 * Flashbots bundles through `@flashbots/ethers-provider-bundle`, the relay's own client (ethers v5
 * stays inside this file). The executor decides targets, fees and retries; this only talks to the relay.
 */
export function createFlashbotsRelay(p: CreateFlashbotsRelayParams): BundleRelay {
  const relay = redactRpcUrl(p.relayUrl)
  const provider = new providers.StaticJsonRpcProvider(p.rpcUrl, p.chainId)
  const client = FlashbotsBundleProvider.create(provider, new Wallet(p.authKey), p.relayUrl, p.chainId)

  async function call<T>(method: string, fn: (fb: FlashbotsBundleProvider) => Promise<T | { error: { message: string; code: number } }>) {
    let result: T | { error: { message: string; code: number } }
    try {
      result = await fn(await client)
    } catch (err) {
      throw thrown(method, err)
    }
    if (result && typeof result === 'object' && 'error' in result && result.error) {
      throw new RelayRefusedError({ method, relay, reason: redactUrlsIn(`${result.error.message} (code ${result.error.code})`) })
    }
    return result as T
  }

  /** ethers' fetchJson throws with the URL in its message: keep only status and the relay's own words. */
  function thrown(method: string, err: unknown): BaseError {
    const e = err as { status?: number; body?: string; code?: string; reason?: string }
    const status = typeof e?.status === 'number' ? e.status : undefined
    let reason = e?.code ?? (err instanceof Error ? err.name : 'unknown error')
    try {
      const body = typeof e?.body === 'string' ? (JSON.parse(e.body) as { error?: { message?: string } }) : undefined
      if (body?.error?.message) reason = body.error.message
    } catch {
      // not JSON: the status says enough
    }
    reason = redactUrlsIn(status === undefined ? reason : `HTTP ${status}: ${reason}`)
    if (status !== undefined && status >= 400 && status < 500) return new RelayRefusedError({ method, relay, reason })
    return new RelayUnavailableError({ method, relay, reason })
  }

  return {
    manifest: {
      id: 'flashbots',
      kind: 'submitter',
      chains: ['ethereum'],
      version: '1.0.0',
      description:
        'Flashbots bundles (eth_callBundle, eth_sendBundle, eth_cancelBundle): atomic, top of block, never in the public mempool',
    },
    async simulate({ raws, targetBlock }): Promise<BundleSimulation> {
      const sim = await call('eth_callBundle', (fb) => fb.simulate([...raws], Number(targetBlock)))
      const results = sim.results as { txHash: Hex; gasUsed: number; revert?: string; error?: string }[]
      const index = results.findIndex((r) => r.revert !== undefined || r.error !== undefined)
      if (index < 0) return { ok: true, gasUsed: results.map((r) => BigInt(r.gasUsed)) }
      const bad = results[index]!
      return { ok: false, index, txHash: bad.txHash, reason: bad.revert ?? bad.error ?? 'failed' }
    },
    async send({ raws, targetBlock, replacementUuid }) {
      const sent = await call('eth_sendBundle', (fb) =>
        fb.sendRawBundle([...raws], Number(targetBlock), { replacementUuid, revertingTxHashes: [] }),
      )
      return { bundleHash: sent.bundleHash as Hex }
    },
    async cancel({ replacementUuid }) {
      await call('eth_cancelBundle', (fb) => fb.cancelBundles(replacementUuid))
    },
  }
}
