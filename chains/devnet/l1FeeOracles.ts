import { type Address, createWalletClient, type Hex, http } from 'viem'
import { DevnetError } from '../errors.ts'
import { GAS_PRICE_ORACLE_ADDRESS, NODE_INTERFACE_ADDRESS } from '../l1DataFee.ts'
import type { ChainKey } from '../types.ts'
import { type Artifact, loadOwnArtifact } from './artifacts.ts'
import { chainProfiles } from './constants.ts'
import { createDevnetClients, type DevnetClients } from './devnetClients.ts'

/**
 * Base's Ecotone scalars (6 decimals), as Base mainnet's L1Block reported them in 2025: the base-fee
 * scalar prices calldata-posted bytes, the blob scalar blob-posted ones. (Base started Ecotone at
 * 1101 / 659851 in March 2024.) Not re-read from mainnet here.
 */
export const BASE_BASE_FEE_SCALAR = 2269n
export const BASE_BLOB_BASE_FEE_SCALAR = 1_055_762n
/**
 * Arbitrum One's L1 price per unit (ArbGasInfo.getL1BaseFeeEstimate) since blobs: the batch poster
 * pays blob gas, so the price no longer follows the L1 base fee; its order is 0.05 gwei. Not re-read here.
 */
export const ARBITRUM_L1_PRICE_PER_UNIT_WEI = 50_000_000n
/** OP stack's depositor account and ArbOS: the only callers the stand-ins take L1 values from. */
const OP_DEPOSITOR: Address = '0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001'
const ARBOS: Address = '0x00000000000000000000000000000000000A4B05'

/** The L1 values the devnet's L2s price with. */
export type DevnetL1FeeValues = {
  base: { l1BaseFeeWei: bigint; blobBaseFeeWei: bigint; baseFeeScalar: bigint; blobBaseFeeScalar: bigint }
  arbitrum: { pricePerUnitWei: bigint; minBaseFeeWei: bigint }
}

/**
 * Places the L1-fee contracts at the addresses production reads (GasPriceOracle on Base,
 * NodeInterface on Arbitrum) and feeds them: Base gets the devnet Ethereum's next base fee and
 * blob base fee with Base's scalars, Arbitrum its L1 price per unit and its minimum L2 base fee.
 * The code and values live in each node's state file, so a restarted chain keeps them.
 */
export async function installL1FeeOracles(p: { rpcUrls: Record<ChainKey, string> }): Promise<DevnetL1FeeValues> {
  const clients = (key: ChainKey) => createDevnetClients({ key, rpcUrl: p.rpcUrls[key] })
  const l1 = clients('ethereum').publicClient
  const [pending, blobBaseFeeWei] = await Promise.all([l1.getBlock({ blockTag: 'pending' }), l1.getBlobBaseFee()])
  const values: DevnetL1FeeValues = {
    base: {
      l1BaseFeeWei: pending.baseFeePerGas ?? chainProfiles.ethereum.baseFeeWei,
      blobBaseFeeWei,
      baseFeeScalar: BASE_BASE_FEE_SCALAR,
      blobBaseFeeScalar: BASE_BLOB_BASE_FEE_SCALAR,
    },
    arbitrum: { pricePerUnitWei: ARBITRUM_L1_PRICE_PER_UNIT_WEI, minBaseFeeWei: chainProfiles.arbitrum.baseFeeWei },
  }
  const b = values.base
  const a = values.arbitrum
  await Promise.all([
    placeAndFeed({
      key: 'base',
      clients: clients('base'),
      rpcUrl: p.rpcUrls.base,
      address: GAS_PRICE_ORACLE_ADDRESS,
      artifact: loadOwnArtifact('DevnetGasPriceOracle'),
      feeder: OP_DEPOSITOR,
      functionName: 'setL1FeeValues',
      args: [b.l1BaseFeeWei, b.blobBaseFeeWei, Number(b.baseFeeScalar), Number(b.blobBaseFeeScalar)],
    }),
    placeAndFeed({
      key: 'arbitrum',
      clients: clients('arbitrum'),
      rpcUrl: p.rpcUrls.arbitrum,
      address: NODE_INTERFACE_ADDRESS,
      artifact: loadOwnArtifact('DevnetNodeInterface'),
      feeder: ARBOS,
      functionName: 'setL1Pricing',
      args: [a.pricePerUnitWei, a.minBaseFeeWei],
    }),
  ])
  return values
}

/** Runtime code of a contract: its init code run in an eth_call without a target returns it. */
async function runtimeCode(client: DevnetClients['publicClient'], artifact: Artifact): Promise<Hex> {
  const { data } = await client.call({ data: artifact.bytecode })
  if (!data || data === '0x') throw new DevnetError('init code returned no runtime code')
  return data
}

async function placeAndFeed(p: {
  key: ChainKey
  clients: DevnetClients
  rpcUrl: string
  address: Address
  artifact: Artifact
  feeder: Address
  functionName: string
  args: readonly unknown[]
}): Promise<void> {
  const { publicClient, testClient } = p.clients
  await testClient.setCode({ address: p.address, bytecode: await runtimeCode(publicClient, p.artifact) })
  await testClient.impersonateAccount({ address: p.feeder })
  await testClient.setBalance({ address: p.feeder, value: 10n ** 18n })
  const wallet = createWalletClient({ chain: publicClient.chain, transport: http(p.rpcUrl) })
  const hash = await wallet.writeContract({
    account: p.feeder,
    address: p.address,
    abi: p.artifact.abi,
    functionName: p.functionName,
    args: p.args,
  })
  // Mined now whatever the mining mode; then the chain's fee market starts again at its own level.
  await testClient.mine({ blocks: 1 })
  const receipt = await publicClient.getTransactionReceipt({ hash })
  await testClient.stopImpersonatingAccount({ address: p.feeder })
  await testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: chainProfiles[p.key].baseFeeWei })
  if (receipt.status !== 'success') throw new DevnetError(`${p.key}: feeding the L1 fee contract at ${p.address} reverted`)
}
