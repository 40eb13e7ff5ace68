import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Chain, createPublicClient, formatUnits, http, type PublicClient, type Transport } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { exactInputSingleCall, minAmountOut } from '../adapters/uniswap-v3/buildCalls.ts'
import type { SwapQuoteJson } from '../agent/plan/types.ts'
import type { ChainObservation } from '../agent/portfolio/types.ts'
import { costVenue } from '../agent/venue/chooseVenue.ts'
import { candidateOf, marketOf } from '../agent/venue/sliceSearch.ts'
import { loadOwnArtifact } from '../chains/devnet/artifacts.ts'
import { chainProfiles } from '../chains/devnet/constants.ts'
import { withDevnet } from '../chains/devnet/devnet.ts'
import { ARBITRUM_L1_PRICE_PER_UNIT_WEI, BASE_BASE_FEE_SCALAR, BASE_BLOB_BASE_FEE_SCALAR } from '../chains/devnet/l1FeeOracles.ts'
import { readManifest } from '../chains/devnet/manifest.ts'
import { restartChain } from '../chains/devnet/restartChain.ts'
import {
  GAS_PRICE_ORACLE_ADDRESS,
  gasPriceOracleAbi,
  l1DataFeeWei,
  NODE_INTERFACE_ADDRESS,
  type PlannedTx,
  readArbitrumL1Component,
  unsignedTxForL1Fee,
} from '../chains/l1DataFee.ts'
import { ecotoneL1FeeWei, nitroGasEstimateForL1 } from '../chains/l1FeeFormulas.ts'
import { type ChainKey, chainKeys, type DevnetManifest } from '../chains/types.ts'
import { createReadActivities } from '../temporal/activities/createActivities.ts'
import { fromManifest } from '../temporal/chainEnvironment.ts'
import { createActivityDeps } from '../temporal/worker.ts'
import { testMandate } from './fixtures/stack.ts'

const stateDir = mkdtempSync(join(tmpdir(), 'keel-l1fee-'))
let devnet: Awaited<ReturnType<typeof withDevnet>> | undefined
let manifest: DevnetManifest
const clientOf = (key: ChainKey) =>
  createPublicClient({ transport: http(manifest.chains[key].rpcUrl) }) as unknown as PublicClient<Transport, Chain>
const ETH = 10n ** 18n
/** The devnet stand-in posts the calldata plus a 140-byte envelope (DevnetNodeInterface.TX_ENVELOPE_BYTES). */
const postedBytes = (tx: PlannedTx) => BigInt((tx.data.length - 2) / 2 + 140)

beforeAll(async () => {
  devnet = await withDevnet({ stateDir, treasury: 'signer', initialEthPriceUsd: 3000, seed: 3 })
  manifest = devnet.manifest
})

afterAll(async () => {
  await devnet?.stop()
  rmSync(stateDir, { recursive: true, force: true })
})

/** A 1 WETH → USDC swap to the treasury, as keel's Uniswap adapter builds it. */
const swapOn = (key: ChainKey, deadlineSec: bigint, amountOutMinimum = 2_900n * 10n ** 6n): PlannedTx => {
  const m = manifest.chains[key]
  return exactInputSingleCall({
    contracts: { swapRouter: m.contracts.swapRouter, poolFee: m.poolFee },
    tokenIn: m.contracts.weth,
    tokenOut: m.contracts.usdc,
    recipient: m.accounts.treasury,
    deadlineSec,
    amountIn: ETH,
    amountOutMinimum,
  })
}

describe('L1 fee contracts at the predeploy addresses', () => {
  test('Base: GasPriceOracle.getL1Fee answers Ecotone’s formula over the unsigned tx, fed from the devnet Ethereum', async () => {
    const base = clientOf('base')
    const oracle = { address: GAS_PRICE_ORACLE_ADDRESS, abi: loadOwnArtifact('DevnetGasPriceOracle').abi } as const
    const read = (functionName: string) => base.readContract({ ...oracle, functionName }) as Promise<bigint | number>
    const [l1BaseFee, blobBaseFee, baseFeeScalar, blobBaseFeeScalar] = await Promise.all(
      ['l1BaseFee', 'blobBaseFee', 'baseFeeScalar', 'blobBaseFeeScalar'].map(read),
    )
    // The devnet Ethereum's base fee at start (its chain profile) and its blob base fee (no blobs: EIP-4844's minimum, 1 wei).
    expect(l1BaseFee).toBe(chainProfiles.ethereum.baseFeeWei)
    expect(blobBaseFee).toBe(await clientOf('ethereum').getBlobBaseFee())
    expect(blobBaseFee).toBe(1n)
    expect([BigInt(baseFeeScalar!), BigInt(blobBaseFeeScalar!)]).toEqual([BASE_BASE_FEE_SCALAR, BASE_BLOB_BASE_FEE_SCALAR])

    const tx = swapOn('base', 2_000_000_000n)
    const unsignedTx = unsignedTxForL1Fee({ chainId: 8453, tx })
    const fee = await base.readContract({
      address: GAS_PRICE_ORACLE_ADDRESS,
      abi: gasPriceOracleAbi,
      functionName: 'getL1Fee',
      args: [unsignedTx],
    })
    const mirror = ecotoneL1FeeWei({
      unsignedTx,
      l1BaseFeeWei: 15_000_000_000n,
      blobBaseFeeWei: 1n,
      baseFeeScalar: 2269n,
      blobBaseFeeScalar: 1_055_762n,
    })
    expect(fee).toBe(mirror)
    expect(await l1DataFeeWei({ chain: 'base', client: base, tx })).toBe(mirror)
    expect(fee).toBeGreaterThan(0n)
  })

  test('Arbitrum: NodeInterface.gasEstimateL1Component answers Nitro’s padded estimate at the L2 base fee', async () => {
    const arbitrum = clientOf('arbitrum')
    expect((await arbitrum.getCode({ address: NODE_INTERFACE_ADDRESS }))?.length ?? 0).toBeGreaterThan(2)
    const tx = swapOn('arbitrum', 2_000_000_000n)
    const r = await readArbitrumL1Component({ client: arbitrum, tx })
    expect(r.baseFeeWei).toBe(chainProfiles.arbitrum.baseFeeWei)
    expect(r.l1BaseFeeEstimateWei).toBe(ARBITRUM_L1_PRICE_PER_UNIT_WEI)
    const gas = nitroGasEstimateForL1({ postedBytes: postedBytes(tx), pricePerUnitWei: 50_000_000n, l2BaseFeeWei: 10_000_000n })
    expect(r.gasEstimateForL1).toBe(gas)
    expect(await l1DataFeeWei({ chain: 'arbitrum', client: arbitrum, tx })).toBe(gas * 10_000_000n)
  })

  test('a restarted Base keeps the oracle’s code and values from its state file', async () => {
    const tx = swapOn('base', 2_000_000_000n)
    const before = await l1DataFeeWei({ chain: 'base', client: clientOf('base'), tx })
    await restartChain({ stateDir, chain: 'base' })
    manifest = readManifest(stateDir) ?? manifest
    expect(await l1DataFeeWei({ chain: 'base', client: clientOf('base'), tx })).toBe(before)
  })

  test('Ethereum: no L1 data fee and no oracle', async () => {
    const eth = clientOf('ethereum')
    expect(await l1DataFeeWei({ chain: 'ethereum', client: eth, tx: swapOn('ethereum', 2_000_000_000n) })).toBe(0n)
    expect(await eth.getCode({ address: GAS_PRICE_ORACLE_ADDRESS })).toBeUndefined()
  })
})

describe('keel’s priced cost of a hedge swap', () => {
  test('includes each L2’s L1 data fee, read for the swap keel will send', async () => {
    const treasury = manifest.chains.ethereum.accounts.treasury
    const mandate = testMandate({ portfolio: 'l1fee', treasury, targetEth: '0', bandEth: '1' })
    const read = createReadActivities(createActivityDeps({ environment: fromManifest(manifest), signChains: [] }))
    const [snapshot, quotes] = await Promise.all([
      read.observePortfolio({ mandate }),
      read.quoteHedge({ mandate, direction: 'sell-eth', requests: chainKeys.map((chain) => ({ chain, amountIn: ETH.toString() })) }),
    ])
    const rows: string[] = []
    for (const key of chainKeys) {
      const q = quotes.find((x): x is SwapQuoteJson => x.status === 'ok' && x.chain === key)
      const obs = snapshot.chains.find((c) => c.chain === key) as ChainObservation
      expect(q, key).toBeDefined()
      // The quote's fee is the fee of exactly the swap buildCalls will send: same recipient, deadline, minimum out.
      const tx = swapOn(key, BigInt(q!.blockTimestampSec) + 600n, minAmountOut({ amountOut: BigInt(q!.amountOut), slippageBps: 50 }))
      const expected =
        key === 'base'
          ? ecotoneL1FeeWei({
              unsignedTx: unsignedTxForL1Fee({ chainId: 8453, tx }),
              l1BaseFeeWei: 15_000_000_000n,
              blobBaseFeeWei: 1n,
              baseFeeScalar: 2269n,
              blobBaseFeeScalar: 1_055_762n,
            })
          : key === 'arbitrum'
            ? nitroGasEstimateForL1({ postedBytes: postedBytes(tx), pricePerUnitWei: 50_000_000n, l2BaseFeeWei: 10_000_000n }) * 10_000_000n
            : 0n
      expect(BigInt(q!.l1DataFeeWei ?? '-1'), key).toBe(expected)
      expect(BigInt(obs.l1DataFeeWei ?? '-1') > 0n, key).toBe(key !== 'ethereum')

      const market = marketOf(obs, 'sell-eth')
      const budget = { maxGasCostUsdc: 1_000_000_000n, maxSlippageBps: 50 }
      const priced = costVenue(candidateOf('sell-eth', market, q!), budget)
      const executionOnly = costVenue(candidateOf('sell-eth', market, { ...q!, l1DataFeeWei: '0' }), budget)
      expect(priced.l1DataFeeUsdc > 0n, key).toBe(key !== 'ethereum')
      // Both round up on their own, so the sum is within one unit of execution + data fee.
      const diff = priced.gasCostUsdc - executionOnly.gasCostUsdc - priced.l1DataFeeUsdc
      expect(diff >= -1n && diff <= 0n, key).toBe(true)
      // The same swap at the chain profiles' fee levels (mainnet-like base and priority fees) instead of the devnet's drifted ones.
      const profile = { ...market, gasPriceWei: chainProfiles[key].baseFeeWei + chainProfiles[key].priorityFeeWei }
      const atProfile = costVenue(candidateOf('sell-eth', profile, q!), budget)
      const atProfileExecution = costVenue(candidateOf('sell-eth', profile, { ...q!, l1DataFeeWei: '0' }), budget)
      const usdc = (x: bigint) => formatUnits(x, 6).padStart(10)
      const line = (what: string, exec: bigint, all: typeof priced) =>
        `${key.padEnd(9)} ${what}: execution ${usdc(exec)}  L1 data ${usdc(all.l1DataFeeUsdc)} (${q!.l1DataFeeWei} wei, ${q!.gasEstimate} gas)  gas total ${usdc(all.gasCostUsdc)}  total ${usdc(all.totalCostUsdc)} USDC`
      rows.push(line('devnet now', executionOnly.gasCostUsdc, priced), line('profile   ', atProfileExecution.gasCostUsdc, atProfile))
    }
    console.log(
      `1 WETH -> USDC on each chain, priced by keel (USDC at each pool's mid; total adds pool fee and impact):\n${rows.join('\n')}`,
    )
  })
})
