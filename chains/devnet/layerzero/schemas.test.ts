import { describe, expect, test } from 'vitest'
import type { DevnetManifest } from '../../types.ts'
import { readLayerZeroSection } from './schemas.ts'

const chain = (eid: number) => ({
  eid,
  endpoint: '0x0DCd1Bf9A1b36cE34237eEaFef220932846BCD82',
  messageLib: '0x9A676e781A523b5d0C0e43731313A708CB607508',
  oft: '0x0B306BF915C4d645ff596e518fAf3F9669b97016',
  token: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  deployBlock: '29',
})
const section = {
  services: [4242],
  control: { url: 'http://127.0.0.1:43827' },
  deliveryAccount: '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65',
  enforcedLzReceiveGas: '100000',
  chains: { ethereum: chain(30101), arbitrum: chain(30110), base: chain(30184) },
}
const manifestWith = (bridges: unknown) => ({ bridges }) as unknown as DevnetManifest

describe('readLayerZeroSection', () => {
  test('returns the section of a devnet that has one', () => {
    expect(readLayerZeroSection(manifestWith({ layerzero: section }))?.chains.base.eid).toBe(30184)
  })

  test('returns null for a devnet started before LayerZero was deployed on it', () => {
    expect(readLayerZeroSection(manifestWith(undefined))).toBeNull()
    expect(readLayerZeroSection(manifestWith({}))).toBeNull()
  })

  test('names the offending path when the section is malformed', () => {
    const broken = { ...section, chains: { ...section.chains, arbitrum: { ...chain(30110), oft: 'not-an-address' } } }
    expect(() => readLayerZeroSection(manifestWith({ layerzero: broken }))).toThrow(/chains\.arbitrum\.oft/)
  })
})
