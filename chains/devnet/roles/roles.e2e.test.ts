import {
  type Address,
  BaseError,
  type Chain,
  createPublicClient,
  encodeFunctionData,
  getAddress,
  type Hex,
  http,
  type PublicClient,
  parseAbi,
  parseGwei,
  type Transport,
} from 'viem'
import { anvil } from 'viem/chains'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  type Allowance,
  c,
  callsPlannedForApply,
  encodeCalls,
  encodeKey,
  type Permission,
  processPermissions,
  type Role,
} from 'zodiac-roles-sdk'
import { killProcessGroup, spawnAnvil } from '../anvil.ts'
import { devnetAccounts } from '../devnetClients.ts'
import { findFreePort } from '../localProcess.ts'
import { createTxSender, type TxSender, waitForReceipts } from '../txSender.ts'
import { rolesArtifact } from './artifacts.ts'
import { decodeRolesError, deployRolesLibraries, deployRolesModifier, type RolesLibraries, rolesAbi } from './deploy.ts'
import { readRoleTargets } from './readRole.ts'

// One anvil (automine). The owner configures a role with zodiac-roles-sdk; `readRoleTargets` must
// read back a state against which the same permissions plan nothing. The avatar is a plain EOA,
// so a call the role allows cannot execute; the permission check runs first, so refusals can.
const accounts = devnetAccounts()
const owner = accounts.deployer
const member = accounts.treasury.address
const outsider = accounts.arbitrageur.address
const avatar: Address = '0x00000000000000000000000000000000000a7a7a'
const token: Address = '0x000000000000000000000000000000000000700a'
const vault: Address = '0x000000000000000000000000000000000000700b'
const pool: Address = '0x000000000000000000000000000000000000700c'
const spender: Address = '0x0000000000000000000000000000000000005e9d'
const roleKey = encodeKey('keel-manager')
const allowanceKey = encodeKey('keel-approvals')
const tokenAbi = parseAbi([
  'function approve(address spender, uint256 value) returns (bool)',
  'function transfer(address to, uint256 value) returns (bool)',
])

let anvilPid = 0
let publicClient: PublicClient<Transport, Chain>
let sender: TxSender
let libraries: RolesLibraries
let roles: Address

const basePermissions: Permission[] = [
  // approve(spender, ≤ 1000), and at most 5000 over all approvals.
  {
    targetAddress: token,
    signature: 'approve(address,uint256)',
    condition: c.calldataMatches([spender, c.and(c.lte(1000n), c.withinAllowance(allowanceKey))], ['address', 'uint256']),
  },
  { targetAddress: token, signature: 'transfer(address,uint256)', send: true },
  { targetAddress: vault, delegatecall: true },
]
// Explicit maxRefill and timestamp: the contract stores 0 as uint128 max and as the block's timestamp.
const allowance: Allowance = {
  key: allowanceKey,
  balance: 5000n,
  maxRefill: 5000n,
  refill: 5000n,
  period: 86_400n,
  timestamp: 1_700_000_000n,
}

const desiredRole = (permissions: Permission[]): Role => ({
  key: roleKey,
  members: [member],
  targets: processPermissions(permissions).targets,
  annotations: [],
  lastUpdate: 0,
})

async function applyPlan(calls: ReturnType<typeof callsPlannedForApply>): Promise<void> {
  const txs = []
  for (const tx of encodeCalls(calls, roles)) txs.push(await sender.send({ to: tx.to, data: tx.data, label: 'Roles config' }))
  await waitForReceipts({ client: publicClient, txs })
}

async function plannedAgainstChain(permissions: Permission[]) {
  const read = await readRoleTargets({ publicClient, roles, roleKey })
  return callsPlannedForApply(
    { roles: [read.role], allowances: read.allowances },
    { roles: [desiredRole(permissions)], allowances: [allowance] },
  )
}

/** The revert data of a call to the Roles modifier from `from`. */
async function revertData(from: Address, data: Hex): Promise<Hex> {
  try {
    await publicClient.call({ account: from, to: roles, data })
  } catch (err) {
    const withData = err instanceof BaseError ? err.walk((e) => typeof (e as { data?: unknown }).data === 'string') : null
    if (withData) return (withData as unknown as { data: Hex }).data
    throw err
  }
  throw new Error('the call did not revert')
}

const execWithRole = (data: Hex, to: Address = token) =>
  encodeFunctionData({ abi: rolesAbi, functionName: 'execTransactionWithRole', args: [to, 0n, data, 0, roleKey, true] })

beforeAll(async () => {
  const node = await spawnAnvil({ chainId: anvil.id, port: await findFreePort(), blockTimeSec: null, baseFeeWei: parseGwei('1') })
  anvilPid = node.pid
  publicClient = createPublicClient({ chain: anvil, transport: http(node.rpcUrl) })
  sender = await createTxSender({ client: publicClient, account: owner, maxFeePerGasWei: parseGwei('10'), priorityFeeWei: parseGwei('1') })
  libraries = await deployRolesLibraries({ publicClient, sender })
  roles = await deployRolesModifier({ publicClient, sender, owner: owner.address, avatar, target: avatar, libraries })
})

afterAll(async () => {
  if (anvilPid) await killProcessGroup(anvilPid)
})

describe('deployRolesLibraries', () => {
  test('lands each library at its published mastercopy address (ERC-2470, salt 0)', async () => {
    // packages/evm/mastercopies.json of gnosisguild/zodiac-modifier-roles: Integrity and Packer 2.1.0, MultiSendUnwrapper 2.1.1.
    expect(libraries).toEqual({
      integrity: '0x6a6Af4b16458Bc39817e4019fB02BD3b26d41049',
      packer: '0x61C5B1bE435391fDd7BC6703F3740C0d11728a8C',
      multiSendUnwrapper: '0xB4Cd4bb764C089f20DA18700CE8bc5e49F369efD',
    })
    expect(await deployRolesLibraries({ publicClient, sender })).toEqual(libraries)
  })
})

describe('deployRolesModifier', () => {
  test('deploys a Roles with the given owner, avatar and target, within EIP-170', async () => {
    const read = (functionName: 'owner' | 'avatar' | 'target') => publicClient.readContract({ address: roles, abi: rolesAbi, functionName })
    expect([await read('owner'), await read('avatar'), await read('target')]).toEqual([
      owner.address,
      getAddress(avatar),
      getAddress(avatar),
    ])
    const code = await publicClient.getCode({ address: roles })
    expect((code!.length - 2) / 2).toBe(rolesArtifact('Roles').deployedBytecodeSize)
  })
})

describe('readRoleTargets', () => {
  test('reads back a role configured with the SDK so that planning it again yields no call', async () => {
    const empty = await readRoleTargets({ publicClient, roles, roleKey })
    expect(empty.role.targets).toEqual([])
    expect(empty.role.members).toEqual([])
    const calls = callsPlannedForApply(
      { roles: [empty.role], allowances: [] },
      { roles: [desiredRole(basePermissions)], allowances: [allowance] },
    )
    expect(calls.map((call) => call.call).sort()).toEqual(
      ['allowFunction', 'allowTarget', 'assignRoles', 'scopeFunction', 'scopeTarget', 'setAllowance'].sort(),
    )
    await applyPlan(calls)

    const read = await readRoleTargets({ publicClient, roles, roleKey })
    expect(read.role.members).toEqual([member.toLowerCase()])
    expect(read.allowances).toEqual([allowance])
    expect(read.role.targets.find((t) => t.address === vault)).toMatchObject({ clearance: 1, executionOptions: 2, functions: [] })
    expect(await plannedAgainstChain(basePermissions)).toEqual([])
  })

  test('plans exactly the difference when a permission is added, and nothing once it is applied', async () => {
    const more: Permission[] = [...basePermissions, { targetAddress: pool, signature: 'withdraw(uint256)' }]
    const calls = await plannedAgainstChain(more)
    expect(calls).toEqual([
      { call: 'scopeTarget', roleKey, targetAddress: pool },
      { call: 'allowFunction', roleKey, targetAddress: pool, selector: '0x2e1a7d4d', executionOptions: 0 },
    ])
    await applyPlan(calls)
    expect(await plannedAgainstChain(more)).toEqual([])
    // Dropping it again revokes the target and its function; the read state follows.
    const back = await plannedAgainstChain(basePermissions)
    expect(back.map((call) => call.call).sort()).toEqual(['revokeFunction', 'revokeTarget'])
    await applyPlan(back)
    expect(await plannedAgainstChain(basePermissions)).toEqual([])
  })
})

describe('decodeRolesError', () => {
  const approve = (to: Address, value: bigint) => encodeFunctionData({ abi: tokenAbi, functionName: 'approve', args: [to, value] })

  test('names the Status of a ConditionViolation when the role refuses a parameter', async () => {
    const tooMuch = decodeRolesError(await revertData(member, execWithRole(approve(spender, 1001n))))
    expect(tooMuch).toMatchObject({ name: 'ConditionViolation', status: 'ParameterGreaterThanAllowed' })
    const otherSpender = decodeRolesError(await revertData(member, execWithRole(approve(outsider, 1n))))
    expect(otherSpender).toMatchObject({ name: 'ConditionViolation', status: 'ParameterNotAllowed' })
    const otherTarget = decodeRolesError(await revertData(member, execWithRole(approve(spender, 1n), pool)))
    expect(otherTarget).toMatchObject({ name: 'ConditionViolation', status: 'TargetAddressNotAllowed' })
  })

  test('decodes NotAuthorized for a module never enabled, NoMembership for a module of another role', async () => {
    const call = execWithRole(approve(spender, 1n))
    expect(decodeRolesError(await revertData(outsider, call))).toEqual({ name: 'NotAuthorized', args: [getAddress(outsider)] })
    await applyPlan([{ call: 'assignRoles', roleKey: encodeKey('keel-other'), member: outsider, join: true }])
    expect(decodeRolesError(await revertData(outsider, call))).toEqual({ name: 'NoMembership', args: [] })
  })

  test("decodes OpenZeppelin's owner check for a non-owner", async () => {
    const scope = encodeFunctionData({ abi: rolesAbi, functionName: 'scopeTarget', args: [roleKey, token] })
    expect(decodeRolesError(await revertData(outsider, scope))).toEqual({ name: 'OwnableUnauthorizedAccount', args: [outsider] })
  })
})
