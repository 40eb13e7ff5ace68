import {
  type Address,
  type Chain,
  decodeErrorResult,
  encodeDeployData,
  encodeFunctionData,
  getContractAddress,
  getCreate2Address,
  type Hex,
  keccak256,
  type PublicClient,
  parseAbi,
  parseEther,
  type Transport,
  zeroHash,
} from 'viem'
import { type RolesStatus, rolesStatuses } from '../../../adapters/safe-roles/index.ts'
import { DevnetError } from '../../errors.ts'
import { type SentTx, type TxSender, waitForReceipts } from '../txSender.ts'
import { link, type RolesContractName, rolesAbi, rolesArtifact } from './artifacts.ts'

export { rolesAbi } from './artifacts.ts'

/**
 * The ERC-2470 singleton factory. Roles stores every scoped function's conditions as the code of a
 * contract it creates through this factory (`WriteOnce.SINGLETON_FACTORY`), so `scopeFunction`
 * reverts on a chain without it. It is deployed as on every public chain: by a presigned,
 * chain-id-less transaction from a keyless account (EIP-2470), funded with exactly its gas.
 */
export const singletonFactory = {
  address: '0xce0042B868300000d44A59004Da54A005ffdcf9f',
  deployer: '0xBb6e024b9cFFACB947A71991E386681B1Cd1477D',
  funding: parseEther('0.0247'),
  signedDeployTransaction:
    '0xf9016c8085174876e8008303c4d88080b90154608060405234801561001057600080fd5b50610134806100206000396000f3fe6080604052348015600f57600080fd5b506004361060285760003560e01c80634af63f0214602d575b600080fd5b60cf60048036036040811015604157600080fd5b810190602081018135640100000000811115605b57600080fd5b820183602082011115606c57600080fd5b80359060200191846001830284011164010000000083111715608d57600080fd5b91908080601f016020809104026020016040519081016040528093929190818152602001838380828437600092019190915250929550509135925060eb915050565b604080516001600160a01b039092168252519081900360200190f35b6000818351602085016000f5939250505056fea26469706673582212206b44f8a82cb6b156bfcc3dc6aadd6df4eefd204bc928a4397fd15dacf6d5320564736f6c634300060200331b83247000822470',
} as const satisfies { address: Address; deployer: Address; funding: bigint; signedDeployTransaction: Hex }

const singletonFactoryAbi = parseAbi(['function deploy(bytes initCode, bytes32 salt) returns (address)'])

export type RolesLibraries = { integrity: Address; packer: Address; multiSendUnwrapper: Address }

type DeployParams = { publicClient: PublicClient<Transport, Chain>; sender: TxSender }

/** Deploys the ERC-2470 factory if the chain lacks it; a no-op on a chain that has it. */
export async function deploySingletonFactory(p: DeployParams): Promise<Address> {
  const { publicClient } = p
  if (await publicClient.getCode({ address: singletonFactory.address })) return singletonFactory.address
  const funding = await p.sender.send({
    to: singletonFactory.deployer,
    data: '0x',
    value: singletonFactory.funding,
    label: 'fund ERC-2470 deployer',
  })
  await waitForReceipts({ client: publicClient, txs: [funding] })
  const hash = await publicClient.sendRawTransaction({ serializedTransaction: singletonFactory.signedDeployTransaction })
  await waitForReceipts({ client: publicClient, txs: [{ hash, nonce: 0, label: 'ERC-2470 singleton factory' }] })
  if (!(await publicClient.getCode({ address: singletonFactory.address })))
    throw new DevnetError('the ERC-2470 singleton factory was not deployed at its address')
  return singletonFactory.address
}

/**
 * Deploys Integrity, Packer and the MultiSendUnwrapper through the ERC-2470 factory (salt 0), as
 * their mastercopies were: the same bytecode gives the same addresses as on every public chain,
 * so a Roles linked to them is byte for byte the published mastercopy. Skips any already there.
 */
export async function deployRolesLibraries(p: DeployParams): Promise<RolesLibraries> {
  await deploySingletonFactory(p)
  const sent: SentTx[] = []
  const deploy = async (name: RolesContractName): Promise<Address> => {
    const artifact = rolesArtifact(name)
    const address = getCreate2Address({ from: singletonFactory.address, salt: zeroHash, bytecodeHash: keccak256(artifact.bytecode) })
    if (address !== artifact.source.mastercopy)
      throw new DevnetError(`Roles ${name} would not land at its mastercopy's address`, {
        metaMessages: [`expected: ${artifact.source.mastercopy}`, `actual:   ${address}`],
      })
    if (await p.publicClient.getCode({ address })) return address
    const data = encodeFunctionData({ abi: singletonFactoryAbi, functionName: 'deploy', args: [artifact.bytecode, zeroHash] })
    // The factory returns address(0) instead of reverting when CREATE2 fails, so an estimate could
    // be too low without anything reverting: give ample gas and check the code afterwards.
    sent.push(await p.sender.send({ to: singletonFactory.address, data, gas: 8_000_000n, label: `Roles ${name} via ERC-2470` }))
    return address
  }
  const libraries = {
    integrity: await deploy('Integrity'),
    packer: await deploy('Packer'),
    multiSendUnwrapper: await deploy('MultiSendUnwrapper'),
  }
  await waitForReceipts({ client: p.publicClient, txs: sent })
  for (const address of Object.values(libraries))
    if (!(await p.publicClient.getCode({ address }))) throw new DevnetError(`no code at ${address} after its deployment through ERC-2470`)
  return libraries
}

/** Deploys a Roles modifier with its constructor (no proxy): `owner` configures it, `avatar` executes what it allows on `target`. */
export async function deployRolesModifier(
  p: DeployParams & { owner: Address; avatar: Address; target: Address; libraries: Pick<RolesLibraries, 'integrity' | 'packer'> },
): Promise<Address> {
  const bytecode = link(rolesArtifact('Roles'), { Integrity: p.libraries.integrity, Packer: p.libraries.packer })
  const data = encodeDeployData({ abi: rolesAbi, bytecode, args: [p.owner, p.avatar, p.target] })
  const tx = await p.sender.send({ data, gas: 8_000_000n, label: 'Roles modifier' })
  await waitForReceipts({ client: p.publicClient, txs: [tx] })
  return getContractAddress({ from: p.sender.address, nonce: BigInt(tx.nonce) })
}

// `PermissionChecker.Status` of Roles 2.1.0 lives with the executor's decoding of the module's refusals.
export { type RolesStatus, rolesStatuses } from '../../../adapters/safe-roles/index.ts'

export type RolesError = {
  /** The custom error's name (`ConditionViolation`, `NoMembership`, `NotAuthorized`, ...), or `Error`/`Panic`. */
  name: string
  args: readonly unknown[]
  /** `ConditionViolation` only: why the call was refused, and the condition's detail word. */
  status?: RolesStatus
  info?: Hex
}

// Integrity runs by DELEGATECALL from Roles, so its errors come back from Roles' own calls.
const rolesErrorsAbi = [...rolesAbi, ...rolesArtifact('Integrity').abi].filter((item) => item.type === 'error')

/** Decodes a revert from Roles (or its Integrity library); `undefined` when the data is no error they define. */
export function decodeRolesError(revertData: Hex): RolesError | undefined {
  let decoded: { errorName: string; args: readonly unknown[] | undefined }
  try {
    decoded = decodeErrorResult({ abi: rolesErrorsAbi, data: revertData })
  } catch {
    return undefined
  }
  const args = decoded.args ?? []
  if (decoded.errorName !== 'ConditionViolation') return { name: decoded.errorName, args }
  const [status, info] = args as [number, Hex]
  const name = rolesStatuses[status]
  if (!name) throw new DevnetError(`Roles ConditionViolation with unknown status ${status}`)
  return { name: decoded.errorName, args, status: name, info }
}
