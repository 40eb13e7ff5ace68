import type { BridgeAdapter } from '../types.ts'
import { buildCalls } from './buildCalls.ts'
import type { AcrossV3Deps } from './chainContext.ts'
import { getPending } from './getPending.ts'
import { getStatus } from './getStatus.ts'
import { bridgeId, quote, supports } from './quote.ts'
import { readSent } from './readSent.ts'

export type { AcrossV3ChainConfig, AcrossV3Deps } from './chainContext.ts'
export { acrossFees } from './fees.ts'

/** Creates keel's Across V3 bridge over per-chain public clients, spoke pools and Across's quote API. */
export function createAcrossV3Adapter(deps: AcrossV3Deps): BridgeAdapter {
  return {
    manifest: {
      id: bridgeId,
      kind: 'bridge',
      chains: (Object.keys(deps.chains) as (keyof AcrossV3Deps['chains'])[]).filter((c) => deps.clients[c] !== undefined),
      version: '1.0.0',
      description: 'Across V3: unsafeDeposit with an id known before sending, filled by relayers; expired deposits refunded on the origin',
    },
    supports: (req) => supports(deps, req),
    quote: (req) => quote(deps, req),
    buildCalls: (p) => buildCalls(deps, p),
    readSent: (p) => readSent(deps, p),
    getStatus: (p) => getStatus(deps, p),
    getPending: (p) => getPending(deps, p),
    // Nothing an operator can re-execute: an unfilled deposit is refunded by the protocol once it expires.
    remediation: async () => null,
  }
}
