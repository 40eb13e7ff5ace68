import { usdc } from '../../chains/devnet/constants.ts'
import { bridgeConformance } from '../../test/conformance/bridge.ts'
import { startLayerZeroFixture } from './devnetFixture.ts'

bridgeConformance({
  name: 'layerzero-v2-oft',
  async setup() {
    const f = await startLayerZeroFixture()
    return {
      adapter: f.adapter,
      manifest: f.manifest,
      clients: f.clients,
      token: (_asset, chain) => f.section.chains[chain].token,
      route: { asset: 'USDC', from: 'ethereum', to: 'arbitrum', amount: usdc('1000') },
      settle: f.settle,
      stop: f.stop,
    }
  },
})
