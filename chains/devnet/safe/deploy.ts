import {
  type Address,
  type Chain,
  concat,
  encodeDeployData,
  encodeFunctionData,
  encodePacked,
  getContractAddress,
  getCreate2Address,
  type Hex,
  isAddressEqual,
  keccak256,
  type PublicClient,
  padHex,
  parseEventLogs,
  type Transport,
  zeroAddress,
} from 'viem'
import { DeploymentMismatchError } from '../../errors.ts'
import type { ChainKey } from '../../types.ts'
import { type TxSender, waitForReceipts } from '../txSender.ts'
import { loadSafeArtifact, type SafeContractName, safeAbi, safeProxyFactoryAbi } from './artifacts.ts'

/** Safe 1.5.0's shared contracts on one chain. */
export type SafeInfra = {
  /** SafeL2: emits SafeMultiSigTransaction, so indexers see every Safe transaction on any chain. */
  safeSingleton: Address
  proxyFactory: Address
  fallbackHandler: Address
  multiSend: Address
  multiSendCallOnly: Address
}

// The Safe deployer's nonces 0-4, in this order, fix every address: never reorder or insert.
const deployOrder = [
  ['safeSingleton', 'SafeL2'],
  ['proxyFactory', 'SafeProxyFactory'],
  ['fallbackHandler', 'CompatibilityFallbackHandler'],
  ['multiSend', 'MultiSend'],
  ['multiSendCallOnly', 'MultiSendCallOnly'],
] as const satisfies readonly (readonly [keyof SafeInfra, SafeContractName])[]

type Client = PublicClient<Transport, Chain>

/** Where the Safe contracts land when `deployer` sends exactly these five deployments as its first transactions. */
export function safeInfraAddresses(deployer: Address): SafeInfra {
  const entries = deployOrder.map(([role], i) => [role, getContractAddress({ from: deployer, nonce: BigInt(i) })] as const)
  return Object.fromEntries(entries) as SafeInfra
}

/**
 * Deploys SafeL2, the proxy factory, the fallback handler and both MultiSends from `sender` (the
 * `safeDeployer` role, used for nothing else), so they sit at the same addresses on every chain.
 * Resumes after a partial run and is a no-op when all five are there; throws
 * `Chains.DeploymentMismatchError` when the deployer's nonce or the code found disagrees.
 */
export async function deploySafeInfra(params: { key: ChainKey; publicClient: Client; sender: TxSender }): Promise<SafeInfra> {
  const { key, publicClient, sender } = params
  const expected = safeInfraAddresses(sender.address)
  const codes = await Promise.all(deployOrder.map(([role]) => publicClient.getCode({ address: expected[role] })))
  const done = codes.findIndex((code) => code === undefined || code === '0x')
  const deployed = done === -1 ? deployOrder.length : done
  const nonce = await publicClient.getTransactionCount({ address: sender.address, blockTag: 'pending' })
  if (nonce !== deployed || codes.slice(deployed).some((code) => code !== undefined && code !== '0x')) {
    throw new DeploymentMismatchError({
      what: `Safe deployer ${sender.address} nonce (the Safe singletons' addresses depend on it)`,
      expected: `${deployed} (one per contract already deployed)`,
      actual: String(nonce),
      chain: key,
    })
  }
  if (deployed < deployOrder.length) {
    await sender.syncNonce()
    const sent = []
    for (const [role, name] of deployOrder.slice(deployed)) {
      const artifact = loadSafeArtifact(name)
      const tx = await sender.send({ data: encodeDeployData({ abi: artifact.abi, bytecode: artifact.bytecode }), label: `Safe ${name}` })
      const address = getContractAddress({ from: sender.address, nonce: BigInt(tx.nonce) })
      if (!isAddressEqual(address, expected[role])) {
        throw new DeploymentMismatchError({ what: `Safe ${name} address`, expected: expected[role], actual: address, chain: key })
      }
      sent.push(tx)
    }
    await waitForReceipts({ client: publicClient, txs: sent })
  }
  await verifySafeInfra({ key, publicClient, infra: expected })
  return expected
}

// Runtime code equal to the published build, so keel signs against the audited contracts and
// predictSafeAddress (which uses the published SafeProxy code) agrees with the factory.
async function verifySafeInfra(params: { key: ChainKey; publicClient: Client; infra: SafeInfra }): Promise<void> {
  const { key, publicClient, infra } = params
  for (const [role, name] of deployOrder) {
    const address = infra[role]
    const code = (await publicClient.getCode({ address })) ?? '0x'
    // MultiSend keeps its own address as an immutable, which the artifact leaves zeroed.
    const own = padHex(address, { size: 32 }).slice(2).toLowerCase()
    const normalised = code.toLowerCase().replaceAll(own, '0'.repeat(64))
    const published = loadSafeArtifact(name).deployedBytecode.toLowerCase()
    if (normalised !== published) {
      throw new DeploymentMismatchError({
        what: `Safe ${name} runtime code at ${address}`,
        expected: keccak256(published as Hex),
        actual: keccak256(normalised as Hex),
        chain: key,
      })
    }
  }
  const creationCode = await publicClient.readContract({
    address: infra.proxyFactory,
    abi: safeProxyFactoryAbi,
    functionName: 'proxyCreationCode',
  })
  const published = loadSafeArtifact('SafeProxy').bytecode
  if (creationCode.toLowerCase() !== published.toLowerCase()) {
    throw new DeploymentMismatchError({
      what: 'SafeProxy creation code',
      expected: keccak256(published),
      actual: keccak256(creationCode),
      chain: key,
    })
  }
}

/** A Safe's owners, threshold and fallback handler: what `setup` is called with. */
export type SafeSetup = { owners: readonly Address[]; threshold: bigint; fallbackHandler: Address }

/** `setup(...)` calldata with no module setup and no deployment refund; owner order is part of the Safe's address. */
export function encodeSafeSetup(setup: SafeSetup): Hex {
  return encodeFunctionData({
    abi: safeAbi,
    functionName: 'setup',
    args: [setup.owners, setup.threshold, zeroAddress, '0x', setup.fallbackHandler, zeroAddress, 0n, zeroAddress],
  })
}

/** The CREATE2 address `createProxyWithNonce(singleton, initializer, saltNonce)` deploys to, computed off-chain. */
export function predictSafeAddress(params: { proxyFactory: Address; singleton: Address; initializer: Hex; saltNonce: bigint }): Address {
  const salt = keccak256(encodePacked(['bytes32', 'uint256'], [keccak256(params.initializer), params.saltNonce]))
  const deploymentData = concat([loadSafeArtifact('SafeProxy').bytecode, padHex(params.singleton, { size: 32 })])
  return getCreate2Address({ from: params.proxyFactory, salt, bytecodeHash: keccak256(deploymentData) })
}

/**
 * Creates (or finds) the Safe with these owners, threshold and salt nonce through the proxy
 * factory, with the compatibility fallback handler set; its address is predicted off-chain and
 * must match, and is the same on every chain with the same infra. Any funded `sender` can pay.
 */
export async function createTreasurySafe(params: {
  key: ChainKey
  publicClient: Client
  sender: TxSender
  infra: SafeInfra
  owners: readonly Address[]
  threshold: bigint
  saltNonce: bigint
}): Promise<{ safe: Address; created: boolean }> {
  const { key, publicClient, infra } = params
  const initializer = encodeSafeSetup({ owners: params.owners, threshold: params.threshold, fallbackHandler: infra.fallbackHandler })
  const predicted = predictSafeAddress({
    proxyFactory: infra.proxyFactory,
    singleton: infra.safeSingleton,
    initializer,
    saltNonce: params.saltNonce,
  })
  const existing = await publicClient.getCode({ address: predicted })
  if (existing !== undefined && existing !== '0x') {
    await verifySafeOwners({ ...params, safe: predicted })
    return { safe: predicted, created: false }
  }
  const tx = await params.sender.send({
    to: infra.proxyFactory,
    data: encodeFunctionData({
      abi: safeProxyFactoryAbi,
      functionName: 'createProxyWithNonce',
      args: [infra.safeSingleton, initializer, params.saltNonce],
    }),
    label: 'create treasury Safe',
  })
  const [receipt] = await waitForReceipts({ client: publicClient, txs: [tx] })
  const created = parseEventLogs({ abi: safeProxyFactoryAbi, eventName: 'ProxyCreation', logs: receipt?.logs ?? [] }).find((log) =>
    isAddressEqual(log.address, infra.proxyFactory),
  )
  const actual = created?.args.proxy ?? zeroAddress
  if (!isAddressEqual(actual, predicted)) {
    throw new DeploymentMismatchError({ what: 'treasury Safe address', expected: predicted, actual, chain: key })
  }
  await verifySafeOwners({ ...params, safe: predicted })
  return { safe: predicted, created: true }
}

async function verifySafeOwners(params: {
  key: ChainKey
  publicClient: Client
  safe: Address
  owners: readonly Address[]
  threshold: bigint
}): Promise<void> {
  const [owners, threshold] = await Promise.all([
    params.publicClient.readContract({ address: params.safe, abi: safeAbi, functionName: 'getOwners' }),
    params.publicClient.readContract({ address: params.safe, abi: safeAbi, functionName: 'getThreshold' }),
  ])
  const asText = (list: readonly Address[], t: bigint) => `${t} of [${list.map((a) => a.toLowerCase()).join(', ')}]`
  if (asText(owners, threshold) !== asText(params.owners, params.threshold)) {
    throw new DeploymentMismatchError({
      what: `treasury Safe ${params.safe} owners`,
      expected: asText(params.owners, params.threshold),
      actual: asText(owners, threshold),
      chain: params.key,
    })
  }
}
