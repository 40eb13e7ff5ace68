import { inspect } from 'node:util'
import { type Address, encodeFunctionData, parseEther, parseEventLogs } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { ChainKey } from '../../chains/types.ts'
import type { Call, SubmittedTx, SwapQuote } from '../types.ts'
import { erc20Abi } from '../uniswap-v3/abis.ts'
import { minAmountOut } from '../uniswap-v3/buildCalls.ts'
import { type DevnetFixture, startDevnetFixture } from '../uniswap-v3/devnetFixture.ts'
import {
  IdempotencyConflictError,
  InvalidTransactionError,
  NonceConsumedError,
  SimulationRevertedError,
  TxRevertedError,
} from './errors.ts'
import { createExecutor, type Executor } from './executor.ts'

let fx: DevnetFixture

beforeAll(async () => {
  fx = await startDevnetFixture()
})

afterAll(async () => {
  await fx?.stop()
})

// Every event any executor logs in this file, to prove keys never reach them.
const logged: unknown[] = []

function executorFor(chain: ChainKey, role: 'treasury' | 'arbitrageur'): Executor {
  return createExecutor({
    chain,
    chainId: fx.manifest.chains[chain].chainId,
    publicClient: fx.clients[chain],
    account: privateKeyToAccount(fx.manifest.devKeys[role]),
    log: (event) => logged.push(event),
  })
}

/** A receipt's mined facts, without how it was sent (route, attempts, the block before the send). */
const mined = ({ route: _r, attempts: _a, sentAtBlock: _s, ...facts }: SubmittedTx) => facts

const treasuryOf = (chain: ChainKey) => fx.manifest.chains[chain].accounts.treasury
const contractsOf = (chain: ChainKey) => fx.manifest.chains[chain].contracts
const balanceOf = (chain: ChainKey, token: Address, owner: Address) =>
  fx.clients[chain].readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [owner] })
const nonceOf = (chain: ChainKey, address: Address, blockTag: 'latest' | 'pending' = 'latest') =>
  fx.clients[chain].getTransactionCount({ address, blockTag })

async function quoteWethToUsdc(chain: ChainKey, amountIn: bigint): Promise<SwapQuote> {
  const { weth, usdc } = contractsOf(chain)
  const q = await fx.adapter.quote({ chain, tokenIn: weth, tokenOut: usdc, amountIn })
  if (q.status !== 'ok') throw new Error(`no quote: ${q.reason}`)
  return q
}

async function usdcReceived(chain: ChainKey, hash: `0x${string}`, to: Address): Promise<bigint> {
  const receipt = await fx.clients[chain].getTransactionReceipt({ hash })
  return parseEventLogs({ abi: erc20Abi, logs: receipt.logs, eventName: 'Transfer' })
    .filter((l) => l.address.toLowerCase() === contractsOf(chain).usdc.toLowerCase() && l.args.to === to)
    .reduce((sum, l) => sum + l.args.value, 0n)
}

function approveCall(chain: ChainKey, token: Address, amount: bigint): Call {
  return {
    chainId: fx.manifest.chains[chain].chainId,
    to: token,
    data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [contractsOf(chain).swapRouter, amount] }),
    value: 0n,
    description: `approve ${amount} to the router`,
  }
}

/** The arbitrageur sells `amount` WETH into the pool: the price moves against a WETH seller. */
async function pushPriceDown(chain: ChainKey, amount: bigint, key: string) {
  const arb = executorFor(chain, 'arbitrageur')
  const q = await quoteWethToUsdc(chain, amount)
  const calls = await fx.adapter.buildCalls({
    quote: q,
    recipient: arb.address,
    slippageBps: 10_000 - 1,
    deadlineSec: q.blockTimestampSec + 600n,
  })
  for (const tx of await arb.prepare({ calls, idempotencyKey: key })) await arb.submit(tx)
}

describe('executor.prepare + submit', () => {
  test('moves balances exactly when a swap is prepared and submitted', async () => {
    const chain = 'base'
    const treasury = treasuryOf(chain)
    const { weth, usdc } = contractsOf(chain)
    const executor = executorFor(chain, 'treasury')
    const [weth0, usdc0, eth0] = await Promise.all([
      balanceOf(chain, weth, treasury),
      balanceOf(chain, usdc, treasury),
      fx.clients[chain].getBalance({ address: treasury }),
    ])

    const q = await quoteWethToUsdc(chain, parseEther('0.75'))
    const calls = await fx.adapter.buildCalls({ quote: q, recipient: treasury, slippageBps: 25, deadlineSec: q.blockTimestampSec + 300n })
    const prepared = await executor.prepare({ calls, idempotencyKey: 'e2e-swap-balances' })
    expect(prepared).toHaveLength(1)
    // The margin on simulated gas covers what the node itself estimates for the call.
    const estimated = await fx.clients[chain].estimateGas({ account: treasury, to: calls[0]!.to, data: calls[0]!.data })
    expect(BigInt(prepared[0]!.gasLimit)).toBeGreaterThanOrEqual(estimated)
    // Plain JSON: it survives a round trip through workflow history unchanged.
    expect(JSON.parse(JSON.stringify(prepared))).toEqual(prepared)
    const result = await executor.submit(prepared[0]!)

    expect(result.status).toBe('success')
    const received = await usdcReceived(chain, result.hash, treasury)
    expect(received).toBeGreaterThanOrEqual(minAmountOut({ amountOut: q.amountOut, slippageBps: 25 }))
    expect(await balanceOf(chain, weth, treasury)).toBe(weth0 - q.amountIn)
    expect(await balanceOf(chain, usdc, treasury)).toBe(usdc0 + received)
    const gasCost = BigInt(result.gasUsed) * BigInt(result.effectiveGasPrice)
    expect(await fx.clients[chain].getBalance({ address: treasury })).toBe(eth0 - gasCost)
    expect(BigInt(result.gasUsed)).toBeLessThanOrEqual(BigInt(prepared[0]!.gasLimit))
  })

  test('sends once when submit is called twice with the same prepared tx', async () => {
    const chain = 'ethereum'
    const treasury = treasuryOf(chain)
    const { weth, usdc } = contractsOf(chain)
    const executor = executorFor(chain, 'treasury')
    const q = await quoteWethToUsdc(chain, parseEther('0.5'))
    const calls = await fx.adapter.buildCalls({ quote: q, recipient: treasury, slippageBps: 25, deadlineSec: q.blockTimestampSec + 300n })
    const [tx] = await executor.prepare({ calls, idempotencyKey: 'e2e-submit-twice' })
    const [weth0, usdc0, nonce0] = await Promise.all([
      balanceOf(chain, weth, treasury),
      balanceOf(chain, usdc, treasury),
      nonceOf(chain, treasury),
    ])

    const first = await executor.submit(tx!)
    // A retried activity runs in a new process: a fresh executor, same record.
    const second = await executorFor(chain, 'treasury').submit(tx!)
    const third = await executor.submit(tx!)

    // The mined facts are the same; only the first call broadcast, so only it knows the block it sent at.
    expect(mined(second)).toEqual(mined(first))
    expect(mined(third)).toEqual(mined(first))
    expect(first.sentAtBlock).toBeDefined()
    expect(second.sentAtBlock).toBeUndefined()
    const received = await usdcReceived(chain, first.hash, treasury)
    expect(await balanceOf(chain, weth, treasury)).toBe(weth0 - q.amountIn)
    expect(await balanceOf(chain, usdc, treasury)).toBe(usdc0 + received)
    expect(await nonceOf(chain, treasury)).toBe(nonce0 + 1)
  })

  test('sends once when two submits of the same prepared tx race', async () => {
    const chain = 'ethereum'
    const treasury = treasuryOf(chain)
    const { weth } = contractsOf(chain)
    const executor = executorFor(chain, 'treasury')
    const q = await quoteWethToUsdc(chain, parseEther('0.25'))
    const calls = await fx.adapter.buildCalls({ quote: q, recipient: treasury, slippageBps: 25, deadlineSec: q.blockTimestampSec + 300n })
    const [tx] = await executor.prepare({ calls, idempotencyKey: 'e2e-submit-race' })
    const [weth0, nonce0] = await Promise.all([balanceOf(chain, weth, treasury), nonceOf(chain, treasury)])
    const [a, b] = await Promise.all([executor.submit(tx!), executorFor(chain, 'treasury').submit(tx!)])
    expect(a).toEqual(b)
    expect(await balanceOf(chain, weth, treasury)).toBe(weth0 - q.amountIn)
    expect(await nonceOf(chain, treasury)).toBe(nonce0 + 1)
  })

  test('runs an approve + swap pair from zero allowance', async () => {
    const chain = 'arbitrum'
    const treasury = treasuryOf(chain)
    const { weth, usdc, swapRouter } = contractsOf(chain)
    const executor = executorFor(chain, 'treasury')
    const [reset] = await executor.prepare({ calls: [approveCall(chain, weth, 0n)], idempotencyKey: 'e2e-reset-allowance' })
    await executor.submit(reset!)
    const allowance = () =>
      fx.clients[chain].readContract({ address: weth, abi: erc20Abi, functionName: 'allowance', args: [treasury, swapRouter] })
    expect(await allowance()).toBe(0n)

    const q = await quoteWethToUsdc(chain, parseEther('1.1'))
    const calls = await fx.adapter.buildCalls({ quote: q, recipient: treasury, slippageBps: 25, deadlineSec: q.blockTimestampSec + 300n })
    expect(calls.map((c) => c.to)).toEqual([weth, swapRouter])
    const [weth0, usdc0, nonce0] = await Promise.all([
      balanceOf(chain, weth, treasury),
      balanceOf(chain, usdc, treasury),
      nonceOf(chain, treasury),
    ])
    // The swap simulates successfully only because the approve before it is simulated first.
    const prepared = await executor.prepare({ calls, idempotencyKey: 'e2e-approve-swap' })
    expect(prepared.map((p) => p.nonce)).toEqual([nonce0, nonce0 + 1])
    const results = []
    for (const tx of prepared) results.push(await executor.submit(tx))
    expect(results.map((r) => r.status)).toEqual(['success', 'success'])

    const received = await usdcReceived(chain, results[1]!.hash, treasury)
    expect(received).toBeGreaterThanOrEqual(minAmountOut({ amountOut: q.amountOut, slippageBps: 25 }))
    expect(await balanceOf(chain, weth, treasury)).toBe(weth0 - q.amountIn)
    expect(await balanceOf(chain, usdc, treasury)).toBe(usdc0 + received)
    expect(await allowance()).toBe(0n) // approved exactly amountIn, all of it spent
  })

  test('fails simulation with a typed error and sends nothing when the swap would violate slippage', async () => {
    const chain = 'base'
    const treasury = treasuryOf(chain)
    const executor = executorFor(chain, 'treasury')
    const q = await quoteWethToUsdc(chain, parseEther('2'))
    await pushPriceDown(chain, parseEther('300'), 'e2e-push-price-1')
    const calls = await fx.adapter.buildCalls({ quote: q, recipient: treasury, slippageBps: 10, deadlineSec: q.blockTimestampSec + 600n })
    const [latest0, pending0] = await Promise.all([nonceOf(chain, treasury), nonceOf(chain, treasury, 'pending')])

    const err = await executor.prepare({ calls, idempotencyKey: 'e2e-slippage' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SimulationRevertedError)
    expect((err as SimulationRevertedError).name).toBe('Executor.SimulationRevertedError')
    expect((err as SimulationRevertedError).reason).toBe('Too little received')
    expect((err as SimulationRevertedError).retryable).toBe(false)
    expect(inspect(err, { depth: 20 })).not.toContain(fx.manifest.devKeys.treasury.slice(2))
    expect(await nonceOf(chain, treasury)).toBe(latest0)
    expect(await nonceOf(chain, treasury, 'pending')).toBe(pending0)
    // No nonce was burnt in the executor either: the next batch takes the same nonce.
    const [next] = await executor.prepare({
      calls: [approveCall(chain, contractsOf(chain).usdc, 1n)],
      idempotencyKey: 'e2e-after-slippage',
    })
    expect(next!.nonce).toBe(pending0)
    await executor.submit(next!)
  })

  test('throws TxRevertedError carrying the receipt when the market moves between prepare and submit', async () => {
    const chain = 'base'
    const treasury = treasuryOf(chain)
    const { weth } = contractsOf(chain)
    const executor = executorFor(chain, 'treasury')
    const q = await quoteWethToUsdc(chain, parseEther('2'))
    const calls = await fx.adapter.buildCalls({ quote: q, recipient: treasury, slippageBps: 10, deadlineSec: q.blockTimestampSec + 600n })
    const [tx] = await executor.prepare({ calls, idempotencyKey: 'e2e-revert' })
    await pushPriceDown(chain, parseEther('300'), 'e2e-push-price-2')
    const weth0 = await balanceOf(chain, weth, treasury)

    const err = await executor.submit(tx!).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TxRevertedError)
    const receipt = (err as TxRevertedError).receipt
    expect(receipt).toMatchObject({ hash: tx!.hash, status: 'reverted', idempotencyKey: 'e2e-revert' })
    expect((err as TxRevertedError).retryable).toBe(false)
    expect(await balanceOf(chain, weth, treasury)).toBe(weth0)
    // Submitting the record again reports the same mined outcome without sending anything.
    const again = await executor.submit(tx!).catch((e: unknown) => e)
    expect(mined((again as TxRevertedError).receipt)).toEqual(mined(receipt))
  })

  test('throws NonceConsumedError when another transaction took the nonce', async () => {
    const chain = 'ethereum'
    const { usdc } = contractsOf(chain)
    const [ours] = await executorFor(chain, 'treasury').prepare({
      calls: [approveCall(chain, usdc, 5n)],
      idempotencyKey: 'e2e-consumed-ours',
    })
    // Another process with the same key (it never saw our unsent transaction) uses the same nonce.
    const other = executorFor(chain, 'treasury')
    const [theirs] = await other.prepare({ calls: [approveCall(chain, usdc, 7n)], idempotencyKey: 'e2e-consumed-theirs' })
    expect(theirs!.nonce).toBe(ours!.nonce)
    await other.submit(theirs!)

    const err = await executorFor(chain, 'treasury')
      .submit(ours!)
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NonceConsumedError)
    expect((err as NonceConsumedError).retryable).toBe(false)
    expect(await fx.clients[chain].getTransaction({ hash: ours!.hash }).catch(() => null)).toBeNull()
  })

  test('returns the same signed batch when prepare is retried with the same key', async () => {
    const chain = 'arbitrum'
    const executor = executorFor(chain, 'treasury')
    const calls = [approveCall(chain, contractsOf(chain).usdc, 11n)]
    // Two racing attempts and a later retry all get the one signed batch.
    const [a, b] = await Promise.all([
      executor.prepare({ calls, idempotencyKey: 'e2e-prepare-retry' }),
      executor.prepare({ calls, idempotencyKey: 'e2e-prepare-retry' }),
    ])
    expect(b).toEqual(a)
    expect(await executor.prepare({ calls, idempotencyKey: 'e2e-prepare-retry' })).toEqual(a)
    await expect(
      executor.prepare({ calls: [approveCall(chain, contractsOf(chain).usdc, 12n)], idempotencyKey: 'e2e-prepare-retry' }),
    ).rejects.toBeInstanceOf(IdempotencyConflictError)
    const nonce0 = await nonceOf(chain, executor.address)
    await executor.submit(a[0]!)
    expect(await nonceOf(chain, executor.address)).toBe(nonce0 + 1)
  })

  test('refuses a prepared tx of another chain or with altered bytes', async () => {
    const [tx] = await executorFor('arbitrum', 'treasury').prepare({
      calls: [approveCall('arbitrum', contractsOf('arbitrum').usdc, 13n)],
      idempotencyKey: 'e2e-foreign',
    })
    await expect(executorFor('base', 'treasury').submit(tx!)).rejects.toBeInstanceOf(InvalidTransactionError)
    const tampered = { ...tx!, nonce: tx!.nonce + 1 }
    await expect(executorFor('arbitrum', 'treasury').submit(tampered)).rejects.toBeInstanceOf(InvalidTransactionError)
  })
})

describe('executor logs', () => {
  test('never contain a private key after every operation above', () => {
    expect(logged.length).toBeGreaterThan(0)
    const text = JSON.stringify(logged, (_, v) => (typeof v === 'bigint' ? v.toString() : v)).toLowerCase()
    for (const key of Object.values(fx.manifest.devKeys)) expect(text).not.toContain(key.slice(2).toLowerCase())
  })
})
