import { Context, heartbeat } from '@temporalio/activity'
import { type Address, erc20Abi, getAddress, parseEventLogs } from 'viem'
import { BundleNotIncludedError } from '../../adapters/executor/errors.ts'
import type { Executor } from '../../adapters/executor/executor.ts'
import { mapError } from '../../adapters/executor/mapError.ts'
import type { GammaDeployment } from '../../adapters/opyn-gamma/gamma.ts'
import { probeRole, ROLE_SWAP_GAS_OVERHEAD, RoleRevokedError, type RoleTreasury } from '../../adapters/safe-roles/index.ts'
import type { BridgeAdapter, BundleRelay, PreparedTx, SubmittedTx, Submitter, SwapQuote } from '../../adapters/types.ts'
import { exactInputSingleCall, minAmountOut } from '../../adapters/uniswap-v3/buildCalls.ts'
import type { UniswapV3Adapter, UniswapV3ChainContracts } from '../../adapters/uniswap-v3/index.ts'
import { InvalidInputError } from '../../agent/errors.ts'
import type { SubmitRoute } from '../../agent/execution/routes.ts'
import { type Mandate, parseMandate } from '../../agent/mandate/schema.ts'
import type { ChainObservation, PortfolioSnapshot } from '../../agent/portfolio/types.ts'
import { RpcUnreachableError } from '../../chains/errors.ts'
import { l1DataFeeWei } from '../../chains/l1DataFee.ts'
import { createRedactor } from '../../chains/redactRpcUrl.ts'
import type { ChainClients } from '../../chains/transport.ts'
import type { ChainKey } from '../../chains/types.ts'
import type { ExtendRole } from '../devnetOwners.ts'
import { observeOptions, optionChainActivities, optionReadActivities, type RfqVenue } from './optionActivities.ts'
import { type Redact, withFailureMapping } from './toApplicationFailure.ts'
import { transferChainActivities, transferReadActivities } from './transferActivities.ts'
import type { ChainActivities, QuoteJson, ReadActivities } from './types.ts'

export type ActivityDeps = {
  chains: Partial<Record<ChainKey, { chainId: number; clients: ChainClients; contracts: UniswapV3ChainContracts }>>
  uniswap: UniswapV3Adapter
  /** Bridges this worker can quote, read and (where it signs) send over. */
  bridges: BridgeAdapter[]
  /** Only the chains this worker signs for. */
  executors: Partial<Record<ChainKey, Executor>>
  /** Safe treasuries and the Roles modules keel acts through, per chain (absent: the signer is the treasury). */
  treasuries?: Partial<Record<ChainKey, RoleTreasury>>
  /** On the devnet, its owners' stand-in: extends keel's role to a new option series before keel trades it. */
  extendRole?: ExtendRole
  /** Opyn Gamma per chain, where the worker knows it (the option book is read there). */
  gamma?: Partial<Record<ChainKey, GammaDeployment>>
  /** AirSwap SwapERC20 and the RFQ makers per chain, where the worker knows them (premium sales and buy-backs). */
  rfq?: Partial<Record<ChainKey, RfqVenue>>
  /** The routes this worker can send on, per chain it signs for: public always, private-rpc and bundles where configured. */
  routes?: Partial<Record<ChainKey, { public: Submitter; privateRpc?: Submitter; relay?: BundleRelay }>>
}

/** Where this worker signs for a Safe treasury, that its key still holds the role there. */
async function assertRoleHeld(deps: ActivityDeps, chain: ChainKey): Promise<void> {
  const treasury = deps.treasuries?.[chain]
  const executor = deps.executors[chain]
  const c = deps.chains[chain]
  if (!treasury || !executor || !c) return
  const member = executor.address
  const held = await guardRpc(deps, chain, () => probeRole({ client: c.clients.publicClient, treasury, member }))
  if (held !== 'member') throw new RoleRevokedError({ chain, treasury, member, kind: held })
}

/** Read-only activities: observation and quotes. They run on the portfolio task queue. */
export function createReadActivities(deps: ActivityDeps): ReadActivities {
  return withFailureMapping(
    {
      async observePortfolio({ mandate: input }) {
        const mandate = parseMandate(input)
        const keys = Object.keys(mandate.chains) as ChainKey[]
        // Fail closed: with its role gone on any chain, keel observes nothing and so trades nothing.
        await Promise.all(keys.map((chain) => assertRoleHeld(deps, chain)))
        const chains = await Promise.all(keys.map((chain) => observeChain(deps, mandate, chain)))
        return { portfolio: mandate.portfolio, chains } satisfies PortfolioSnapshot
      },
      ...transferReadActivities(deps),
      ...optionReadActivities(deps),
      async quoteHedge({ mandate: input, direction, requests }) {
        const mandate = parseMandate(input)
        return Promise.all(
          requests.map(async ({ chain, amountIn }): Promise<QuoteJson> => {
            const { contracts } = chainDeps(deps, mandate, chain)
            const [tokenIn, tokenOut] = direction === 'sell-eth' ? [contracts.weth, contracts.usdc] : [contracts.usdc, contracts.weth]
            const q = await guardRpc(deps, chain, () => deps.uniswap.quote({ chain, tokenIn, tokenOut, amountIn: BigInt(amountIn) }))
            if (q.status !== 'ok') return { status: 'unavailable', chain, reason: q.reason }
            // The swap as it will be built (same recipient, deadline and minimum out), so the same bytes for the L1 fee.
            const l1Fee = await guardRpc(deps, chain, () =>
              swapL1DataFeeWei(deps, mandate, chain, {
                tokenIn,
                tokenOut,
                amountIn: q.amountIn,
                amountOutMinimum: minAmountOut({ amountOut: q.amountOut, slippageBps: mandate.hedge.maxSlippageBps }),
                deadlineSec: q.blockTimestampSec + BigInt(mandate.hedge.deadlineSec),
                blockNumber: q.blockNumber,
              }),
            )
            return {
              status: 'ok',
              chain,
              tokenIn,
              tokenOut,
              amountIn: q.amountIn.toString(),
              amountOut: q.amountOut.toString(),
              // Through a Safe's role the swap pays for the module's checks too.
              gasEstimate: (q.gasEstimate + (deps.treasuries?.[chain] ? ROLE_SWAP_GAS_OVERHEAD : 0n)).toString(),
              l1DataFeeWei: l1Fee.toString(),
              sqrtPriceX96After: q.sqrtPriceX96After.toString(),
              blockNumber: q.blockNumber.toString(),
              blockTimestampSec: q.blockTimestampSec.toString(),
            }
          }),
        )
      },
    },
    redactorOf(deps),
  )
}

/** Signing activities of one chain; registered only on workers that hold that chain's key. */
export function createChainActivities(deps: ActivityDeps, chain: ChainKey): ChainActivities {
  const executor = deps.executors[chain]
  if (!executor) throw new InvalidInputError({ what: 'worker setup', issues: [{ path: chain, message: 'no signer key for this chain' }] })
  return withFailureMapping(
    {
      ...transferChainActivities(deps, chain, executor),
      ...optionChainActivities(deps, chain, executor),
      async checkChain({ chain: c }) {
        if (c !== chain) throw wrongChain(chain, c)
        const { clients, contracts } = deps.chains[chain]!
        return guardRpc(deps, chain, async () => {
          const client = clients.publicClient
          const [chainId, block] = await Promise.all([client.getChainId(), client.getBlockNumber()])
          const addresses = Object.entries(contracts).filter((e): e is [string, Address] => typeof e[1] === 'string')
          const codes = await Promise.all(addresses.map(async ([name, address]) => [name, await client.getCode({ address })] as const))
          const contractsMissing = codes.filter(([, code]) => !code || code === '0x').map(([name]) => name)
          return { chainId, signer: executor.address, treasury: executor.treasury, blockNumber: block.toString(), contractsMissing }
        })
      },
      async prepareSwap(input) {
        if (input.chain !== chain) throw wrongChain(chain, input.chain)
        if (getAddress(input.treasury) !== executor.treasury) {
          throw new InvalidInputError({
            what: 'prepareSwap',
            issues: [
              { path: 'treasury', message: `keel acts for ${executor.treasury} on ${chain}, not the mandate's treasury ${input.treasury}` },
            ],
          })
        }
        const q = input.quote
        const quote: SwapQuote = {
          status: 'ok',
          venue: deps.uniswap.manifest.id,
          chain,
          tokenIn: q.tokenIn,
          tokenOut: q.tokenOut,
          amountIn: BigInt(q.amountIn),
          amountOut: BigInt(q.amountOut),
          gasEstimate: BigInt(q.gasEstimate),
          sqrtPriceX96After: BigInt(q.sqrtPriceX96After),
          blockNumber: BigInt(q.blockNumber),
          blockTimestampSec: BigInt(q.blockTimestampSec),
        }
        const calls = await deps.uniswap.buildCalls({
          quote,
          recipient: input.treasury,
          owner: input.treasury,
          slippageBps: input.slippageBps,
          deadlineSec: BigInt(input.deadlineSec),
        })
        return executor.prepare({ calls, idempotencyKey: input.idempotencyKey })
      },
      async submitTx({ prepared, route }) {
        if (prepared.chainId !== executor.chainId) throw wrongChain(chain, String(prepared.chainId))
        const via = route ? submitterFor(deps, chain, route) : undefined
        const reprice = route ? repriceOf(route) : undefined
        // Heartbeats while the receipt is awaited let Temporal notice a dead worker within seconds;
        // the cancellation signal (worker shutdown, cancelled activity) ends the wait at once.
        const beat = setInterval(() => heartbeat({ hash: prepared.hash }), 2_000)
        try {
          heartbeat({ hash: prepared.hash })
          return await executor.submit(prepared, {
            signal: Context.current().cancellationSignal,
            ...(via ? { via } : {}),
            ...(reprice ? { reprice } : {}),
          })
        } finally {
          clearInterval(beat)
        }
      },
      async submitBundle({ prepared, route }) {
        const relay = deps.routes?.[chain]?.relay
        if (route.kind !== 'flashbots' || !relay) {
          throw new InvalidInputError({
            what: 'submitBundle',
            issues: [{ path: 'route', message: `no bundle relay is configured for ${chain} (KEEL_FLASHBOTS_RELAY_URL on live chains)` }],
          })
        }
        for (const tx of prepared) if (tx.chainId !== executor.chainId) throw wrongChain(chain, String(tx.chainId))
        // The first attempt's block, kept in the heartbeat: a retried run keeps the same deadline.
        const resumed = Context.current().info.heartbeatDetails as { startBlock?: string } | undefined
        let progress: Record<string, string> = resumed?.startBlock ? { startBlock: resumed.startBlock } : {}
        const beat = setInterval(() => heartbeat(progress), 2_000)
        const signal = Context.current().cancellationSignal
        try {
          const out = await executor.submitBundle(prepared, {
            relay,
            policy: {
              deadlineBlocks: route.deadlineBlocks,
              feeStepBps: route.feeStepBps,
              maxPriorityFeePerGas: BigInt(route.maxPriorityFeePerGas),
            },
            signal,
            ...(resumed?.startBlock ? { startBlock: BigInt(resumed.startBlock) } : {}),
            onProgress: (p) => {
              progress = { startBlock: p.startBlock.toString(), targetBlock: p.targetBlock.toString(), bundleHash: p.bundleHash }
              heartbeat(progress)
            },
          })
          if (out.status === 'included') return out.outcomes
          if (route.fallback === 'stop') throw new BundleNotIncludedError(out)
          // The mandate allows the public mempool after the deadline: the last version, in order, re-priced if it sticks.
          const via = deps.routes?.[chain]?.public
          const outcomes: SubmittedTx[] = []
          for (const tx of out.last) {
            const sent = await executor.submit(tx, { signal, ...(via ? { via } : {}), reprice: repriceOf(route) })
            outcomes.push({ ...sent, route: `flashbots>${sent.route ?? 'public'}`, attempts: out.attempts + (sent.attempts ?? 1) })
          }
          return outcomes
        } finally {
          clearInterval(beat)
        }
      },
      async readNonceState({ chain: c, hashes }) {
        if (c !== chain) throw wrongChain(chain, c)
        const [nonces, receipts] = await Promise.all([
          executor.readNonces(),
          Promise.all(hashes.map(async (h) => [h, await executor.receipt(h)] as const)),
        ])
        return { latestNonce: nonces.latest, pendingNonce: nonces.pending, receipts: Object.fromEntries(receipts) }
      },
      async prepareCancels({ chain: c, idempotencyKey, cancels }) {
        if (c !== chain) throw wrongChain(chain, c)
        const out: PreparedTx[] = []
        for (const order of cancels) {
          const r = order.replacing
          out.push(
            await executor.prepareCancel({
              nonce: order.nonce,
              idempotencyKey: `${idempotencyKey}-n${order.nonce}`,
              ...(r ? { replacing: { maxFeePerGas: BigInt(r.maxFeePerGas), maxPriorityFeePerGas: BigInt(r.maxPriorityFeePerGas) } } : {}),
            }),
          )
        }
        return out
      },
      async resyncNonces({ chain: c }) {
        if (c !== chain) throw wrongChain(chain, c)
        await executor.resyncNonces()
      },
      async readSwapOutcome({ chain: c, hash, tokenOut, recipient }) {
        if (c !== chain) throw wrongChain(chain, c)
        const { clients } = deps.chains[chain]!
        const receipt = await clients.publicClient.getTransactionReceipt({ hash })
        const logs = parseEventLogs({ abi: erc20Abi, eventName: 'Transfer', logs: receipt.logs })
        const amountOut = logs
          .filter((l) => sameAddress(l.address, tokenOut) && sameAddress(l.args.to, recipient))
          .reduce((sum, l) => sum + l.args.value, 0n)
        return { amountOut: amountOut.toString() }
      },
    },
    redactorOf(deps),
  )
}

/** The submitter of a public or private route on `chain`; a private route this worker has no endpoint for is refused, never sent publicly. */
function submitterFor(deps: ActivityDeps, chain: ChainKey, route: SubmitRoute): Submitter | undefined {
  const routes = deps.routes?.[chain]
  if (route.kind === 'private-rpc') {
    if (!routes?.privateRpc) {
      throw new InvalidInputError({
        what: 'submitTx',
        issues: [{ path: 'route', message: `no private endpoint is configured for ${chain} (KEEL_PRIVATE_RPC_${chain.toUpperCase()})` }],
      })
    }
    return routes.privateRpc
  }
  return routes?.public
}

const repriceOf = (route: SubmitRoute) => ({ afterBlocks: route.reprice.afterBlocks, maxFeePerGas: BigInt(route.reprice.maxFeePerGas) })

async function observeChain(deps: ActivityDeps, mandate: Mandate, chain: ChainKey): Promise<ChainObservation> {
  const { chainId, clients, contracts } = chainDeps(deps, mandate, chain)
  const treasury = getAddress(mandate.chains[chain]!.treasury)
  return guardRpc(deps, chain, async () => {
    const client = clients.publicClient
    // Every read at one block: balances, positions and the pool price must describe one state.
    const block = await client.getBlock({ blockTag: 'latest' })
    const [priorityFee, pool, positions, l1DataFee] = await Promise.all([
      client.estimateMaxPriorityFeePerGas(),
      deps.uniswap.readPoolState({ chain, blockNumber: block.number }),
      deps.uniswap.readPositions({ chain, owner: treasury, blockNumber: block.number }),
      // A typical hedge: 1 WETH for about 1,000 USDC or more, to the treasury.
      swapL1DataFeeWei(deps, mandate, chain, {
        tokenIn: contracts.weth,
        tokenOut: contracts.usdc,
        amountIn: 10n ** 18n,
        amountOutMinimum: 10n ** 9n,
        deadlineSec: block.timestamp + BigInt(mandate.hedge.deadlineSec),
        blockNumber: block.number,
      }),
    ])
    let weth = 0n
    let usdc = 0n
    const lpPositions: ChainObservation['lpPositions'] = []
    for (const p of positions) {
      if (p.kind === 'spot' && sameAddress(p.token, contracts.weth)) weth = p.amount
      else if (p.kind === 'spot' && sameAddress(p.token, contracts.usdc)) usdc = p.amount
      else if (p.kind === 'uniswap-v3-lp' && sameAddress(p.pool, contracts.wethUsdcPool)) {
        lpPositions.push({
          tokenId: p.tokenId.toString(),
          tickLower: p.tickLower,
          tickUpper: p.tickUpper,
          liquidity: p.liquidity.toString(),
          tokensOwed0: p.tokensOwed0.toString(),
          tokensOwed1: p.tokensOwed1.toString(),
        })
      }
    }
    return {
      chain,
      chainId,
      blockNumber: block.number.toString(),
      blockTimestampSec: block.timestamp.toString(),
      baseFeePerGasWei: (block.baseFeePerGas ?? 0n).toString(),
      priorityFeePerGasWei: priorityFee.toString(),
      l1DataFeeWei: l1DataFee.toString(),
      treasury,
      weth: contracts.weth,
      usdc: contracts.usdc,
      pool: {
        address: pool.pool,
        token0: pool.token0,
        token1: pool.token1,
        fee: pool.fee,
        sqrtPriceX96: pool.sqrtPriceX96.toString(),
        tick: pool.tick,
        liquidity: pool.liquidity.toString(),
      },
      balances: { weth: weth.toString(), usdc: usdc.toString() },
      lpPositions,
      ...(await observeOptions(deps, mandate, chain, treasury)),
    }
  })
}

/** The L1 data fee of a swap to the mandate's treasury on `chain`, read from the chain's own fee contract (0 on Ethereum). */
function swapL1DataFeeWei(
  deps: ActivityDeps,
  mandate: Mandate,
  chain: ChainKey,
  swap: { tokenIn: Address; tokenOut: Address; amountIn: bigint; amountOutMinimum: bigint; deadlineSec: bigint; blockNumber: bigint },
): Promise<bigint> {
  const { clients, contracts } = chainDeps(deps, mandate, chain)
  const { blockNumber, ...call } = swap
  const tx = exactInputSingleCall({ contracts, recipient: getAddress(mandate.chains[chain]!.treasury), ...call })
  return l1DataFeeWei({ chain, client: clients.publicClient, tx, blockNumber })
}

function chainDeps(deps: ActivityDeps, mandate: Mandate, chain: ChainKey) {
  const c = deps.chains[chain]
  if (!c) {
    throw new InvalidInputError({
      what: `mandate ${mandate.portfolio}`,
      issues: [{ path: `chains.${chain}`, message: `this worker has no RPC configured for ${chain}` }],
    })
  }
  return c
}

/**
 * A read that fails because no endpoint answers becomes one error that names the chain, never its
 * URL; any other failure is typed by the executor's one RPC error mapping (viem's own messages
 * quote the URL called, and they must not travel on).
 */
async function guardRpc<T>(deps: ActivityDeps, chain: ChainKey, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    const clients = deps.chains[chain]?.clients
    if (clients && (await unreachable(clients))) throw new RpcUnreachableError({ chain, urls: clients.redactedUrls })
    throw mapError(err)
  }
}

/** Masks every configured RPC URL of this worker, in whole or in pieces, plus any URL at all. */
function redactorOf(deps: ActivityDeps): Redact {
  return createRedactor(Object.values(deps.chains).flatMap((c) => c?.clients.rpcUrls ?? []))
}

async function unreachable(clients: ChainClients): Promise<boolean> {
  try {
    await clients.publicClient.getChainId()
    return false
  } catch {
    return true
  }
}

const sameAddress = (a: Address | string, b: Address | string): boolean => a.toLowerCase() === b.toLowerCase()

const wrongChain = (served: ChainKey, asked: string) =>
  new InvalidInputError({
    what: 'activity input',
    issues: [{ path: 'chain', message: `this activity serves ${served}, was asked for ${asked}` }],
  })
