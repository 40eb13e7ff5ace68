import { type Address, encodeFunctionData, type Hex, isAddressEqual, keccak256, parseEther, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ChainKey } from '../../types.ts'
import { killProcessGroup, spawnAnvil } from '../anvil.ts'
import { chainProfiles } from '../constants.ts'
import { createDevnetClients, type DevnetClients, devnetAccounts, devnetKeys } from '../devnetClients.ts'
import { findFreePort } from '../localProcess.ts'
import { createTxSender, type TxSender } from '../txSender.ts'
import { safeAbi } from './artifacts.ts'
import { createTreasurySafe, deploySafeInfra, encodeSafeSetup, predictSafeAddress, type SafeInfra, safeInfraAddresses } from './deploy.ts'
import { SafeExecutionFailedError, SafeTransactionRevertedError } from './errors.ts'
import {
  enableModuleTx,
  execSafeTransaction,
  isModuleEnabled,
  readSafeNonce,
  safeOperation,
  safeTxHash,
  toSafeTx,
  toSafeTxBody,
  writeSafeTransactionProposal,
} from './safeTx.ts'

// Two nodes with different chain ids: the second only proves the addresses do not depend on the chain.
type Node = { key: ChainKey; pid: number; clients: DevnetClients; deployer: TxSender; payer: TxSender; infra: SafeInfra; safe: Address }

const keys = devnetKeys()
const accounts = devnetAccounts()
const owners = [accounts.safeOwnerA.address, accounts.safeOwnerB.address, accounts.safeOwnerC.address]
const saltNonce = 20_250_101n
// Safe 1.5.0 FallbackManager: keccak256("fallback_manager.handler.address").
const fallbackHandlerSlot = keccak256(toHex('fallback_manager.handler.address'))
const nodes: Partial<Record<'main' | 'other', Node>> = {}
const pids: number[] = []

async function startNode(key: ChainKey): Promise<Node> {
  const profile = chainProfiles[key]
  const anvil = await spawnAnvil({
    chainId: profile.chainId,
    port: await findFreePort(),
    blockTimeSec: null,
    baseFeeWei: profile.baseFeeWei,
  })
  pids.push(anvil.pid)
  const clients = createDevnetClients({ key, rpcUrl: anvil.rpcUrl })
  const fees = { maxFeePerGasWei: profile.baseFeeWei * 3n + profile.priorityFeeWei, priorityFeeWei: profile.priorityFeeWei }
  const deployer = await createTxSender({ client: clients.publicClient, account: accounts.safeDeployer, ...fees })
  // The treasury pays for the Safe's creation and its transactions; the owners only sign.
  const payer = await createTxSender({ client: clients.publicClient, account: accounts.treasury, ...fees })
  const infra = await deploySafeInfra({ key, publicClient: clients.publicClient, sender: deployer })
  const { safe } = await createTreasurySafe({
    key,
    publicClient: clients.publicClient,
    sender: payer,
    infra,
    owners,
    threshold: 2n,
    saltNonce,
  })
  return { key, pid: anvil.pid, clients, deployer, payer, infra, safe }
}

function main(): Node {
  if (!nodes.main) throw new Error('main node not started')
  return nodes.main
}

const balance = (address: Address) => main().clients.publicClient.getBalance({ address })
const exec = (tx: Parameters<typeof execSafeTransaction>[0]['tx'], ownerKeys: readonly Hex[]) =>
  execSafeTransaction({ publicClient: main().clients.publicClient, sender: main().payer, safe: main().safe, tx, ownerKeys })
const twoOwners = [keys.safeOwnerA, keys.safeOwnerC]

beforeAll(async () => {
  try {
    const [a, b] = await Promise.all([startNode('ethereum'), startNode('base')])
    nodes.main = a
    nodes.other = b
    const { clients, payer, safe } = a
    const funding = await payer.send({ to: safe, data: '0x', value: parseEther('10'), label: 'fund Safe' })
    await clients.publicClient.waitForTransactionReceipt({ hash: funding.hash, pollingInterval: 50 })
  } catch (err) {
    await Promise.all(pids.map((pid) => killProcessGroup(pid)))
    throw err
  }
})

afterAll(async () => {
  await Promise.all(pids.map((pid) => killProcessGroup(pid)))
})

describe('deploySafeInfra', () => {
  test('puts the contracts at the Safe deployer nonce 0-4 addresses and changes nothing when run again', async () => {
    const { key, clients, deployer, infra } = main()
    expect(infra).toEqual(safeInfraAddresses(accounts.safeDeployer.address))
    expect(await deploySafeInfra({ key, publicClient: clients.publicClient, sender: deployer })).toEqual(infra)
    expect(await clients.publicClient.getTransactionCount({ address: accounts.safeDeployer.address })).toBe(5)
    expect(await clients.publicClient.readContract({ address: infra.safeSingleton, abi: safeAbi, functionName: 'VERSION' })).toBe('1.5.0')
  })

  test('gives the same singleton, factory and Safe addresses on a chain with another id', async () => {
    const a = main()
    const b = nodes.other
    expect(await b?.clients.publicClient.getChainId()).toBe(chainProfiles.base.chainId)
    expect(await a.clients.publicClient.getChainId()).toBe(chainProfiles.ethereum.chainId)
    expect(b?.infra).toEqual(a.infra)
    expect(b?.safe).toBe(a.safe)
  })
})

describe('createTreasurySafe', () => {
  test('creates the 2-of-3 Safe at the predicted CREATE2 address with the fallback handler set', async () => {
    const { clients, infra, safe, key, payer } = main()
    const initializer = encodeSafeSetup({ owners, threshold: 2n, fallbackHandler: infra.fallbackHandler })
    expect(predictSafeAddress({ proxyFactory: infra.proxyFactory, singleton: infra.safeSingleton, initializer, saltNonce })).toBe(safe)
    const read = (functionName: 'getOwners' | 'getThreshold') =>
      clients.publicClient.readContract({ address: safe, abi: safeAbi, functionName })
    expect(await read('getOwners')).toEqual(owners)
    expect(await read('getThreshold')).toBe(2n)
    const handler = await clients.publicClient.getStorageAt({ address: safe, slot: fallbackHandlerSlot })
    expect(isAddressEqual(`0x${handler?.slice(-40)}`, infra.fallbackHandler)).toBe(true)
    const again = await createTreasurySafe({
      key,
      publicClient: clients.publicClient,
      sender: payer,
      infra,
      owners,
      threshold: 2n,
      saltNonce,
    })
    expect(again).toEqual({ safe, created: false })
  })
})

describe('safeTxHash', () => {
  test('equals the Safe contract getTransactionHash, and differs between chains', async () => {
    const tx = toSafeTx(
      {
        to: accounts.arbitrageur.address,
        value: 123n,
        data: '0xdeadbeef',
        operation: safeOperation.delegateCall,
        safeTxGas: 50_000n,
        baseGas: 21_000n,
        gasPrice: 7n,
        gasToken: main().infra.multiSend,
        refundReceiver: accounts.deployer.address,
      },
      42n,
    )
    const args = [
      tx.to,
      tx.value,
      tx.data,
      tx.operation,
      tx.safeTxGas,
      tx.baseGas,
      tx.gasPrice,
      tx.gasToken,
      tx.refundReceiver,
      tx.nonce,
    ] as const
    const hashes = await Promise.all(
      [main(), nodes.other].map(async (node) => {
        const onChain = await node?.clients.publicClient.readContract({
          address: main().safe,
          abi: safeAbi,
          functionName: 'getTransactionHash',
          args,
        })
        expect(safeTxHash({ chainId: chainProfiles[node?.key ?? 'ethereum'].chainId, safe: main().safe, tx })).toBe(onChain)
        return onChain
      }),
    )
    expect(hashes[0]).not.toBe(hashes[1])
  })
})

describe('execSafeTransaction', () => {
  test('moves ETH out of the Safe with two owner signatures, to the wei', async () => {
    const recipient = accounts.liquidityProvider.address
    const amount = parseEther('1.234567890123456789')
    const [safeBefore, recipientBefore, nonceBefore] = await Promise.all([
      balance(main().safe),
      balance(recipient),
      readSafeNonce({ publicClient: main().clients.publicClient, safe: main().safe }),
    ])
    const result = await exec({ to: recipient, value: amount, data: '0x', operation: safeOperation.call }, twoOwners)
    expect(result.nonce).toBe(nonceBefore)
    expect(await balance(main().safe)).toBe(safeBefore - amount)
    expect(await balance(recipient)).toBe(recipientBefore + amount)
    expect(await readSafeNonce({ publicClient: main().clients.publicClient, safe: main().safe })).toBe(nonceBefore + 1n)
  })

  test('refuses one signature with GS020 and a non-owner signature with GS026, moving nothing', async () => {
    const tx = { to: accounts.liquidityProvider.address, value: 1n, data: '0x', operation: safeOperation.call } as const
    const safeBefore = await balance(main().safe)
    const nonceBefore = await readSafeNonce({ publicClient: main().clients.publicClient, safe: main().safe })
    const tooFew = await exec(tx, [keys.safeOwnerB]).catch((e: unknown) => e)
    expect(tooFew).toBeInstanceOf(SafeTransactionRevertedError)
    expect((tooFew as SafeTransactionRevertedError).code).toBe('GS020')
    expect((tooFew as SafeTransactionRevertedError).shortMessage).toContain('signatures data too short')
    const stranger = await exec(tx, [keys.safeOwnerA, keys.deployer]).catch((e: unknown) => e)
    expect(stranger).toBeInstanceOf(SafeTransactionRevertedError)
    expect((stranger as SafeTransactionRevertedError).code).toBe('GS026')
    expect(await balance(main().safe)).toBe(safeBefore)
    expect(await readSafeNonce({ publicClient: main().clients.publicClient, safe: main().safe })).toBe(nonceBefore)
  })

  test('runs a two-call MultiSendCallOnly batch as one Safe transaction', async () => {
    const [r1, r2] = [accounts.lzDelivery.address, accounts.acrossRelayer.address]
    const [a1, a2] = [parseEther('0.5'), 777n]
    const body = toSafeTxBody({
      calls: [
        { to: r1, value: a1, description: 'pay the LayerZero stand-in' },
        { to: r2, value: a2, description: 'pay the Across stand-in' },
      ],
      multiSendCallOnly: main().infra.multiSendCallOnly,
    })
    expect(body).toMatchObject({ to: main().infra.multiSendCallOnly, value: 0n, operation: safeOperation.delegateCall })
    const [safeBefore, r1Before, r2Before] = await Promise.all([balance(main().safe), balance(r1), balance(r2)])
    await exec(body, twoOwners)
    expect(await balance(main().safe)).toBe(safeBefore - a1 - a2)
    expect(await balance(r1)).toBe(r1Before + a1)
    expect(await balance(r2)).toBe(r2Before + a2)
  })

  test('reports a Safe transaction whose inner call fails with gas set as ExecutionFailure', async () => {
    // safeTxGas > 0 lets the Safe record the failure (and use the nonce) instead of reverting.
    const reverting = { to: main().safe, value: 0n, operation: safeOperation.call, safeTxGas: 100_000n } as const
    const data = encodeFunctionData({ abi: safeAbi, functionName: 'enableModule', args: ['0x0000000000000000000000000000000000000001'] })
    const nonceBefore = await readSafeNonce({ publicClient: main().clients.publicClient, safe: main().safe })
    const failed = await exec({ ...reverting, data }, twoOwners).catch((e: unknown) => e)
    expect(failed).toBeInstanceOf(SafeExecutionFailedError)
    expect(await readSafeNonce({ publicClient: main().clients.publicClient, safe: main().safe })).toBe(nonceBefore + 1n)
  })

  test('enables a module through the Safe itself', async () => {
    const module = accounts.rfqMakerA.address
    const { clients, safe } = main()
    expect(await isModuleEnabled({ publicClient: clients.publicClient, safe, module })).toBe(false)
    await exec(enableModuleTx({ safe, module }), twoOwners)
    expect(await isModuleEnabled({ publicClient: clients.publicClient, safe, module })).toBe(true)
  })
})

describe('writeSafeTransactionProposal', () => {
  test('writes a batch whose safeTxHash the Safe computes too and which executes as proposed', async () => {
    const { clients, safe, infra } = main()
    const calls = [
      { to: accounts.arbitrageur.address, value: 5n, description: 'dust to the arbitrageur' },
      { to: accounts.liquidityProvider.address, value: 6n, description: 'dust to the LP' },
    ]
    const proposal = await writeSafeTransactionProposal({
      publicClient: clients.publicClient,
      chainId: chainProfiles.ethereum.chainId,
      safe,
      calls,
      multiSendCallOnly: infra.multiSendCallOnly,
      name: 'dust',
    })
    const nonce = await readSafeNonce({ publicClient: clients.publicClient, safe })
    expect(proposal).toMatchObject({ chainId: 1, safe, nonce: nonce.toString(), to: infra.multiSendCallOnly, value: '0', operation: 1 })
    expect(proposal.transactions.map((t) => [t.value, t.description])).toEqual([
      ['5', 'dust to the arbitrageur'],
      ['6', 'dust to the LP'],
    ])
    const { to, data, operation } = proposal
    const onChain = await clients.publicClient.readContract({
      address: safe,
      abi: safeAbi,
      functionName: 'getTransactionHash',
      args: [to, 0n, data, operation, 0n, 0n, 0n, proposal.gasToken, proposal.refundReceiver, nonce],
    })
    expect(proposal.safeTxHash).toBe(onChain)
    expect(JSON.parse(JSON.stringify(proposal))).toEqual(proposal)
    const executed = await exec({ to, value: BigInt(proposal.value), data, operation }, twoOwners)
    expect(executed.safeTxHash).toBe(proposal.safeTxHash)
  })
})
