import { usdc } from '../../chains/devnet/constants.ts'
import { bridgeConformance } from '../../test/conformance/bridge.ts'
import { startAcrossDevnetFixture } from './devnetFixture.ts'

bridgeConformance({
  name: 'across-v3',
  async setup() {
    const f = await startAcrossDevnetFixture()
    return {
      adapter: f.adapter,
      manifest: f.manifest,
      clients: f.clients,
      token: f.token,
      route: { asset: 'USDC', from: 'ethereum', to: 'base', amount: usdc('25000') },
      async settle({ transferId, timeoutMs }) {
        await f.waitForStatus({ from: 'ethereum', to: 'base', transferId, timeoutMs, done: (s) => s.state === 'delivered' })
      },
      stop: f.stop,
    }
  },
})
