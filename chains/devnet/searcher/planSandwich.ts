import { type Address, decodeFunctionResult, encodeFunctionData, type Hex, hexToBigInt, numberToHex } from 'viem'
import { swapRouterAbi } from '../abis.ts'
import { anvilRpc } from '../anvil.ts'
import { sizingSteps } from './constants.ts'
import { frontRunEstimate, type PoolState } from './inRangeSwap.ts'
import type { ExactInputSingle, SignedPoolTx } from './poolTx.ts'

export type Victim = { tx: SignedPoolTx; swap: ExactInputSingle }

/** A sandwich worth sending: sizes, expected outputs and the profit in the victim's input token, net of gas. */
export type SandwichPlan = {
  status: 'planned'
  tokenIn: Address
  tokenOut: Address
  frontAmountIn: bigint
  frontAmountOut: bigint
  backAmountOut: bigint
  frontGas: bigint
  backGas: bigint
  gasCostWei: bigint
  /** backAmountOut − frontAmountIn − gas (converted to tokenIn): what the searcher's balances gain. */
  profit: bigint
  victimOutAlone: bigint
  victimOutSandwiched: bigint
}

export type PlanResult = SandwichPlan | { status: 'skipped'; reason: string }

type SimCall = { from: Address; to: Address; data: Hex; value: bigint }
type SimCallResult = { status: Hex; gasUsed: Hex; returnData: Hex }

// Enough for a swap crossing many ticks; eth_simulateV1 otherwise hands each call the block's remaining gas.
const simGas = numberToHex(2_000_000n)

/** One eth_simulateV1 block on latest state: call i sees what calls 0..i-1 left. */
async function simulate(rpcUrl: string, calls: readonly SimCall[]): Promise<{ ok: boolean; gasUsed: bigint; returnData: Hex }[]> {
  const [block] = await anvilRpc<{ calls: SimCallResult[] }[]>({
    rpcUrl,
    method: 'eth_simulateV1',
    params: [
      {
        blockStateCalls: [
          { calls: calls.map((c) => ({ from: c.from, to: c.to, data: c.data, value: numberToHex(c.value), gas: simGas })) },
        ],
        validation: false,
      },
      'latest',
    ],
  })
  return (block?.calls ?? []).map((c) => ({ ok: c.status === '0x1', gasUsed: hexToBigInt(c.gasUsed), returnData: c.returnData }))
}

const amountOutOf = (returnData: Hex): bigint =>
  decodeFunctionResult({ abi: swapRouterAbi, functionName: 'exactInputSingle', data: returnData })

/** The router call of one of the searcher's legs. */
export function legCall(p: {
  swapRouter: Address
  searcher: Address
  swap: ExactInputSingle
  tokenIn: Address
  tokenOut: Address
  amountIn: bigint
  amountOutMinimum: bigint
}): Hex {
  return encodeFunctionData({
    abi: swapRouterAbi,
    functionName: 'exactInputSingle',
    args: [
      {
        tokenIn: p.tokenIn,
        tokenOut: p.tokenOut,
        fee: p.swap.fee,
        recipient: p.searcher,
        deadline: p.swap.deadline,
        amountIn: p.amountIn,
        amountOutMinimum: p.amountOutMinimum,
        sqrtPriceLimitX96: 0n,
      },
    ],
  })
}

type Front = { amountIn: bigint; amountOut: bigint }

/** The in-range estimate of the largest front-run (the whole balance when the math gives up). */
function estimateFront(p: { pool: PoolState; victim: Victim; balanceIn: bigint }): bigint {
  const { swap } = p.victim
  try {
    return frontRunEstimate({
      pool: p.pool,
      zeroForOne: swap.tokenIn.toLowerCase() < swap.tokenOut.toLowerCase(),
      feePips: swap.fee,
      victimAmountIn: swap.amountIn,
      amountOutMinimum: swap.amountOutMinimum,
      cap: p.balanceIn,
    })
  } catch {
    return p.balanceIn
  }
}

/** Bisection over simulations below `hi`: for when the estimate is off (the swaps cross a tick). */
async function bisectFront(hi: bigint, sized: (amountIn: bigint) => Promise<Front | null>): Promise<Front | null> {
  let best: Front | null = null
  let lo = 0n
  for (let i = 0; i < sizingSteps && hi - lo > 1n; i++) {
    const mid = (lo + hi) / 2n
    const r = await sized(mid)
    if (r) {
      best = r
      lo = mid
    } else hi = mid
  }
  return best
}

/**
 * Sizes a sandwich of `victim` on current state: the largest front-run (same direction, within
 * `balanceIn`) after which the victim still clears its floor, found estimated by in-range Uniswap V3
 * math and confirmed by simulating [victim's earlier pending txs, front, victim]; then the back-run selling all the front bought.
 * Planned only when the searcher ends with more than it started, net of its gas.
 */
export async function planSandwich(p: {
  rpcUrl: string
  searcher: Address
  swapRouter: Address
  victim: Victim
  predecessors: readonly SignedPoolTx[]
  balanceIn: bigint
  /** The pool's price and in-range liquidity now, for the first estimate of the front-run. */
  pool: PoolState
  gasPriceWei: bigint
  /** Gas in wei expressed in the victim's input token, rounded up. */
  weiToTokenIn: (wei: bigint) => bigint
}): Promise<PlanResult> {
  const { swap } = p.victim
  const asCall = (t: SignedPoolTx): SimCall => ({ from: t.from, to: t.to ?? p.swapRouter, data: t.data, value: t.value })
  const before = p.predecessors.map(asCall)
  const victimCall = asCall(p.victim.tx)
  const front = (amountIn: bigint): SimCall => ({
    from: p.searcher,
    to: p.swapRouter,
    value: 0n,
    data: legCall({ ...p, swap, tokenIn: swap.tokenIn, tokenOut: swap.tokenOut, amountIn, amountOutMinimum: 0n }),
  })

  const sized = async (amountIn: bigint): Promise<Front | null> => {
    if (amountIn === 0n) return null
    const r = await simulate(p.rpcUrl, [...before, front(amountIn), victimCall])
    const f = r[before.length]
    return f && r.length === before.length + 2 && r.every((c) => c.ok) ? { amountIn, amountOut: amountOutOf(f.returnData) } : null
  }
  // The estimate sits on the floor to the wei; a hair below absorbs rounding. Both tries and the
  // victim alone go out at once: a block waits for no one.
  const estimate = estimateFront(p)
  const [alone, near, below] = await Promise.all([
    simulate(p.rpcUrl, [...before, victimCall]),
    sized((estimate * 9_995n) / 10_000n),
    sized((estimate * 9_900n) / 10_000n),
  ])
  const victimAlone = alone.at(-1)
  if (!victimAlone?.ok || alone.some((r) => !r.ok)) return { status: 'skipped', reason: 'the victim fails even alone' }
  const victimOutAlone = amountOutOf(victimAlone.returnData)
  if (victimOutAlone <= swap.amountOutMinimum) return { status: 'skipped', reason: 'no room above the victim’s floor' }
  const chosen = near ?? below ?? (await bisectFront((estimate * 9_900n) / 10_000n, sized))
  if (!chosen) return { status: 'skipped', reason: 'no front-run size leaves the victim above its floor' }
  const lo = chosen.amountIn
  const frontAmountOut = chosen.amountOut
  const back: SimCall = {
    from: p.searcher,
    to: p.swapRouter,
    value: 0n,
    data: legCall({ ...p, swap, tokenIn: swap.tokenOut, tokenOut: swap.tokenIn, amountIn: frontAmountOut, amountOutMinimum: 0n }),
  }
  const full = await simulate(p.rpcUrl, [...before, front(lo), victimCall, back])
  if (full.some((c) => !c.ok)) return { status: 'skipped', reason: 'the sandwich fails in simulation' }
  const [frontRes, victimRes, backRes] = full.slice(before.length)
  if (!frontRes || !victimRes || !backRes) return { status: 'skipped', reason: 'simulation returned too few results' }
  const backAmountOut = amountOutOf(backRes.returnData)
  const gasCostWei = (frontRes.gasUsed + backRes.gasUsed) * p.gasPriceWei
  const profit = backAmountOut - lo - p.weiToTokenIn(gasCostWei)
  if (profit <= 0n) {
    return {
      status: 'skipped',
      reason: `unprofitable: front ${lo} in, back ${backAmountOut} out, gas ${gasCostWei} wei (net ${profit} of ${swap.tokenIn})`,
    }
  }
  return {
    status: 'planned',
    tokenIn: swap.tokenIn,
    tokenOut: swap.tokenOut,
    frontAmountIn: lo,
    frontAmountOut,
    backAmountOut,
    frontGas: frontRes.gasUsed,
    backGas: backRes.gasUsed,
    gasCostWei,
    profit,
    victimOutAlone,
    victimOutSandwiched: amountOutOf(victimRes.returnData),
  }
}
