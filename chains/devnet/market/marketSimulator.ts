import { type Address, encodeFunctionData, maxUint256 } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { DevnetError } from '../../errors.ts'
import { type ChainKey, chainKeys, type DevnetManifest } from '../../types.ts'
import { priceFeedAbi, quoterV2Abi, swapRouterAbi, uniswapV3PoolAbi } from '../abis.ts'
import { chainProfiles } from '../constants.ts'
import { toPriceE8 } from '../devnet.ts'
import { createDevnetClients, type DevnetClients } from '../devnetClients.ts'
import { createTxSender, type SentTx, type TxSender, waitForReceipts } from '../txSender.ts'
import { sqrtPriceX96FromPriceE8 } from '../uniswapMath.ts'
import { createPricePath, defaultPricePathParams, type PricePathParams } from './pricePath.ts'

export type ChainTickResult = {
  /** Pool price after the tick; equals the target exactly. */
  sqrtPriceX96: bigint
  /** Direction of the arbitrage swap, or null when the pool already sat on the target. */
  zeroForOne: boolean | null
  /** Amount the arbitrageur paid into the pool, in tokenIn base units. */
  amountIn: bigint
  blockNumber: bigint
}

export type TickResult = {
  step: number
  /** Chain time of the block every chain mined for this tick. */
  timestampSec: bigint
  /** ETH/USD in feed units (8 decimals), as posted to every feed. */
  priceE8: bigint
  chains: Record<ChainKey, ChainTickResult>
}

export type MarketSimulator = {
  /** Advances chain time by one step on all chains, moves every pool and feed to the next path price. */
  tick(): Promise<TickResult>
  /** Moves the price by `pct` percent at once (advancing chain time by `advanceSec`, default 1). */
  shock(params: { pct: number; advanceSec?: number }): Promise<TickResult>
  /** The price the simulator last set, in feed units. */
  priceE8(): bigint
}

type ChainState = {
  key: ChainKey
  clients: DevnetClients
  arbitrageur: TxSender
  feedOwner: TxSender
  contracts: DevnetManifest['chains'][ChainKey]['contracts']
  poolFee: number
  wethIsToken0: boolean
  /** Where the chain's blocks are built (Ethereum: the devnet relay); null where the node mines them itself. */
  builderUrl: string | null
}

// Large enough to reach any price limit; the quoter stops at the limit and reports what that costs.
const unboundedAmount = 2n ** 128n

/** A market driven by a seeded jump-diffusion path; market time is chain time, never the wall clock. */
export async function createMarketSimulator(params: {
  manifest: DevnetManifest
  path?: Partial<PricePathParams>
}): Promise<MarketSimulator> {
  const { manifest } = params
  const pathParams: PricePathParams = { ...defaultPricePathParams, seed: manifest.params.seed, ...params.path }
  const path = createPricePath(pathParams)
  const chains = await Promise.all(chainKeys.map((key) => chainState(manifest, key)))
  let priceUsd = manifest.params.initialEthPriceUsd
  let step = 0
  // One move at a time: ticks share senders and each one holds mining on every chain.
  let running: Promise<unknown> = Promise.resolve()

  const moveTo = async (nextPriceUsd: number, advanceSec: number): Promise<TickResult> => {
    const priceE8 = toPriceE8(nextPriceUsd)
    const latest = await Promise.all(chains.map((c) => c.clients.publicClient.getBlock({ blockTag: 'latest' })))
    let newest = 0n
    for (const block of latest) if (block.timestamp > newest) newest = block.timestamp
    // Every chain mines at the same time, strictly after its own latest block.
    const timestampSec = newest + BigInt(advanceSec)
    const results = await Promise.all(
      chains.map((c) => moveChain({ chain: c, priceE8, timestampSec, blockTimeSec: manifest.params.blockTimeSec })),
    )
    priceUsd = nextPriceUsd
    step += 1
    return { step, timestampSec, priceE8, chains: Object.fromEntries(results.map((r, i) => [chainKeys[i], r])) as TickResult['chains'] }
  }
  const serialised = (fn: () => Promise<TickResult>): Promise<TickResult> => {
    const next = running.then(fn)
    running = next.catch(() => undefined)
    return next
  }

  return {
    tick: () => serialised(() => moveTo(priceUsd * Math.exp(path.nextLogReturn()), pathParams.stepSec)),
    shock: ({ pct, advanceSec }) => {
      if (!(pct > -100)) throw new DevnetError(`shock of ${pct} % would take the price to zero or below`)
      return serialised(() => moveTo(priceUsd * (1 + pct / 100), advanceSec ?? 1))
    },
    priceE8: () => toPriceE8(priceUsd),
  }
}

async function chainState(manifest: DevnetManifest, key: ChainKey): Promise<ChainState> {
  const entry = manifest.chains[key]
  const clients = createDevnetClients({ key, rpcUrl: entry.rpcUrl })
  const profile = chainProfiles[key]
  const fees = { maxFeePerGasWei: profile.baseFeeWei * 3n + profile.priorityFeeWei, priorityFeeWei: profile.priorityFeeWei }
  const [arbitrageur, feedOwner] = await Promise.all([
    createTxSender({ client: clients.publicClient, account: privateKeyToAccount(manifest.devKeys.arbitrageur), ...fees }),
    createTxSender({ client: clients.publicClient, account: privateKeyToAccount(manifest.devKeys.deployer), ...fees }),
  ])
  const contracts = entry.contracts
  return {
    key,
    clients,
    arbitrageur,
    feedOwner,
    contracts,
    poolFee: entry.poolFee,
    wethIsToken0: BigInt(contracts.weth) < BigInt(contracts.usdc),
    builderUrl: key === 'ethereum' && manifest.relay ? manifest.relay.url : null,
  }
}

async function moveChain(params: {
  chain: ChainState
  priceE8: bigint
  timestampSec: bigint
  blockTimeSec: number | null
}): Promise<ChainTickResult> {
  const { chain, priceE8 } = params
  const { publicClient, testClient } = chain.clients
  const target = sqrtPriceX96FromPriceE8({ priceE8, wethIsToken0: chain.wethIsToken0 })
  // Hold mining so the swap and the feed update land together in one block at the tick's time.
  if (chain.builderUrl) await holdBuilder(chain.builderUrl, 10_000)
  else await testClient.setIntervalMining({ interval: 0 })
  let swap: { zeroForOne: boolean; amountIn: bigint; tx: SentTx } | null = null
  try {
    await Promise.all([chain.arbitrageur.syncNonce(), chain.feedOwner.syncNonce()])
    const txs: SentTx[] = []
    const [current] = await publicClient.readContract({
      address: chain.contracts.wethUsdcPool,
      abi: uniswapV3PoolAbi,
      functionName: 'slot0',
    })
    if (current !== target) {
      swap = await arbitrageTo({ chain, current, target })
      txs.push(swap.tx)
    }
    txs.push(
      await chain.feedOwner.send({
        to: chain.contracts.ethUsdFeed,
        data: encodeFunctionData({ abi: priceFeedAbi, functionName: 'updateAnswer', args: [priceE8] }),
        label: `${chain.key}: post ETH/USD ${priceE8}`,
      }),
    )
    await testClient.setNextBlockBaseFeePerGas({ baseFeePerGas: chainProfiles[chain.key].baseFeeWei })
    await testClient.setNextBlockTimestamp({ timestamp: params.timestampSec })
    await testClient.mine({ blocks: 1 })
    const receipts = await waitForReceipts({ client: publicClient, txs })
    const blockNumber = receipts[receipts.length - 1]?.blockNumber ?? 0n
    const [after] = await publicClient.readContract({ address: chain.contracts.wethUsdcPool, abi: uniswapV3PoolAbi, functionName: 'slot0' })
    if (after !== target) throw new DevnetError(`${chain.key}: pool landed at sqrtPriceX96 ${after}, target ${target}`)
    return { sqrtPriceX96: after, zeroForOne: swap?.zeroForOne ?? null, amountIn: swap?.amountIn ?? 0n, blockNumber }
  } finally {
    if (chain.builderUrl) await holdBuilder(chain.builderUrl, 0)
    else if (params.blockTimeSec === null) await testClient.setAutomine(true)
    else await testClient.setIntervalMining({ interval: params.blockTimeSec })
  }
}

/** Holds the relay that builds the chain's blocks for `ms` (0: lets it go); it returns once no block is being built. */
async function holdBuilder(url: string, ms: number): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'devnet_pauseMining', params: [{ ms }] }),
  })
  if (!res.ok) throw new DevnetError(`the devnet relay refused devnet_pauseMining (HTTP ${res.status})`)
}

// Sizes the swap with QuoterV2 (exact output up to the price limit reports the input that reaching
// the limit costs), then swaps exactly that in with the same limit so the pool stops on the target.
async function arbitrageTo(params: {
  chain: ChainState
  current: bigint
  target: bigint
}): Promise<{ zeroForOne: boolean; amountIn: bigint; tx: SentTx }> {
  const { chain, target } = params
  const { weth, usdc } = chain.contracts
  const [token0, token1]: [Address, Address] = chain.wethIsToken0 ? [weth, usdc] : [usdc, weth]
  // Selling token0 lowers token1/token0, i.e. the sqrt price.
  const zeroForOne = target < params.current
  const [tokenIn, tokenOut] = zeroForOne ? [token0, token1] : [token1, token0]
  const { result } = await chain.clients.publicClient.simulateContract({
    account: chain.arbitrageur.address,
    address: chain.contracts.quoterV2,
    abi: quoterV2Abi,
    functionName: 'quoteExactOutputSingle',
    args: [{ tokenIn, tokenOut, amount: unboundedAmount, fee: chain.poolFee, sqrtPriceLimitX96: target }],
  })
  const [quotedIn, sqrtAfter] = result
  if (sqrtAfter !== target) throw new DevnetError(`${chain.key}: quoter cannot reach sqrtPriceX96 ${target} (stops at ${sqrtAfter})`)
  // Exact-input fee rounding can fall a wei short of the limit; the limit stops any overshoot and
  // the router pulls only what the pool used, so a hair of headroom costs nothing.
  const amountIn = quotedIn + quotedIn / 100_000n + 1n
  const tx = await chain.arbitrageur.send({
    to: chain.contracts.swapRouter,
    data: encodeFunctionData({
      abi: swapRouterAbi,
      functionName: 'exactInputSingle',
      args: [
        {
          tokenIn,
          tokenOut,
          fee: chain.poolFee,
          recipient: chain.arbitrageur.address,
          deadline: maxUint256,
          amountIn,
          // The price limit bounds what the arbitrageur gives up; no output floor is needed.
          amountOutMinimum: 0n,
          sqrtPriceLimitX96: target,
        },
      ],
    }),
    label: `${chain.key}: arbitrage pool to sqrtPriceX96 ${target}`,
  })
  return { zeroForOne, amountIn: quotedIn, tx }
}
