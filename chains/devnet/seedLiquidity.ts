import { type Address, encodeFunctionData, maxUint256, parseEventLogs } from 'viem'
import { clampBigInt } from '../../agent/lp/bigint.ts'
import { getAmount0Delta, getAmount1Delta } from '../../agent/lp/sqrtPriceMath.ts'
import { getSqrtRatioAtTick, getTickAtSqrtRatio } from '../../agent/lp/tickMath.ts'
import { DevnetError } from '../errors.ts'
import type { ChainContracts, ChainKey } from '../types.ts'
import { erc20Abi, positionManagerAbi, testUsdcAbi, wethAbi } from './abis.ts'
import {
  arbitrageurHoldings,
  chainProfiles,
  type LpPositionSpec,
  poolFee,
  poolTickSpacing,
  richNativeBalance,
  treasuryHoldings,
} from './constants.ts'
import type { DevnetAccounts, DevnetClients } from './devnetClients.ts'
import { createTxSender, type SentTx, type TxSender, waitForReceipts } from './txSender.ts'
import { liquidityForValue, tickRange } from './uniswapMath.ts'

type PlannedPosition = { tickLower: number; tickUpper: number; amountWeth: bigint; amountUsdc: bigint }

type Ctx = {
  contracts: ChainContracts
  sqrtPriceX96: bigint
  wethIsToken0: boolean
}

function planPosition(ctx: Ctx, spec: LpPositionSpec): PlannedPosition {
  const [tickLower, tickUpper] = tickRange({
    centerTick: getTickAtSqrtRatio(ctx.sqrtPriceX96),
    halfWidthTicks: spec.halfWidthTicks,
    tickSpacing: poolTickSpacing,
  })
  const sqrtLowerX96 = getSqrtRatioAtTick(tickLower)
  const sqrtUpperX96 = getSqrtRatioAtTick(tickUpper)
  const liquidity = liquidityForValue({
    sqrtPriceX96: ctx.sqrtPriceX96,
    sqrtLowerX96,
    sqrtUpperX96,
    valueUsdc: spec.valueUsdc,
    wethIsToken0: ctx.wethIsToken0,
  })
  // Desire exactly what the pool charges to mint `liquidity` (SqrtPriceMath rounded up, the price
  // clamped into the range). The position manager turns these amounts back into liquidity rounding
  // down, so the pool never asks for more than we fund, and no safety margin is needed.
  const sqrtPriceX96 = clampBigInt({ x: ctx.sqrtPriceX96, lo: sqrtLowerX96, hi: sqrtUpperX96 })
  const amount0 = getAmount0Delta({ sqrtRatioAX96: sqrtPriceX96, sqrtRatioBX96: sqrtUpperX96, liquidity, roundUp: true })
  const amount1 = getAmount1Delta({ sqrtRatioAX96: sqrtLowerX96, sqrtRatioBX96: sqrtPriceX96, liquidity, roundUp: true })
  const [amountWeth, amountUsdc] = ctx.wethIsToken0 ? [amount0, amount1] : [amount1, amount0]
  return { tickLower, tickUpper, amountWeth, amountUsdc }
}

const sum = (xs: readonly bigint[]): bigint => xs.reduce((a, b) => a + b, 0n)

function mintCall(ctx: Ctx, p: PlannedPosition, recipient: Address) {
  const { weth, usdc } = ctx.contracts
  const [token0, token1] = ctx.wethIsToken0 ? [weth, usdc] : [usdc, weth]
  const [amount0Desired, amount1Desired] = ctx.wethIsToken0 ? [p.amountWeth, p.amountUsdc] : [p.amountUsdc, p.amountWeth]
  return {
    to: ctx.contracts.nonfungiblePositionManager,
    data: encodeFunctionData({
      abi: positionManagerAbi,
      functionName: 'mint',
      args: [
        {
          token0,
          token1,
          fee: poolFee,
          tickLower: p.tickLower,
          tickUpper: p.tickUpper,
          amount0Desired,
          amount1Desired,
          amount0Min: 0n,
          amount1Min: 0n,
          recipient,
          deadline: maxUint256,
        },
      ],
    }),
    label: `mint LP ${p.tickLower}..${p.tickUpper} for ${recipient}`,
  }
}

function approveAll(sender: TxSender, tokens: readonly Address[], spenders: readonly Address[]): Promise<SentTx>[] {
  return tokens.flatMap((token) =>
    spenders.map((spender) =>
      sender.send({
        to: token,
        data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [spender, maxUint256] }),
        label: `approve ${spender}`,
      }),
    ),
  )
}

/** Funds the LP, treasury and arbitrageur, mints the pool's liquidity and the treasury's two LPs; returns their token ids. */
export async function seedLiquidity(params: {
  key: ChainKey
  clients: DevnetClients
  accounts: DevnetAccounts
  deployer: TxSender
  contracts: ChainContracts
  sqrtPriceX96: bigint
  wethIsToken0: boolean
  fees: { maxFeePerGasWei: bigint; priorityFeeWei: bigint }
}): Promise<string[]> {
  const { clients, accounts, deployer, contracts } = params
  const { publicClient, testClient } = clients
  const ctx: Ctx = { contracts, sqrtPriceX96: params.sqrtPriceX96, wethIsToken0: params.wethIsToken0 }
  const lpPlans = chainProfiles[params.key].lpPositions.map((spec) => planPosition(ctx, spec))
  const treasuryPlans = treasuryHoldings.lpPositions.map((spec) => planPosition(ctx, spec))

  for (const account of [accounts.liquidityProvider, accounts.arbitrageur]) {
    await testClient.setBalance({ address: account.address, value: richNativeBalance })
  }
  const [lp, treasury, arb] = await Promise.all(
    [accounts.liquidityProvider, accounts.treasury, accounts.arbitrageur].map((account) =>
      createTxSender({ client: publicClient, account, ...params.fees }),
    ),
  )
  if (!lp || !treasury || !arb) throw new DevnetError('devnet senders missing')

  const mintUsdc = (to: Address, amount: bigint) =>
    deployer.send({
      to: contracts.usdc,
      data: encodeFunctionData({ abi: testUsdcAbi, functionName: 'mint', args: [to, amount] }),
      label: 'mint USDC',
    })
  const wrap = (sender: TxSender, amount: bigint) =>
    sender.send({
      to: contracts.weth,
      data: encodeFunctionData({ abi: wethAbi, functionName: 'deposit' }),
      value: amount,
      label: 'wrap ETH',
    })

  const tokens = [contracts.weth, contracts.usdc]
  const npm = contracts.nonfungiblePositionManager
  const funding = await Promise.all([
    mintUsdc(lp.address, sum(lpPlans.map((p) => p.amountUsdc))),
    mintUsdc(treasury.address, treasuryHoldings.spotUsdc + sum(treasuryPlans.map((p) => p.amountUsdc))),
    mintUsdc(arb.address, arbitrageurHoldings.usdc),
    wrap(lp, sum(lpPlans.map((p) => p.amountWeth))),
    wrap(treasury, treasuryHoldings.spotWeth + sum(treasuryPlans.map((p) => p.amountWeth))),
    wrap(arb, arbitrageurHoldings.weth),
    ...approveAll(lp, tokens, [npm]),
    ...approveAll(treasury, tokens, [npm, contracts.swapRouter]),
    ...approveAll(arb, tokens, [contracts.swapRouter]),
  ])
  await waitForReceipts({ client: publicClient, txs: funding })

  // Sequential on purpose: position-manager token ids follow mint order, and the manifest records them.
  const lpMints: SentTx[] = []
  for (const plan of lpPlans) lpMints.push(await lp.send(mintCall(ctx, plan, lp.address)))
  const treasuryMints: SentTx[] = []
  for (const plan of treasuryPlans) treasuryMints.push(await treasury.send(mintCall(ctx, plan, treasury.address)))
  await waitForReceipts({ client: publicClient, txs: lpMints })
  const receipts = await waitForReceipts({ client: publicClient, txs: treasuryMints })
  const tokenIds = parseEventLogs({ abi: positionManagerAbi, logs: receipts.flatMap((r) => r.logs), eventName: 'IncreaseLiquidity' }).map(
    (log) => log.args.tokenId.toString(),
  )

  await settleTreasurySpot({ publicClient, deployer, treasury, contracts })
  return tokenIds
}

// The mints leave dust that depends on pool rounding; bring spot balances to exactly the target
// so that tests and the risk engine can check them to the wei.
async function settleTreasurySpot(params: {
  publicClient: DevnetClients['publicClient']
  deployer: TxSender
  treasury: TxSender
  contracts: ChainContracts
}): Promise<void> {
  const { publicClient, deployer, treasury, contracts } = params
  const balanceOf = (token: Address) =>
    publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [treasury.address] })
  const [wethBal, usdcBal] = await Promise.all([balanceOf(contracts.weth), balanceOf(contracts.usdc)])
  const txs: SentTx[] = []
  const wethDiff = wethBal - treasuryHoldings.spotWeth
  if (wethDiff > 0n) {
    const data = encodeFunctionData({ abi: wethAbi, functionName: 'withdraw', args: [wethDiff] })
    txs.push(await treasury.send({ to: contracts.weth, data, label: 'unwrap treasury WETH dust' }))
  } else if (wethDiff < 0n) {
    const data = encodeFunctionData({ abi: wethAbi, functionName: 'deposit' })
    txs.push(await treasury.send({ to: contracts.weth, data, value: -wethDiff, label: 'top up treasury WETH' }))
  }
  const usdcDiff = usdcBal - treasuryHoldings.spotUsdc
  if (usdcDiff > 0n) {
    const data = encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [deployer.address, usdcDiff] })
    txs.push(await treasury.send({ to: contracts.usdc, data, label: 'return treasury USDC dust' }))
  } else if (usdcDiff < 0n) {
    const data = encodeFunctionData({ abi: testUsdcAbi, functionName: 'mint', args: [treasury.address, -usdcDiff] })
    txs.push(await deployer.send({ to: contracts.usdc, data, label: 'top up treasury USDC' }))
  }
  await waitForReceipts({ client: publicClient, txs })
}
