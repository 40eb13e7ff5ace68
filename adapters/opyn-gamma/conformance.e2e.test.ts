import { encodeFunctionData } from 'viem'
import { gammaFullCollateral, gammaNakedPutMarginE27, gammaPayout, gammaVaultProceeds } from '../../agent/options/gammaSettlement.ts'
import { priceFeedAbi } from '../../chains/devnet/abis.ts'
import { readGammaSection } from '../../chains/devnet/gamma/section.ts'
import { chainKeys } from '../../chains/types.ts'
import { fromManifest } from '../../temporal/chainEnvironment.ts'
import { gammaDeployments } from '../../temporal/optionVenues.ts'
import { optionVenueConformance } from '../../test/conformance/optionVenue.ts'
import { sendDevnetCalls } from '../devnetSend.ts'
import { startDevnetFixture } from '../uniswap-v3/devnetFixture.ts'
import { createGammaAdapter, type GammaAdapterDeps } from './index.ts'

optionVenueConformance({
  name: 'opyn-gamma',
  async setup() {
    const fx = await startDevnetFixture()
    try {
      const section = readGammaSection(fx.manifest)
      if (!section) throw new Error('the devnet has no Gamma section')
      const chains: GammaAdapterDeps['chains'] = {}
      const deployments = gammaDeployments(fromManifest(fx.manifest))
      for (const key of chainKeys) {
        const deployment = deployments[key]
        if (deployment) chains[key] = { client: fx.clients[key], deployment }
      }
      const params = {
        spotShockE27: BigInt(section.nakedPut.spotShockE27),
        upperBounds: section.nakedPut.upperBounds.map((b) => ({
          timeToExpirySec: BigInt(b.timeToExpirySec),
          valueE27: BigInt(b.valueE27),
        })),
      }
      return {
        adapter: createGammaAdapter({ chains }),
        manifest: fx.manifest,
        clients: fx.clients,
        testClients: fx.testClients,
        chain: 'ethereum',
        // The devnet's Chainlink stand-in, owned by the deployer: Gamma's pricer and MarginCalculator read it.
        setPriceE8: ({ chain, priceE8 }) =>
          sendDevnetCalls({
            client: fx.clients[chain],
            rpcUrl: fx.manifest.chains[chain].rpcUrl,
            key: fx.manifest.devKeys.deployer,
            calls: [
              {
                chainId: fx.manifest.chains[chain].chainId,
                to: fx.manifest.chains[chain].contracts.ethUsdFeed,
                data: encodeFunctionData({ abi: priceFeedAbi, functionName: 'updateAnswer', args: [priceE8] }),
                value: 0n,
                description: `ETH/USD feed at ${priceE8}`,
              },
            ],
          }),
        periods: { lockingSec: BigInt(section.lockingPeriodSec), disputeSec: BigInt(section.disputePeriodSec) },
        model: {
          fullCollateral: ({ series, amount }) => gammaFullCollateral({ ...series, amountE8: amount }),
          // Gamma's 27-decimal margin in collateral base units, rounded up as its MarginCalculator rounds a requirement.
          nakedPutMargin: ({ series, amount, spotE8, nowSec }) => {
            const marginE27 = gammaNakedPutMarginE27({
              strikeE8: series.strikeE8,
              spotE8,
              shortE8: amount,
              expirySec: series.expirySec,
              nowSec,
              params,
            })
            const scale = 10n ** BigInt(27 - series.collateralDecimals)
            return (marginE27 + scale - 1n) / scale
          },
          payout: ({ series, amount, expiryPriceE8 }) => gammaPayout({ ...series, amountE8: amount, expiryPriceE8 }),
          vaultProceeds: ({ series, short, collateral, expiryPriceE8 }) =>
            gammaVaultProceeds({ ...series, shortE8: short, collateral, expiryPriceE8 }),
        },
        stop: fx.stop,
      }
    } catch (err) {
      await fx.stop()
      throw err
    }
  },
})
