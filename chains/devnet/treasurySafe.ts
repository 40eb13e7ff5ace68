import { type Address, encodeFunctionData, type Hex, parseAbi, parseEther } from 'viem'
import { encodeKey } from 'zodiac-roles-sdk'
import { DevnetError } from '../errors.ts'
import { type ChainKey, chainKeys, type DevnetManifest, type DevnetSafes } from '../types.ts'
import { erc20Abi } from './abis.ts'
import { chainProfiles } from './constants.ts'
import { createDevnetClients, type DevnetAccounts, type DevnetClients, devnetAccounts, devnetKeys } from './devnetClients.ts'
import { deployRolesLibraries, deployRolesModifier } from './roles/deploy.ts'
import { createTreasurySafe, deploySafeInfra } from './safe/deploy.ts'
import { execSafeTransaction, type SafeCall, toSafeTxBody } from './safe/safeTx.ts'
import { createTxSender, type SentTx, waitForReceipts } from './txSender.ts'

/** The role keel's key holds on every chain's Roles module (its name, and the bytes32 key `encodeKey` makes of it). */
export const devnetRoleName = 'keel'
export const devnetRoleKey: Hex = encodeKey(devnetRoleName)
/** The treasury Safe's salt: with the same owners and singletons it gives the same address on every chain. */
const safeSaltNonce = 0n
/** Native ETH the Safe holds for bridge fees (LayerZero's native fee is paid from it). */
const safeNativeBalance = parseEther('10')

const rolesAdminAbi = parseAbi([
  'function assignRoles(address module, bytes32[] roleKeys, bool[] memberOf)',
  'function setTransactionUnwrapper(address to, bytes4 selector, address adapter)',
])
/** `multiSend(bytes)`: the selector the module unwraps a MultiSend batch by. */
const multiSendSelector = '0x8d80ff0a'
const erc721Abi = parseAbi(['function safeTransferFrom(address from, address to, uint256 tokenId)'])

/** The Roles modifier calls that give the role its permissions on one chain (from `keel permissions`' planner). */
export type PlanRoleCalls = (p: { chain: ChainKey; safe: Address; roles: Address; safes: Record<ChainKey, Address> }) => SafeCall[]

/**
 * Makes every chain's treasury a Safe: Safe 1.5.0's singletons (the same addresses everywhere),
 * a 2-of-3 Safe of the DAO's devnet signers, a Zodiac Roles v2 modifier on it (owner, avatar and
 * target: the Safe), and one Safe transaction signed by two owners that enables the modifier,
 * makes keel's key (`accounts.treasury`) a member of `devnetRoleKey` and sets the role's
 * permissions. Then the treasury's holdings (WETH, USDC, the LP positions) move from keel's key
 * to the Safe, so the key holds only gas money.
 */
export async function deploySafeTreasuries(p: {
  manifest: DevnetManifest
  clients: Record<ChainKey, DevnetClients>
  accounts: DevnetAccounts
  ownerKeys: readonly Hex[]
  threshold: number
  planRoleCalls: PlanRoleCalls
}): Promise<DevnetSafes> {
  const { accounts, manifest } = p
  const owners = [accounts.safeOwnerA.address, accounts.safeOwnerB.address, accounts.safeOwnerC.address]
  const senders = async (key: ChainKey) => {
    const profile = chainProfiles[key]
    const fees = { maxFeePerGasWei: profile.baseFeeWei * 3n + profile.priorityFeeWei, priorityFeeWei: profile.priorityFeeWei }
    const client = p.clients[key].publicClient
    return {
      safeDeployer: await createTxSender({ client, account: accounts.safeDeployer, ...fees }),
      deployer: await createTxSender({ client, account: accounts.deployer, ...fees }),
      keel: await createTxSender({ client, account: accounts.treasury, ...fees }),
    }
  }
  // The Safes first, everywhere: the role of each chain names the Safes of the others (bridge recipients).
  const created = await Promise.all(
    chainKeys.map(async (key) => {
      const publicClient = p.clients[key].publicClient
      const s = await senders(key)
      const infra = await deploySafeInfra({ key, publicClient, sender: s.safeDeployer })
      const { safe } = await createTreasurySafe({
        key,
        publicClient,
        sender: s.deployer,
        infra,
        owners,
        threshold: BigInt(p.threshold),
        saltNonce: safeSaltNonce,
      })
      const libraries = await deployRolesLibraries({ publicClient, sender: s.deployer })
      const roles = await deployRolesModifier({ publicClient, sender: s.deployer, owner: safe, avatar: safe, target: safe, libraries })
      const deployBlock = await publicClient.getBlockNumber()
      return { key, infra, safe, roles, libraries, deployBlock, s }
    }),
  )
  const safes = Object.fromEntries(created.map((c) => [c.key, c.safe])) as Record<ChainKey, Address>
  const infraOf = (key: ChainKey) => created.find((c) => c.key === key)!.infra
  const librariesOf = (key: ChainKey) => created.find((c) => c.key === key)!.libraries
  await Promise.all(
    created.map(async ({ key, safe, roles, s }) => {
      const publicClient = p.clients[key].publicClient
      const calls: SafeCall[] = [
        {
          to: safe,
          data: encodeFunctionData({
            abi: parseAbi(['function enableModule(address module)']),
            functionName: 'enableModule',
            args: [roles],
          }),
          description: 'enable the Roles modifier',
        },
        {
          to: roles,
          data: encodeFunctionData({
            abi: rolesAdminAbi,
            functionName: 'assignRoles',
            args: [accounts.treasury.address, [devnetRoleKey], [true]],
          }),
          description: "make keel's key a member of its role",
        },
        {
          to: roles,
          data: encodeFunctionData({
            abi: rolesAdminAbi,
            functionName: 'setTransactionUnwrapper',
            args: [infraOf(key).multiSendCallOnly, multiSendSelector, librariesOf(key).multiSendUnwrapper],
          }),
          description: 'check each call of a MultiSendCallOnly batch on its own',
        },
        ...p.planRoleCalls({ chain: key, safe, roles, safes }),
      ]
      const infra = created.find((c) => c.key === key)!.infra
      await execSafeTransaction({
        publicClient,
        sender: s.deployer,
        safe,
        tx: toSafeTxBody({ calls, multiSendCallOnly: infra.multiSendCallOnly }),
        ownerKeys: p.ownerKeys.slice(0, p.threshold),
        label: 'enable Roles, assign keel, set permissions',
      })
      await moveHoldings({ clients: p.clients[key], keel: s.keel, safe, manifest, key })
    }),
  )
  const first = created[0]!
  return {
    owners,
    threshold: p.threshold,
    infra: first.infra,
    roleKey: devnetRoleKey,
    chains: Object.fromEntries(
      created.map((c) => [
        c.key,
        {
          safe: c.safe,
          roles: c.roles,
          rolesLibraries: { integrity: c.libraries.integrity, packer: c.libraries.packer },
          deployBlock: c.deployBlock.toString(),
        },
      ]),
    ) as DevnetSafes['chains'],
  }
}

/** The treasury's WETH, USDC and LP positions move from keel's key to the Safe; the Safe gets ETH for bridge fees. */
async function moveHoldings(p: {
  clients: DevnetClients
  keel: Awaited<ReturnType<typeof createTxSender>>
  safe: Address
  manifest: DevnetManifest
  key: ChainKey
}): Promise<void> {
  const { publicClient, testClient } = p.clients
  const entry = p.manifest.chains[p.key]
  const from = p.keel.address
  const txs: SentTx[] = []
  for (const token of [entry.contracts.weth, entry.contracts.usdc]) {
    const balance = await publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [from] })
    if (balance > 0n)
      txs.push(
        await p.keel.send({
          to: token,
          data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [p.safe, balance] }),
          label: 'treasury tokens to the Safe',
        }),
      )
  }
  for (const id of entry.treasuryLpTokenIds)
    txs.push(
      await p.keel.send({
        to: entry.contracts.nonfungiblePositionManager,
        data: encodeFunctionData({ abi: erc721Abi, functionName: 'safeTransferFrom', args: [from, p.safe, BigInt(id)] }),
        label: `LP ${id} to the Safe`,
      }),
    )
  await waitForReceipts({ client: publicClient, txs })
  await testClient.setBalance({ address: p.safe, value: safeNativeBalance })
}

/**
 * The devnet's DAO signers at work: one Safe transaction of `calls` on `chain`, signed by
 * `threshold` owners and sent by the deployer. Only the devnet's owners' keys can do this.
 */
export async function execAsOwners(p: { manifest: DevnetManifest; chain: ChainKey; calls: readonly SafeCall[]; label: string }) {
  const safes = p.manifest.safes
  if (!safes) throw new DevnetError('this devnet keeps the treasury on keel’s key: it has no Safes')
  const keys = devnetKeys()
  const accounts = devnetAccounts()
  const { publicClient } = createDevnetClients({ key: p.chain, rpcUrl: p.manifest.chains[p.chain].rpcUrl })
  const profile = chainProfiles[p.chain]
  const sender = await createTxSender({
    client: publicClient,
    account: accounts.deployer,
    maxFeePerGasWei: profile.baseFeeWei * 3n + profile.priorityFeeWei,
    priorityFeeWei: profile.priorityFeeWei,
  })
  return execSafeTransaction({
    publicClient,
    sender,
    safe: safes.chains[p.chain].safe,
    tx: toSafeTxBody({ calls: p.calls, multiSendCallOnly: safes.infra.multiSendCallOnly }),
    ownerKeys: [keys.safeOwnerA, keys.safeOwnerB, keys.safeOwnerC].slice(0, safes.threshold),
    label: p.label,
  })
}
