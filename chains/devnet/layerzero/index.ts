import { rmSync } from 'node:fs'
import type { DevnetBridge } from '../bridges.ts'
import { findFreePort } from '../localProcess.ts'
import { deliveryStatePath } from './deliveryService.ts'
import { deployLayerZero } from './deploy.ts'
import { layerZeroSectionSchema } from './schemas.ts'
import { startDeliveryService } from './startServices.ts'

export { createDeliveryControl, type DeliveryControl } from './control.ts'
export { type LayerZeroSection, readLayerZeroSection } from './schemas.ts'

/**
 * LayerZero V2 on the devnet: EndpointV2 and SimpleMessageLib from LayerZero's published
 * artifacts, the USDC OFT built from LayerZero's published sources, and a local delivery service
 * standing in for the DVNs and the executor.
 */
export const layerZeroDevnetBridge: DevnetBridge = {
  id: 'layerzero',
  async deploy(ctx) {
    const deployed = await deployLayerZero(ctx)
    // A fresh deployment: what an earlier devnet's delivery service remembered does not apply.
    rmSync(deliveryStatePath(ctx.stateDir), { force: true })
    return { ...deployed, control: { url: `http://127.0.0.1:${await findFreePort()}` } }
  },
  async startServices(ctx) {
    const section = layerZeroSectionSchema.omit({ services: true }).parse(ctx.section)
    return [await startDeliveryService({ ...ctx, section })]
  },
}
