import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Address, createWalletClient, encodeFunctionData, erc20Abi, type Hex, http, maxUint256, pad, parseAbi } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { encodeKey } from 'zodiac-roles-sdk'
import { PermissionDeniedError } from '../adapters/executor/errors.ts'
import { oftAbi } from '../adapters/layerzero-v2/abis.ts'
import { buildExtraOptions } from '../adapters/layerzero-v2/options.ts'
import { decodeRolesRevert, describeRolesRevert, revertDataOf, rolesExecAbi } from '../adapters/safe-roles/index.ts'
import { swapRouterAbi } from '../adapters/uniswap-v3/abis.ts'
import { allowanceNames } from '../agent/permissions/allowances.ts'
import { devnetKeys } from '../chains/devnet/devnetClients.ts'
import { readLayerZeroSection } from '../chains/devnet/layerzero/schemas.ts'
import { readRoleTargets } from '../chains/devnet/roles/readRole.ts'
import { devnetRoleName, execAsOwners } from '../chains/devnet/treasurySafe.ts'
import type { ChainKey } from '../chains/types.ts'
import { waitForStatus } from '../temporal/client.ts'
import { devnetAllowances, planRole } from '../temporal/permissions.ts'
import { createActivityDeps } from '../temporal/worker.ts'
import { runKeel } from './fixtures/cli.ts'
import { type Stack, startAndObserve, startStack, testMandate } from './fixtures/stack.ts'

/**
 * The leash, on-chain: keel's key can only make the calls its adapters declare, checked by the
 * Zodiac Roles module of each treasury Safe. Every refused attempt is mined and reverts, and moves
 * nothing out of the Safe.
 */

const ETH = 10n ** 18n
const chain: ChainKey = 'base'
const outsider: Address = '0x000000000000000000000000000000000000dEaD'
const npmAbi = parseAbi(['function transferFrom(address from, address to, uint256 tokenId)'])
const wethAbi = parseAbi(['function withdraw(uint256 wad)'])
const setAllowanceAbi = parseAbi([
  'function setAllowance(bytes32 key, uint128 balance, uint128 maxRefill, uint128 refill, uint64 period, uint64 timestamp)',
  'function assignRoles(address module, bytes32[] roleKeys, bool[] memberOf)',
])

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ name: 'permissions', devnet: { treasury: 'safe' } })
  await stack.startWorkers()
})
afterAll(async () => {
  await stack?.stop()
})

const safes = () => stack.manifest.safes!
const roles = () => safes().chains[chain].roles
const contracts = () => stack.manifest.chains[chain].contracts
const client = () => stack.chains[chain].publicClient
const keel = () => privateKeyToAccount(devnetKeys().treasury)

/** What the Safe holds that an attempt could move: ETH, WETH, USDC and the LP positions. */
async function holdings(): Promise<string[]> {
  const safe = stack.treasury
  const c = contracts()
  const npm = parseAbi(['function ownerOf(uint256) view returns (address)'])
  return Promise.all([
    client()
      .getBalance({ address: safe })
      .then((b) => `eth ${b}`),
    ...[c.weth, c.usdc].map((t) =>
      client()
        .readContract({ address: t, abi: erc20Abi, functionName: 'balanceOf', args: [safe] })
        .then((b) => `${t} ${b}`),
    ),
    ...stack.manifest.chains[chain].treasuryLpTokenIds.map((id) =>
      client()
        .readContract({ address: c.nonfungiblePositionManager, abi: npm, functionName: 'ownerOf', args: [BigInt(id)] })
        .then((o) => `lp ${id} ${o}`),
    ),
  ])
}

type Attempt = { what: string; to: Address; data: Hex; value?: bigint; by?: Hex }
type Outcome = { what: string; reverted: boolean; refusal: string; moved: boolean }

/** Sends `execTransactionWithRole` for the attempt from a key (keel's by default), mined with a fixed gas limit so a refusal reverts on chain. */
async function attempt(a: Attempt): Promise<Outcome> {
  const account = privateKeyToAccount(a.by ?? devnetKeys().treasury)
  const data = encodeFunctionData({
    abi: rolesExecAbi,
    functionName: 'execTransactionWithRole',
    args: [a.to, a.value ?? 0n, a.data, 0, safes().roleKey, true],
  })
  const before = await holdings()
  let refusal = 'none'
  try {
    await client().call({ account: account.address, to: roles(), data })
  } catch (err) {
    const r = decodeRolesRevert(revertDataOf(err))
    refusal = r ? (r.kind === 'condition' ? r.status : r.kind) : 'not a Roles error'
  }
  const wallet = createWalletClient({ account, chain: client().chain, transport: http(stack.manifest.chains[chain].rpcUrl) })
  const hash = await wallet.sendTransaction({ to: roles(), data, gas: 2_000_000n })
  const receipt = await client().waitForTransactionReceipt({ hash, pollingInterval: 100 })
  const after = await holdings()
  return { what: a.what, reverted: receipt.status === 'reverted', refusal, moved: JSON.stringify(after) !== JSON.stringify(before) }
}

const swap = (p: { recipient: Address; amountIn: bigint }) =>
  encodeFunctionData({
    abi: swapRouterAbi,
    functionName: 'exactInputSingle',
    args: [
      {
        tokenIn: contracts().weth,
        tokenOut: contracts().usdc,
        fee: stack.manifest.chains[chain].poolFee,
        recipient: p.recipient,
        deadline: maxUint256,
        amountIn: p.amountIn,
        amountOutMinimum: 0n,
        sqrtPriceLimitX96: 0n,
      },
    ],
  })

describe('the role on chain', () => {
  test("refuses every call outside keel's declarations in the Roles module, and nothing leaves the Safe", async () => {
    const lz = readLayerZeroSection(stack.manifest)!
    const swapWeth = encodeKey(allowanceNames.swapIn('weth'))
    // The owners bring today's WETH swap allowance down to 1 WETH, so a 2 WETH swap is over it.
    await execAsOwners({
      manifest: stack.manifest,
      chain,
      label: 'lower the swap allowance',
      calls: [
        {
          to: roles(),
          data: encodeFunctionData({ abi: setAllowanceAbi, functionName: 'setAllowance', args: [swapWeth, ETH, ETH, ETH, 86_400n, 0n] }),
        },
      ],
    })
    const lpId = BigInt(stack.manifest.chains[chain].treasuryLpTokenIds[0]!)
    const attempts: (Attempt & { expect: string })[] = [
      {
        what: 'WETH transfer to an outside address',
        to: contracts().weth,
        data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [outsider, ETH] }),
        expect: 'FunctionNotAllowed',
      },
      {
        what: 'swap whose recipient is not the Safe',
        to: contracts().swapRouter,
        data: swap({ recipient: outsider, amountIn: ETH / 10n }),
        expect: 'OrViolation',
      },
      {
        what: 'approve to an unknown spender',
        to: contracts().usdc,
        data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [outsider, maxUint256] }),
        expect: 'OrViolation',
      },
      {
        what: 'LayerZero send to another recipient',
        to: lz.chains[chain].oft,
        data: encodeFunctionData({
          abi: oftAbi,
          functionName: 'send',
          args: [
            {
              dstEid: lz.chains.arbitrum.eid,
              to: pad(outsider, { size: 32 }),
              amountLD: 1_000_000n,
              minAmountLD: 0n,
              extraOptions: buildExtraOptions(0n),
              composeMsg: '0x',
              oftCmd: '0x',
            },
            { nativeFee: 0n, lzTokenFee: 0n },
            stack.treasury,
          ],
        }),
        expect: 'ParameterNotAllowed',
      },
      {
        what: 'LP position moved out (target outside the list)',
        to: contracts().nonfungiblePositionManager,
        data: encodeFunctionData({ abi: npmAbi, functionName: 'transferFrom', args: [stack.treasury, outsider, lpId] }),
        expect: 'TargetAddressNotAllowed',
      },
      {
        what: 'WETH withdraw (selector outside the list)',
        to: contracts().weth,
        data: encodeFunctionData({ abi: wethAbi, functionName: 'withdraw', args: [ETH] }),
        expect: 'FunctionNotAllowed',
      },
      {
        what: "swap over the period's allowance",
        to: contracts().swapRouter,
        data: swap({ recipient: stack.treasury, amountIn: 2n * ETH }),
        expect: 'OrViolation',
      },
      {
        what: 'a key that is not a role member (a legal swap)',
        to: contracts().swapRouter,
        data: swap({ recipient: stack.treasury, amountIn: ETH / 10n }),
        by: devnetKeys().arbitrageur,
        expect: 'module-disabled',
      },
    ]
    const outcomes: (Outcome & { expected: string })[] = []
    // Each refused swap or approve fails every branch of its function's `or` (one per direction, one per spender): an OrViolation.
    // The same swap within the allowance passes the role (the router then fails it for want of an approval): the refusal is the allowance's.
    let within = ''
    try {
      for (const a of attempts) outcomes.push({ ...(await attempt(a)), expected: a.expect })
      within = (
        await attempt({ what: 'control', to: contracts().swapRouter, data: swap({ recipient: stack.treasury, amountIn: ETH / 2n }) })
      ).refusal
    } finally {
      await restoreAllowance(swapWeth)
    }
    console.table(
      outcomes.map((o) => ({ attempted: o.what, reverted: o.reverted, 'Roles refusal': o.refusal, 'value moved': o.moved ? 'YES' : '0' })),
    )
    for (const o of outcomes) {
      expect(o, o.what).toMatchObject({ reverted: true, moved: false })
      expect(o.refusal, o.what).toBe(o.expected)
    }
    expect(outcomes).toHaveLength(8)
    expect(within).toBe('inner-call-failed')
  })

  /** The allowance back to what the role compiles to. */
  async function restoreAllowance(key: Hex) {
    const compiled = devnetAllowances({ chain, initialEthPriceUsd: stack.manifest.params.initialEthPriceUsd, safe: stack.treasury }).find(
      (a) => a.key === key,
    )!
    await execAsOwners({
      manifest: stack.manifest,
      chain,
      label: 'restore the swap allowance',
      calls: [
        {
          to: roles(),
          data: encodeFunctionData({
            abi: setAllowanceAbi,
            functionName: 'setAllowance',
            args: [key, compiled.balance, compiled.maxRefill, compiled.refill, compiled.period, compiled.timestamp],
          }),
        },
      ],
    })
  }

  test('the executor refuses a call the role would reject before signing, naming the call and the condition', async () => {
    const deps = createActivityDeps({ environment: stack.environment, signChains: [chain] })
    const executor = deps.executors[chain]!
    const nonce = await client().getTransactionCount({ address: keel().address })
    const err = await executor
      .prepare({
        idempotencyKey: 'permissions-refused',
        calls: [
          {
            chainId: stack.manifest.chains[chain].chainId,
            to: contracts().swapRouter,
            data: swap({ recipient: outsider, amountIn: ETH / 10n }),
            value: 0n,
            description: 'swap paid to an outsider',
          },
        ],
      })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PermissionDeniedError)
    expect((err as PermissionDeniedError).kind).toBe('condition')
    expect((err as PermissionDeniedError).reason).toContain('recipient')
    expect((err as PermissionDeniedError).message).toContain('swap paid to an outsider')
    expect(await client().getTransactionCount({ address: keel().address })).toBe(nonce)
  })

  test('the role applied on chain is what keel compiles (no diff), and a newly declared call shows up in the diff', async () => {
    for (const c of ['ethereum', 'arbitrum', 'base'] as const) {
      const s = safes().chains[c]
      const current = await readRoleTargets({
        publicClient: stack.chains[c].publicClient,
        roles: s.roles,
        roleKey: safes().roleKey,
        fromBlock: BigInt(s.deployBlock),
      })
      const plan = (otokens?: Address[]) =>
        planRole({
          environment: stack.environment,
          chain: c,
          safes: Object.fromEntries(Object.entries(safes().chains).map(([k, v]) => [k, v.safe])),
          rolesMod: s.roles,
          roleName: devnetRoleName,
          allowances: devnetAllowances({ chain: c, initialEthPriceUsd: stack.manifest.params.initialEthPriceUsd, safe: s.safe }),
          ...(otokens ? { otokens } : {}),
          current: { targets: current.role.targets, allowances: current.allowances },
        })
      const same = plan()
      expect(same.diff.changes, c).toEqual([])
      expect(same.diff.calls, c).toEqual([])
      // A new option series: AirSwap's swap and the approvals of the new oToken appear.
      const otoken: Address = '0x00000000000000000000000000000000000A11CE'
      const extended = plan([otoken])
      expect(extended.diff.changes.some((ch) => ch.kind === 'target-added' && ch.target?.toLowerCase() === otoken.toLowerCase())).toBe(true)
      expect(extended.diff.calls.length).toBeGreaterThan(0)
    }
  })
})

describe('keel permissions', () => {
  test('diff finds nothing to change on the devnet; apply on a real chain writes the Safe transaction for the owners and signs nothing', async () => {
    const diff = await runKeel(['permissions', 'diff'], { KEEL_STATE_DIR: stack.stateDir, TEMPORAL_ADDRESS: '' })
    expect(diff.stderr).toBe('')
    expect(diff.code).toBe(0)
    expect(diff.stdout.match(/the role on chain matches them/g)).toHaveLength(3)
    const extended = await runKeel(['permissions', 'diff', '--chains', 'base', '--otoken', '0x00000000000000000000000000000000000A11CE'], {
      KEEL_STATE_DIR: stack.stateDir,
    })
    expect(extended.code).toBe(1)
    expect(extended.stdout).toMatch(/target-added +allow selected functions of oToken 0x00000000000000000000000000000000000A11CE/)

    // The same chain as a real one: keel has no owner keys there, so it writes the owners' Safe transaction.
    const dir = mkdtempSync(join(tmpdir(), 'keel-proposal-'))
    const mandateFile = join(dir, 'mandate.yaml')
    writeFileSync(
      mandateFile,
      JSON.stringify(testMandate({ portfolio: 'live-role', treasury: stack.treasury, targetEth: '0', bandEth: '1' })),
    )
    const s = safes().chains[chain]
    const nonceBefore = await client().readContract({
      address: s.safe,
      abi: parseAbi(['function nonce() view returns (uint256)']),
      functionName: 'nonce',
    })
    const live = await runKeel(
      [
        'permissions',
        'apply',
        '--chains',
        chain,
        '--mandate',
        mandateFile,
        '--eth-price-ceiling-usd',
        '6000',
        '--multisend-call-only',
        safes().infra.multiSendCallOnly,
        '--out',
        dir,
        '--from-block',
        s.deployBlock,
      ],
      { ...stack.liveEnv(), KEEL_SAFE_BASE: s.safe, KEEL_ROLES_BASE: s.roles, KEEL_ROLE_KEY: safes().roleKey },
    )
    expect(live.code, live.stderr).toBe(0)
    const proposal = JSON.parse(readFileSync(join(dir, `keel-role-${chain}-${nonceBefore}.json`), 'utf8'))
    expect(proposal).toMatchObject({
      chainId: stack.manifest.chains[chain].chainId,
      safe: s.safe,
      nonce: nonceBefore.toString(),
      operation: 1,
      to: safes().infra.multiSendCallOnly,
    })
    expect(proposal.transactions.length).toBeGreaterThan(0)
    expect(proposal.safeTxHash).toMatch(/^0x[0-9a-f]{64}$/)
    const nonceAfter = await client().readContract({
      address: s.safe,
      abi: parseAbi(['function nonce() view returns (uint256)']),
      functionName: 'nonce',
    })
    expect(nonceAfter).toBe(nonceBefore)
    rmSync(dir, { recursive: true, force: true })
  })
})

describe('revocation', () => {
  test("once the owners revoke keel's role, the portfolio holds with a clear fail-closed status and trades nothing", async () => {
    const mandate = testMandate({ portfolio: 'revoked', treasury: stack.treasury, targetEth: '0', bandEth: '100000' })
    const { controls } = await startAndObserve(stack, mandate)
    const first = await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted >= 1 })
    expect(first.lastError).toBeNull()
    const revoke = (memberOf: boolean) =>
      execAsOwners({
        manifest: stack.manifest,
        chain,
        label: memberOf ? 'restore keel' : 'revoke keel',
        calls: [
          {
            to: roles(),
            data: encodeFunctionData({
              abi: setAllowanceAbi,
              functionName: 'assignRoles',
              args: [keel().address, [safes().roleKey], [memberOf]],
            }),
          },
        ],
      })
    await revoke(false)
    try {
      await controls.wake()
      const held = await waitForStatus({
        status: controls.status,
        done: (s) => s.cyclesCompleted > first.cyclesCompleted,
        what: 'a cycle after the revocation',
      })
      expect(held.lastError).toMatch(/^Treasury\.RoleRevokedError: /)
      expect(held.lastError).toContain('no longer a member')
      expect(held.lastDecision).toContain('observation failed: holding')
      expect(held.hedges).toHaveLength(first.hedges.length)
      // The executor agrees: nothing is signed for a key without its role.
      const executor = createActivityDeps({ environment: stack.environment, signChains: [chain] }).executors[chain]!
      const err = await executor
        .prepare({
          idempotencyKey: 'permissions-revoked',
          calls: [
            {
              chainId: stack.manifest.chains[chain].chainId,
              to: contracts().weth,
              data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [contracts().swapRouter, 1n] }),
              value: 0n,
              description: 'approve the router',
            },
          ],
        })
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(PermissionDeniedError)
      expect((err as PermissionDeniedError).kind).toBe('not-a-member')
      expect(describeRolesRevert({ kind: 'not-a-member' }, safes().roleKey)).toContain('not a member')
    } finally {
      await revoke(true)
      await controls.stop('test over').catch(() => undefined)
    }
  })
})
