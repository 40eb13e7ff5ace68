import { describe, expect, test } from 'vitest'
import { addressSchema, chainContractsSchema } from './schemas.ts'

const lower = '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed'
const contracts = {
  weth: lower,
  usdc: '0x0000000000000000000000000000000000000002',
  uniswapV3Factory: '0x0000000000000000000000000000000000000003',
  nonfungiblePositionManager: '0x0000000000000000000000000000000000000004',
  swapRouter: '0x0000000000000000000000000000000000000005',
  quoterV2: '0x0000000000000000000000000000000000000006',
  wethUsdcPool: '0x0000000000000000000000000000000000000007',
  ethUsdFeed: '0x0000000000000000000000000000000000000008',
}

describe('addressSchema', () => {
  test('keeps the letter case when the address is valid in any case', () => {
    expect(addressSchema.parse(lower)).toBe(lower)
    expect(addressSchema.parse(lower.toUpperCase().replace('0X', '0x'))).toBe(lower.toUpperCase().replace('0X', '0x'))
  })

  test('refuses with the schema message when the input is not 20 hex bytes', () => {
    for (const bad of [lower.slice(0, -1), lower.replace('0x', ''), `${lower.slice(0, -1)}g`, 42, null]) {
      const result = addressSchema.safeParse(bad)
      expect(result.success).toBe(false)
      expect(result.error?.issues.map((i) => i.message)).toEqual(['expected a 0x-prefixed 20-byte hex address'])
    }
  })
})

describe('chainContractsSchema', () => {
  test('parses a full set of contracts when every address is valid', () => {
    expect(chainContractsSchema.parse(contracts)).toEqual(contracts)
  })

  test('names each missing or malformed contract when some are wrong', () => {
    const { quoterV2: _, ...missing } = contracts
    const result = chainContractsSchema.safeParse({ ...missing, ethUsdFeed: '0x01' })
    expect(result.success).toBe(false)
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['ethUsdFeed', 'quoterV2'])
  })
})
