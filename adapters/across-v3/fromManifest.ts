import type { PublicClient } from 'viem'
import { acrossSectionSchema } from '../../chains/devnet/across/section.ts'
import { type ChainKey, chainKeys, type DevnetManifest } from '../../chains/types.ts'
import type { BridgeAdapter } from '../types.ts'
import { createAcrossV3Adapter } from './index.ts'
import { parseInput } from './schemas.ts'

/** Seconds from the quote to the fill deadline on the devnet: an hour, Across's usual, well inside the spoke pools' buffer. */
export const devnetFillDeadlineSec = 3_600

/** keel's Across adapter over a devnet: spoke pools and the quote API from the manifest's `across` section, the devnet's USDC and WETH. */
export function createAcrossAdapterFromManifest(p: {
  manifest: DevnetManifest
  clients: Partial<Record<ChainKey, PublicClient>>
  fillDeadlineSec?: number
}): BridgeAdapter {
  const section = parseInput(acrossSectionSchema, p.manifest.bridges?.across, 'devnet manifest section "across"')
  const chains = Object.fromEntries(
    chainKeys.map((key) => [
      key,
      {
        chainId: p.manifest.chains[key].chainId,
        spokePool: section.chains[key].spokePool,
        tokens: { USDC: p.manifest.chains[key].contracts.usdc, WETH: p.manifest.chains[key].contracts.weth },
        fromBlock: section.chains[key].deployBlock,
      },
    ]),
  )
  return createAcrossV3Adapter({
    clients: p.clients,
    chains,
    apiUrl: section.apiUrl,
    fillDeadlineSec: p.fillDeadlineSec ?? devnetFillDeadlineSec,
  })
}
