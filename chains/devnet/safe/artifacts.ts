import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Abi, type Hex, isHex, parseAbi } from 'viem'
import { z } from 'zod'
import { DevnetError } from '../../errors.ts'
import { packageDir } from '../artifacts.ts'

/** The Safe 1.5.0 contracts keel deploys, by their path under the package's `build/artifacts/contracts`. */
const safeArtifactPaths = {
  SafeL2: 'SafeL2.sol/SafeL2',
  SafeProxy: 'proxies/SafeProxy.sol/SafeProxy',
  SafeProxyFactory: 'proxies/SafeProxyFactory.sol/SafeProxyFactory',
  CompatibilityFallbackHandler: 'handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler',
  MultiSend: 'libraries/MultiSend.sol/MultiSend',
  MultiSendCallOnly: 'libraries/MultiSendCallOnly.sol/MultiSendCallOnly',
} as const

export type SafeContractName = keyof typeof safeArtifactPaths

/** A Safe artifact: creation code to deploy, runtime code to check what a chain holds. */
export type SafeArtifact = { abi: Abi; bytecode: Hex; deployedBytecode: Hex }

const hexCode = z.string().refine((s) => isHex(s) && s.length > 2, 'expected non-empty, linked bytecode')

const safeArtifactSchema = z.object({
  abi: z.array(z.looseObject({ type: z.string() })),
  bytecode: hexCode,
  deployedBytecode: hexCode,
})

/** One contract of `@safe-global/safe-smart-account` 1.5.0 from its published build (none needs linking). */
export function loadSafeArtifact(name: SafeContractName): SafeArtifact {
  const path = join(packageDir('@safe-global/safe-smart-account'), 'build', 'artifacts', 'contracts', `${safeArtifactPaths[name]}.json`)
  const parsed = safeArtifactSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')))
  if (!parsed.success) throw new DevnetError(`Safe artifact ${name} is malformed`, { details: parsed.error.message })
  const { abi, bytecode, deployedBytecode } = parsed.data
  return { abi: abi as unknown as Abi, bytecode: bytecode as Hex, deployedBytecode: deployedBytecode as Hex }
}

// Typed subsets for viem; the e2e test checks every entry against the artifacts' ABIs.

/** SafeL2 1.5.0: setup, execution, EIP-712 hash, owners, modules. */
export const safeAbi = parseAbi([
  'function setup(address[] _owners, uint256 _threshold, address to, bytes data, address fallbackHandler, address paymentToken, uint256 payment, address paymentReceiver)',
  'function execTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, bytes signatures) payable returns (bool success)',
  'function getTransactionHash(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, uint256 _nonce) view returns (bytes32)',
  'function nonce() view returns (uint256)',
  'function getOwners() view returns (address[])',
  'function getThreshold() view returns (uint256)',
  'function enableModule(address module)',
  'function isModuleEnabled(address module) view returns (bool)',
  'function VERSION() view returns (string)',
  'event ExecutionSuccess(bytes32 indexed txHash, uint256 payment)',
  'event ExecutionFailure(bytes32 indexed txHash, uint256 payment)',
])

/** SafeProxyFactory 1.5.0: the CREATE2 proxy deployment keel uses and the code it deploys. */
export const safeProxyFactoryAbi = parseAbi([
  'function createProxyWithNonce(address _singleton, bytes initializer, uint256 saltNonce) returns (address proxy)',
  'function proxyCreationCode() pure returns (bytes)',
  'event ProxyCreation(address indexed proxy, address singleton)',
])

/** MultiSend and MultiSendCallOnly share this entry point. */
export const multiSendAbi = parseAbi(['function multiSend(bytes transactions) payable'])
