import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { FlashbotsBundleProvider } from '@flashbots/ethers-provider-bundle'
import { providers, Wallet } from 'ethers'
import { type Address, encodeFunctionData, getAddress, type Hex, hexToBigInt, keccak256 } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import { erc20Abi, uniswapV3PoolAbi } from '../abis.ts'
import { anvilRpc } from '../anvil.ts'
import { nodeGoneMs, searcherTipWei } from './constants.ts'
import type { PoolState } from './inRangeSwap.ts'
import { legCall, planSandwich, type SandwichPlan, type Victim } from './planSandwich.ts'
import { decodeSwap, type SignedPoolTx, signedRawOf, type TxPoolContent } from './poolTx.ts'
import type { SearcherProcessConfig } from './schemas.ts'

export type Log = (line: string) => void

/** What the searcher did about one victim, as GET /status reports it (amounts as decimal strings). */
export type SandwichRecord = {
  victimHash: Hex
  status: 'skipped' | 'sent' | 'included' | 'missed'
  reason: string | null
  targetBlock: string | null
  bundleHash: Hex | null
  frontHash: Hex | null
  backHash: Hex | null
  /** Hashes of the victim's earlier pending transactions the bundle carries ahead of the front-run. */
  predecessorHashes: Hex[]
  tokenIn: Address | null
  frontAmountIn: string | null
  /** Simulated gain of the searcher's balances in tokenIn, net of gas. */
  expectedProfit: string | null
  gasCostWei: string | null
  victimOutAlone: string | null
  victimOutSandwiched: string | null
  atMs: number
}

export type SearcherStatus = { pid: number; address: Address; records: SandwichRecord[] }

type Ctx = {
  config: SearcherProcessConfig
  account: PrivateKeyAccount
  flashbots: FlashbotsBundleProvider
  records: SandwichRecord[]
  seen: Set<string>
  log: Log
}

const rpc = <T>(ctx: Ctx, method: string, params: unknown[] = []) => anvilRpc<T>({ rpcUrl: ctx.config.rpcUrl, method, params })

const recordOf = (victimHash: Hex, predecessorHashes: Hex[] = []): SandwichRecord => ({
  victimHash,
  status: 'skipped',
  reason: null,
  targetBlock: null,
  bundleHash: null,
  frontHash: null,
  backHash: null,
  predecessorHashes,
  tokenIn: null,
  frontAmountIn: null,
  expectedProfit: null,
  gasCostWei: null,
  victimOutAlone: null,
  victimOutSandwiched: null,
  atMs: Date.now(),
})

const skipped = (victimHash: Hex, reason: string, predecessorHashes: Hex[] = []): SandwichRecord => ({
  ...recordOf(victimHash, predecessorHashes),
  reason,
})

/**
 * A sandwich searcher on one chain: polls the node's public pool, and for each Uniswap V3
 * `exactInputSingle` with room above its floor sends [front-run, victim, back-run] as a Flashbots
 * bundle for the next block, when the simulated gain net of gas is positive. Serves GET /health
 * and GET /status (what it did about each victim).
 */
export async function runSearcher(p: {
  config: SearcherProcessConfig
  account: PrivateKeyAccount
  log: Log
  /** Called once the node has not answered for `nodeGoneMs`: the devnet it watched is gone. */
  onNodeGone?: () => void
}): Promise<{
  url: string
  close: () => Promise<void>
}> {
  const provider = new providers.StaticJsonRpcProvider(p.config.rpcUrl, p.config.chainId)
  // The relay only needs a stable identity for reputation: a throwaway key that holds nothing.
  const flashbots = await FlashbotsBundleProvider.create(provider, Wallet.createRandom(), p.config.relayUrl, p.config.chainId)
  const ctx: Ctx = { config: p.config, account: p.account, flashbots, records: [], seen: new Set(), log: p.log }
  await warmUp(ctx)
  const server = createServer((req, res) => serve(ctx, req, res))
  await new Promise<void>((done, fail) => {
    server.once('error', fail)
    server.listen(p.config.port, '127.0.0.1', () => done())
  })
  let stopped = false
  let lastError = ''
  let answeredAtMs = Date.now()
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now()
      try {
        await tick(ctx)
        answeredAtMs = Date.now()
        lastError = ''
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err)
        // A node that is down fails every tick: say it once.
        if (message !== lastError) p.log(`tick failed: ${message}`)
        lastError = message
        if (Date.now() - answeredAtMs > nodeGoneMs && p.onNodeGone) {
          p.log(`the node has not answered for ${nodeGoneMs} ms: stopping`)
          stopped = true
          p.onNodeGone()
        }
      }
      const waitMs = p.config.pollMs - (performance.now() - started)
      if (waitMs > 0) await new Promise((done) => setTimeout(done, waitMs))
    }
  })()
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      stopped = true
      await loop
      server.closeAllConnections()
      await new Promise((done) => server.close(done))
    },
  }
}

/**
 * Runs every path of an attack once on a harmless bundle (a self-transfer signed, simulated, sent
 * and cancelled at the relay; a swap simulation): the first signature and the first simulation are several times
 * slower than the rest, and the first victim must not pay for them.
 */
async function warmUp(ctx: Ctx): Promise<void> {
  const nonce = hexToBigInt(await rpc<Hex>(ctx, 'eth_getTransactionCount', [ctx.account.address, 'latest']))
  const raw = await ctx.account.signTransaction({
    type: 'eip1559',
    chainId: ctx.config.chainId,
    nonce: Number(nonce),
    to: ctx.account.address,
    value: 0n,
    gas: 21_000n,
    maxFeePerGas: 1_000_000_000_000n,
    maxPriorityFeePerGas: searcherTipWei,
  })
  const latest = hexToBigInt(await rpc<Hex>(ctx, 'eth_blockNumber'))
  await ctx.flashbots.simulate([raw], Number(latest + 1n))
  // The relay's first eth_sendBundle is slow too: one for a far block, cancelled at once, never lands.
  const replacementUuid = randomUUID()
  await ctx.flashbots.sendRawBundle([raw], Number(latest + 1_000n), { replacementUuid })
  await ctx.flashbots.cancelBundles(replacementUuid)
  const pool = await readPool(ctx)
  const swap = {
    tokenIn: ctx.config.weth,
    tokenOut: ctx.config.usdc,
    fee: ctx.config.poolFee,
    recipient: ctx.account.address,
    deadline: 1n << 40n,
    amountIn: 1_000_000n,
    amountOutMinimum: 1n,
    sqrtPriceLimitX96: 0n,
  }
  const data = legCall({ swapRouter: ctx.config.swapRouter, searcher: ctx.account.address, swap, ...swap })
  const victim: Victim = { tx: { hash: '0x', raw, from: ctx.account.address, nonce: 0, to: ctx.config.swapRouter, data, value: 0n }, swap }
  await planSandwich({
    rpcUrl: ctx.config.rpcUrl,
    searcher: ctx.account.address,
    swapRouter: ctx.config.swapRouter,
    victim,
    predecessors: [],
    balanceIn: 1_000_000n,
    pool,
    gasPriceWei: 1n,
    weiToTokenIn: (wei) => wei,
  })
}

function serve(ctx: Ctx, req: IncomingMessage, res: ServerResponse): void {
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }
  if (req.method === 'GET' && req.url === '/health') send(200, { pid: process.pid })
  else if (req.method === 'GET' && req.url === '/status') {
    const status: SearcherStatus = { pid: process.pid, address: ctx.account.address, records: ctx.records }
    send(200, status)
  } else send(404, { error: 'GET /health or /status' })
}

/** One poll: settle bundles whose block has passed, then look at what is new in the pool. */
async function tick(ctx: Ctx): Promise<void> {
  const latest = hexToBigInt(await rpc<Hex>(ctx, 'eth_blockNumber'))
  await settleSent(ctx, latest)
  // One bundle in flight at a time: the next one would reuse its nonces.
  if (ctx.records.some((r) => r.status === 'sent')) return
  const pool = await rpc<TxPoolContent>(ctx, 'txpool_content')
  for (const [, byNonce] of Object.entries(pool.pending)) {
    for (const entry of Object.values(byNonce)) {
      if (ctx.seen.has(entry.hash)) continue
      ctx.seen.add(entry.hash)
      if (getAddress(entry.from) === ctx.account.address) continue
      const tx = signedRawOf(entry)
      if (!tx) continue
      const swap = decodeSwap({
        tx,
        swapRouter: ctx.config.swapRouter,
        poolFee: ctx.config.poolFee,
        pair: [ctx.config.weth, ctx.config.usdc],
      })
      if (!swap) continue
      const seenAt = performance.now()
      const record = await attack(ctx, { victim: { tx, swap }, pendingOfSender: Object.values(byNonce), latest })
      ctx.records.push(record)
      ctx.log(
        `victim ${tx.hash} seen at block ${latest}: ${record.status} after ${Math.round(performance.now() - seenAt)} ms${record.reason ? ` (${record.reason})` : ''}${record.expectedProfit ? `, expected profit ${record.expectedProfit} of ${record.tokenIn}` : ''}`,
      )
      if (record.status === 'sent') return
    }
  }
}

/** A sent bundle whose target block is mined is included when its front-run has a receipt, else missed (the victim may be tried again). */
async function settleSent(ctx: Ctx, latest: bigint): Promise<void> {
  for (const r of ctx.records) {
    if (r.status !== 'sent' || r.targetBlock === null || BigInt(r.targetBlock) > latest || !r.frontHash) continue
    const receipt = await rpc<{ blockNumber: Hex } | null>(ctx, 'eth_getTransactionReceipt', [r.frontHash])
    r.status = receipt ? 'included' : 'missed'
    if (!receipt) ctx.seen.delete(r.victimHash)
    ctx.log(`bundle ${r.bundleHash} for victim ${r.victimHash}: ${r.status} (block ${r.targetBlock})`)
  }
}

async function attack(
  ctx: Ctx,
  p: { victim: Victim; pendingOfSender: Parameters<typeof signedRawOf>[0][]; latest: bigint },
): Promise<SandwichRecord> {
  const { victim } = p
  const predecessors: SignedPoolTx[] = []
  for (const entry of p.pendingOfSender) {
    if (hexToBigInt(entry.nonce) >= BigInt(victim.tx.nonce)) continue
    const tx = signedRawOf(entry)
    if (!tx) return skipped(victim.tx.hash, `an earlier pending transaction of the victim (${entry.hash}) cannot be rebuilt`)
    predecessors.push(tx)
  }
  predecessors.sort((a, b) => a.nonce - b.nonce)
  const predecessorHashes = predecessors.map((t) => t.hash)
  const { config, account } = ctx
  const tReads = performance.now()
  const [balanceIn, block, pool, nonce] = await Promise.all([
    readBalance(ctx, victim.swap.tokenIn),
    rpc<{ baseFeePerGas: Hex }>(ctx, 'eth_getBlockByNumber', ['latest', false]),
    readPool(ctx),
    rpc<Hex>(ctx, 'eth_getTransactionCount', [account.address, 'latest']),
  ])
  const baseFee = hexToBigInt(block.baseFeePerGas)
  // The next block's base fee is at most 12.5 % higher: cost the gas at that, pay up to twice it.
  const gasPriceWei = (baseFee * 9n) / 8n + searcherTipWei
  const weiToTokenIn = (wei: bigint) => weiIn(ctx, { wei, tokenIn: victim.swap.tokenIn, sqrtPriceX96: pool.sqrtPriceX96 })
  const t0 = performance.now()
  const plan = await planSandwich({
    rpcUrl: config.rpcUrl,
    searcher: account.address,
    swapRouter: config.swapRouter,
    victim,
    predecessors,
    balanceIn,
    pool,
    gasPriceWei,
    weiToTokenIn,
  })
  if (plan.status === 'skipped') return skipped(victim.tx.hash, plan.reason, predecessorHashes)
  const tSigned = performance.now()
  const [frontRaw, backRaw] = await signLegs(ctx, {
    plan,
    victim,
    nonce: hexToBigInt(nonce),
    maxFeePerGas: 2n * baseFee + searcherTipWei,
    minProfitIn: weiToTokenIn(plan.gasCostWei),
  })
  const targetBlock = p.latest + 1n
  const raws = [...predecessors.map((t) => t.raw), frontRaw, victim.tx.raw, backRaw]
  const record: SandwichRecord = {
    ...recordOf(victim.tx.hash, predecessorHashes),
    tokenIn: plan.tokenIn,
    frontAmountIn: plan.frontAmountIn.toString(),
    expectedProfit: plan.profit.toString(),
    gasCostWei: plan.gasCostWei.toString(),
    victimOutAlone: plan.victimOutAlone.toString(),
    victimOutSandwiched: plan.victimOutSandwiched.toString(),
    frontHash: keccak256(frontRaw),
    backHash: keccak256(backRaw),
    targetBlock: targetBlock.toString(),
  }
  const t1 = performance.now()
  const sim = await ctx.flashbots.simulate(raws, Number(targetBlock))
  const t2 = performance.now()
  if ('error' in sim) return { ...record, status: 'skipped', reason: `relay simulation refused: ${sim.error.message}` }
  const failed = sim.results.find((r) => 'error' in r && r.error)
  if (failed) return { ...record, status: 'skipped', reason: `relay simulation: ${failed.txHash} fails` }
  const sent = await ctx.flashbots.sendRawBundle(raws, Number(targetBlock))
  const ms = (a: number, b: number) => `${Math.round(b - a)} ms`
  ctx.log(
    `victim ${victim.tx.hash}: reads ${ms(tReads, t0)}, plan ${ms(t0, tSigned)}, sign ${ms(tSigned, t1)}, relay simulation ${ms(t1, t2)}, send ${ms(t2, performance.now())}`,
  )
  if ('error' in sent) return { ...record, status: 'skipped', reason: `relay refused the bundle: ${sent.error.message}` }
  return { ...record, status: 'sent', bundleHash: sent.bundleHash as Hex }
}

/** Front-run at the planned size (its exact simulated output as floor) and back-run that must return the stake plus gas. */
async function signLegs(
  ctx: Ctx,
  p: { plan: SandwichPlan; victim: Victim; nonce: bigint; maxFeePerGas: bigint; minProfitIn: bigint },
): Promise<[Hex, Hex]> {
  const { plan, victim } = p
  const common = { swapRouter: ctx.config.swapRouter, searcher: ctx.account.address, swap: victim.swap }
  const sign = (nonce: bigint, gasUsed: bigint, data: Hex) =>
    ctx.account.signTransaction({
      type: 'eip1559',
      chainId: ctx.config.chainId,
      nonce: Number(nonce),
      to: ctx.config.swapRouter,
      data,
      value: 0n,
      gas: (gasUsed * 3n) / 2n + 30_000n,
      maxFeePerGas: p.maxFeePerGas,
      maxPriorityFeePerGas: searcherTipWei,
    })
  return Promise.all([
    sign(
      p.nonce,
      plan.frontGas,
      legCall({
        ...common,
        tokenIn: plan.tokenIn,
        tokenOut: plan.tokenOut,
        amountIn: plan.frontAmountIn,
        amountOutMinimum: plan.frontAmountOut,
      }),
    ),
    sign(
      p.nonce + 1n,
      plan.backGas,
      // Reverts (and the relay drops the whole bundle) unless the stake and the gas come back: never a loss.
      legCall({
        ...common,
        tokenIn: plan.tokenOut,
        tokenOut: plan.tokenIn,
        amountIn: plan.frontAmountOut,
        amountOutMinimum: plan.frontAmountIn + p.minProfitIn + 1n,
      }),
    ),
  ])
}

async function readBalance(ctx: Ctx, token: Address): Promise<bigint> {
  const data = encodeFunctionData({ abi: erc20Abi, functionName: 'balanceOf', args: [ctx.account.address] })
  return hexToBigInt(await rpc<Hex>(ctx, 'eth_call', [{ to: token, data }, 'latest']))
}

async function readPool(ctx: Ctx): Promise<PoolState> {
  const call = (functionName: 'slot0' | 'liquidity') =>
    rpc<Hex>(ctx, 'eth_call', [{ to: ctx.config.pool, data: encodeFunctionData({ abi: uniswapV3PoolAbi, functionName }) }, 'latest'])
  const [slot0, liquidity] = await Promise.all([call('slot0'), call('liquidity')])
  return { sqrtPriceX96: hexToBigInt(`0x${slot0.slice(2, 66)}`), liquidity: hexToBigInt(liquidity) }
}

/** Wei in the victim's input token: 1:1 for WETH, at the pool price (rounded up) for USDC. */
function weiIn(ctx: Ctx, p: { wei: bigint; tokenIn: Address; sqrtPriceX96: bigint }): bigint {
  if (p.tokenIn.toLowerCase() === ctx.config.weth.toLowerCase()) return p.wei
  const q192 = 1n << 192n
  const p2 = p.sqrtPriceX96 * p.sqrtPriceX96
  const wethIsToken0 = ctx.config.weth.toLowerCase() < ctx.config.usdc.toLowerCase()
  // token1 per token0 in base units is p2 / 2^192.
  return wethIsToken0 ? (p.wei * p2 + q192 - 1n) / q192 : (p.wei * q192 + p2 - 1n) / p2
}
