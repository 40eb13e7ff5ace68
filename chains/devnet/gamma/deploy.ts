import { type Address, encodeDeployData, encodeFunctionData, getContractAddress, type Hex } from 'viem'
import type { ChainKey, DevnetManifest } from '../../types.ts'
import { chainProfiles } from '../constants.ts'
import type { DevnetAccounts, DevnetClients } from '../devnetClients.ts'
import { createTxSender, type SentTx, waitForReceipts } from '../txSender.ts'
import { type GammaContractName, gammaAbi, gammaBytecode } from './artifacts.ts'
import { type GammaChain, type GammaSection, gammaParams } from './section.ts'

/**
 * Deploys Opyn Gamma Protocol v2 on one devnet chain the way its migrations do (AddressBook, the
 * OtokenFactory and Otoken implementation, Whitelist, Oracle, MarginPool, MarginCalculator, the
 * MarginVault library linked into the Controller, whose proxy the AddressBook creates and
 * initialises), then configures it as Opyn's operations did for ETH options: WETH and USDC
 * whitelisted as collateral, calls (WETH underlying, USDC strike, WETH collateral) and puts (USDC
 * collateral) whitelisted as products, a ChainLinkPricer for WETH over the chain's ETH/USD feed with
 * its locking and dispute periods, USDC at a stable 1 USD, and the naked-margin parameters under
 * which partially collateralised puts exist.
 */
export async function deployGammaChain(p: {
  key: ChainKey
  clients: DevnetClients
  accounts: DevnetAccounts
  manifest: DevnetManifest
}): Promise<GammaChain> {
  const { publicClient } = p.clients
  const { weth, usdc, ethUsdFeed } = p.manifest.chains[p.key].contracts
  const profile = chainProfiles[p.key]
  const fees = { maxFeePerGasWei: profile.baseFeeWei * 3n + profile.priorityFeeWei, priorityFeeWei: profile.priorityFeeWei }
  const deployer = await createTxSender({ client: publicClient, account: p.accounts.deployer, ...fees })
  const sent: SentTx[] = []
  const deploy = async (name: GammaContractName, args: readonly unknown[] = [], libraries: Record<string, Address> = {}) => {
    const data = encodeDeployData({ abi: gammaAbi(name), bytecode: gammaBytecode(name, libraries), args })
    const tx = await deployer.send({ data, label: `Gamma ${name}`, gas: 8_000_000n })
    sent.push(tx)
    return getContractAddress({ from: deployer.address, nonce: BigInt(tx.nonce) })
  }
  const call = async (name: GammaContractName, to: Address, functionName: string, args: readonly unknown[]) => {
    const data = encodeFunctionData({ abi: gammaAbi(name), functionName, args }) as Hex
    sent.push(await deployer.send({ to, data, label: `Gamma ${name}.${functionName}`, gas: 3_000_000n }))
  }

  // The migration's order (2_deploy_contracts.js); the deployer's nonces fix every address.
  const addressBook = await deploy('AddressBook')
  const otokenFactory = await deploy('OtokenFactory', [addressBook])
  await call('AddressBook', addressBook, 'setOtokenFactory', [otokenFactory])
  const otokenImpl = await deploy('Otoken')
  await call('AddressBook', addressBook, 'setOtokenImpl', [otokenImpl])
  const whitelist = await deploy('Whitelist', [addressBook])
  await call('AddressBook', addressBook, 'setWhitelist', [whitelist])
  const oracle = await deploy('Oracle')
  await call('AddressBook', addressBook, 'setOracle', [oracle])
  const marginPool = await deploy('MarginPool', [addressBook])
  await call('AddressBook', addressBook, 'setMarginPool', [marginPool])
  const marginCalculator = await deploy('MarginCalculator', [oracle])
  await call('AddressBook', addressBook, 'setMarginCalculator', [marginCalculator])
  const marginVault = await deploy('MarginVault')
  const controllerImpl = await deploy('Controller', [], { MarginVault: marginVault })
  await call('AddressBook', addressBook, 'setController', [controllerImpl])
  await waitForReceipts({ client: publicClient, txs: sent.splice(0) })
  const controller = (await publicClient.readContract({
    address: addressBook,
    abi: gammaAbi('AddressBook'),
    functionName: 'getController',
  })) as Address

  // Products and collateral.
  await call('Whitelist', whitelist, 'whitelistCollateral', [weth])
  await call('Whitelist', whitelist, 'whitelistCollateral', [usdc])
  await call('Whitelist', whitelist, 'whitelistProduct', [weth, usdc, weth, false])
  await call('Whitelist', whitelist, 'whitelistProduct', [weth, usdc, usdc, true])
  // Prices: WETH through Chainlink, with the deployer as the pricer's bot; USDC at 1 USD.
  const pricer = await deploy('ChainLinkPricer', [p.accounts.deployer.address, weth, ethUsdFeed, oracle])
  await call('Oracle', oracle, 'setAssetPricer', [weth, pricer])
  await call('Oracle', oracle, 'setLockingPeriod', [pricer, BigInt(gammaParams.lockingPeriodSec)])
  await call('Oracle', oracle, 'setDisputePeriod', [pricer, BigInt(gammaParams.disputePeriodSec)])
  await call('Oracle', oracle, 'setStablePrice', [usdc, 10n ** 8n])
  // Naked margin for puts collateralised in USDC (vault type 1).
  const n = gammaParams.nakedPut
  await call('MarginCalculator', marginCalculator, 'setSpotShock', [weth, usdc, usdc, true, BigInt(n.spotShockE27)])
  await call('MarginCalculator', marginCalculator, 'setUpperBoundValues', [
    weth,
    usdc,
    usdc,
    true,
    n.upperBounds.map((b) => BigInt(b.timeToExpirySec)),
    n.upperBounds.map((b) => BigInt(b.valueE27)),
  ])
  await call('MarginCalculator', marginCalculator, 'setOracleDeviation', [BigInt(n.oracleDeviationE27)])
  await call('MarginCalculator', marginCalculator, 'setCollateralDust', [usdc, BigInt(n.usdcDust)])
  await call('Controller', controller, 'setNakedCap', [usdc, BigInt(n.usdcNakedCap)])
  await waitForReceipts({ client: publicClient, txs: sent.splice(0) })
  return { addressBook, controller, otokenFactory, otokenImpl, whitelist, oracle, marginPool, marginCalculator, pricer }
}

/** Gamma on every devnet chain: the manifest's `options.gamma` section. */
export async function deployGamma(p: {
  manifest: DevnetManifest
  clients: Record<ChainKey, DevnetClients>
  accounts: DevnetAccounts
}): Promise<GammaSection> {
  const keys = Object.keys(p.manifest.chains) as ChainKey[]
  const chains = await Promise.all(
    keys.map(
      async (key) => [key, await deployGammaChain({ key, clients: p.clients[key], accounts: p.accounts, manifest: p.manifest })] as const,
    ),
  )
  return { ...gammaParams, chains: Object.fromEntries(chains) as GammaSection['chains'] }
}
