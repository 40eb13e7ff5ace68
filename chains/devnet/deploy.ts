import {
  type Address,
  encodeAbiParameters,
  encodeDeployData,
  encodeFunctionData,
  getContractAddress,
  getCreate2Address,
  keccak256,
  stringToHex,
} from 'viem'
import { DeploymentMismatchError } from '../errors.ts'
import type { ChainContracts, ChainKey } from '../types.ts'
import { positionManagerAbi, uniswapV3FactoryAbi } from './abis.ts'
import { type Artifact, loadOwnArtifact, loadPublishedArtifact, peripheryPoolInitCodeHash } from './artifacts.ts'
import { chainProfiles, feedDecimals, poolFee } from './constants.ts'
import type { DevnetAccounts, DevnetClients } from './devnetClients.ts'
import { seedLiquidity } from './seedLiquidity.ts'
import { createTxSender, type SentTx, waitForReceipts } from './txSender.ts'
import { sqrtPriceX96FromPriceE8 } from './uniswapMath.ts'

export type DeployedChain = {
  contracts: ChainContracts
  treasuryLpTokenIds: string[]
  wethIsToken0: boolean
}

/** Deploys WETH, USDC, Uniswap V3, the ETH/USD feed and the seeded pool; same addresses every run. */
export async function deployChain(params: {
  key: ChainKey
  clients: DevnetClients
  accounts: DevnetAccounts
  initialPriceE8: bigint
}): Promise<DeployedChain> {
  const { key, clients, accounts } = params
  const { publicClient } = clients
  const profile = chainProfiles[key]
  const fees = { maxFeePerGasWei: profile.baseFeeWei * 3n + profile.priorityFeeWei, priorityFeeWei: profile.priorityFeeWei }
  const deployer = await createTxSender({ client: publicClient, account: accounts.deployer, ...fees })

  const poolInitCodeHash = peripheryPoolInitCodeHash()
  const poolCodeHash = keccak256(loadPublishedArtifact('UniswapV3Pool').bytecode)
  if (poolCodeHash !== poolInitCodeHash) {
    throw new DeploymentMismatchError({
      what: 'Uniswap V3 pool init code hash',
      expected: poolInitCodeHash,
      actual: poolCodeHash,
      chain: key,
    })
  }

  // The deployer's nonces fix every address: keep this order stable.
  const sent: SentTx[] = []
  const deploy = async (label: string, artifact: Artifact, args: readonly unknown[] = []): Promise<Address> => {
    const tx = await deployer.send({ data: encodeDeployData({ abi: artifact.abi, bytecode: artifact.bytecode, args }), label })
    sent.push(tx)
    return getContractAddress({ from: deployer.address, nonce: BigInt(tx.nonce) })
  }
  const weth = await deploy('WETH9', loadOwnArtifact('WETH9'))
  const usdc = await deploy('TestUSDC', loadOwnArtifact('TestUSDC'))
  const factory = await deploy('UniswapV3Factory', loadPublishedArtifact('UniswapV3Factory'))
  const nftDescriptorLib = await deploy('NFTDescriptor', loadPublishedArtifact('NFTDescriptor'))
  const descriptor = await deploy(
    'NonfungibleTokenPositionDescriptor',
    loadPublishedArtifact('NonfungibleTokenPositionDescriptor', { NFTDescriptor: nftDescriptorLib }),
    [weth, stringToHex('ETH', { size: 32 })],
  )
  const npm = await deploy('NonfungiblePositionManager', loadPublishedArtifact('NonfungiblePositionManager'), [factory, weth, descriptor])
  const swapRouter = await deploy('SwapRouter', loadPublishedArtifact('SwapRouter'), [factory, weth])
  const quoterV2 = await deploy('QuoterV2', loadPublishedArtifact('QuoterV2'), [factory, weth])
  const ethUsdFeed = await deploy('PriceFeed', loadOwnArtifact('PriceFeed'), [feedDecimals, 'ETH / USD', params.initialPriceE8])
  await waitForReceipts({ client: publicClient, txs: sent })

  const wethIsToken0 = BigInt(weth) < BigInt(usdc)
  const [token0, token1] = wethIsToken0 ? [weth, usdc] : [usdc, weth]
  const sqrtPriceX96 = sqrtPriceX96FromPriceE8({ priceE8: params.initialPriceE8, wethIsToken0 })
  const createPool = await deployer.send({
    to: npm,
    data: encodeFunctionData({
      abi: positionManagerAbi,
      functionName: 'createAndInitializePoolIfNecessary',
      args: [token0, token1, poolFee, sqrtPriceX96],
    }),
    label: 'create WETH/USDC pool',
  })
  await waitForReceipts({ client: publicClient, txs: [createPool] })
  const wethUsdcPool = await verifyPoolAddress({ key, clients, factory, token0, token1, poolInitCodeHash })

  const contracts: ChainContracts = {
    weth,
    usdc,
    uniswapV3Factory: factory,
    nonfungiblePositionManager: npm,
    swapRouter,
    quoterV2,
    wethUsdcPool,
    ethUsdFeed,
  }
  const treasuryLpTokenIds = await seedLiquidity({ key, clients, accounts, deployer, contracts, sqrtPriceX96, wethIsToken0, fees })
  return { contracts, treasuryLpTokenIds, wethIsToken0 }
}

// NPM and the router find pools by PoolAddress.computeAddress; if that disagreed with the factory
// every mint and swap would revert in the callback check, so fail at deploy time instead.
async function verifyPoolAddress(params: {
  key: ChainKey
  clients: DevnetClients
  factory: Address
  token0: Address
  token1: Address
  poolInitCodeHash: `0x${string}`
}): Promise<Address> {
  const salt = keccak256(
    encodeAbiParameters([{ type: 'address' }, { type: 'address' }, { type: 'uint24' }], [params.token0, params.token1, poolFee]),
  )
  const computed = getCreate2Address({ from: params.factory, salt, bytecodeHash: params.poolInitCodeHash })
  const actual = await params.clients.publicClient.readContract({
    address: params.factory,
    abi: uniswapV3FactoryAbi,
    functionName: 'getPool',
    args: [params.token0, params.token1, poolFee],
  })
  if (actual.toLowerCase() !== computed.toLowerCase()) {
    throw new DeploymentMismatchError({ what: 'WETH/USDC pool address', expected: computed, actual, chain: params.key })
  }
  return actual
}
