import type { OrderERC20 } from '@airswap/utils'
import { encodeFunctionData, erc20Abi, type Hex, type PublicClient, pad, parseAbi, zeroAddress } from 'viem'
import { describe, expect, test } from 'vitest'
import { buildCalls as acrossBuildCalls } from '../../adapters/across-v3/buildCalls.ts'
import { takeOrderCalls } from '../../adapters/airswap-rfq/rfq.ts'
import { endpointAbi } from '../../adapters/layerzero-v2/abis.ts'
import { sendCalls, sendParamOf } from '../../adapters/layerzero-v2/buildCalls.ts'
import { otokenFactoryAbi } from '../../adapters/opyn-gamma/abis.ts'
import {
  burnShortCall,
  depositCollateralCalls,
  type GammaDeployment,
  openShortCalls,
  postExpiryPriceCall,
  redeemCall,
  type Series,
  settleVaultCall,
} from '../../adapters/opyn-gamma/gamma.ts'
import type { BridgeQuote, Call, SwapQuote } from '../../adapters/types.ts'
import { exactInputSingleCall, buildCalls as uniswapBuildCalls } from '../../adapters/uniswap-v3/buildCalls.ts'
import { declareChainPermissions } from '../../temporal/permissions.ts'
import { type CallCheck, checkCall } from './check.ts'
import { addr, bareOptions, baseContext, eids, otoken, outsider, safes, tokens, venues } from './testFixtures.ts'

const declarations = declareChainPermissions(baseContext)
const safe = safes.base

/** A client that answers the reads the builders make before they build: no allowance yet, an OFT that pulls by allowance. */
function stubClient(chainId: number): PublicClient {
  const answers: Record<string, unknown> = { allowance: 0n, approvalRequired: true }
  return {
    chain: { id: chainId },
    getChainId: async () => chainId,
    readContract: async ({ functionName }: { functionName: string }) => answers[functionName],
    getBlock: async () => ({ number: 1_000n, timestamp: 1_700_000_000n }),
    getBlockNumber: async () => 1_000n,
    getContractEvents: async () => [],
  } as unknown as PublicClient
}

const accepted = (calls: readonly Pick<Call, 'to' | 'data' | 'value'>[]) => calls.map((c) => checkCall(c, declarations))
const refused = (r: CallCheck) => {
  if (r.ok) throw new Error(`expected a refusal, the call passed as ${r.declaration.description}`)
  return r
}

const gamma: GammaDeployment = {
  chainId: 8453,
  controller: venues.controller,
  otokenFactory: venues.otokenFactory,
  oracle: addr(6, 5),
  marginPool: venues.marginPool,
  marginCalculator: addr(6, 6),
  pricer: venues.pricer,
  feed: addr(6, 7),
  weth: tokens.base.weth,
  usdc: tokens.base.usdc,
}
const putSeries: Series = {
  isPut: true,
  strikeE8: 2_500n * 10n ** 8n,
  expirySec: 1_700_600_000n,
  otoken,
  collateral: tokens.base.usdc,
  collateralDecimals: 6,
}

const swapQuote = (tokenIn: Hex, tokenOut: Hex, amountIn: bigint): SwapQuote => ({
  status: 'ok',
  venue: 'uniswap-v3',
  chain: 'base',
  tokenIn,
  tokenOut,
  amountIn,
  amountOut: 3_000_000_000n,
  gasEstimate: 100_000n,
  sqrtPriceX96After: 1n << 96n,
  blockNumber: 10n,
  blockTimestampSec: 1_700_000_000n,
})
const uniswapDeps = {
  clients: { base: stubClient(8453) },
  contracts: {
    base: {
      ...tokens.base,
      uniswapV3Factory: addr(3, 3),
      nonfungiblePositionManager: venues.positionManager,
      swapRouter: venues.swapRouter,
      quoterV2: addr(3, 4),
      wethUsdcPool: addr(3, 5),
      ethUsdFeed: addr(3, 6),
      poolFee: 500,
    },
  },
}

const lzOrigin = {
  chain: 'base' as const,
  client: stubClient(8453),
  config: { eid: eids.base, endpoint: venues.endpoint, oft: venues.oft, token: tokens.base.usdc, fromBlock: 0n },
}
const lzTransfer = (recipient: Hex) => {
  const req = { asset: 'USDC' as const, from: 'base' as const, to: 'arbitrum' as const, amount: 1_000_000_000n, sender: safe, recipient }
  return sendCalls({
    origin: lzOrigin,
    req,
    sendParam: sendParamOf({ dstEid: eids.arbitrum, req, minAmountLD: 999_000_000n, extraOptions: bareOptions }),
    nativeFeeWei: 10n ** 15n,
  })
}

const acrossDeps = {
  clients: { base: stubClient(8453), arbitrum: stubClient(42161) },
  chains: {
    base: { chainId: 8453, spokePool: venues.spokePool, tokens: { USDC: tokens.base.usdc, WETH: tokens.base.weth }, fromBlock: 0n },
    arbitrum: { chainId: 42161, spokePool: addr(5, 2), tokens: { USDC: tokens.arbitrum.usdc, WETH: tokens.arbitrum.weth }, fromBlock: 0n },
  },
  apiUrl: 'http://127.0.0.1:1',
  fillDeadlineSec: 3_600,
}
const acrossQuote = (recipient: Hex): BridgeQuote => ({
  status: 'ok',
  bridge: 'across-v3',
  request: { asset: 'WETH', from: 'base', to: 'arbitrum', amount: 10n ** 18n, sender: safe, recipient },
  outputAmount: 999n * 10n ** 15n,
  assetFee: 10n ** 15n,
  nativeFeeWei: 0n,
  gasEstimate: 150_000n,
  expectedSec: 10,
  deadlineSec: 1_700_003_600n,
  blockNumber: 990n,
  blockTimestampSec: 1_699_999_990n,
  maxAmount: null,
  params: {
    spokePool: venues.spokePool,
    inputToken: tokens.base.weth,
    outputToken: tokens.arbitrum.weth,
    destinationChainId: '42161',
    quoteTimestamp: '1699999990',
    exclusiveRelayer: zeroAddress,
    exclusivityParameter: '0',
    lpFee: '0',
    relayerFee: '0',
  },
})

const order = (p: { signerToken: Hex; senderToken: Hex }) =>
  ({
    nonce: '7',
    expiry: '1700000600',
    signerWallet: addr(8, 1),
    signerToken: p.signerToken,
    signerAmount: '150000000',
    senderToken: p.senderToken,
    senderAmount: '100000000',
    v: '27',
    r: `0x${'ab'.repeat(32)}`,
    s: `0x${'cd'.repeat(32)}`,
  }) as unknown as OrderERC20

describe('checkCall', () => {
  test('accepts the approve and swap Uniswap buildCalls makes when both pay the Safe', async () => {
    const sell = await uniswapBuildCalls(uniswapDeps, {
      quote: swapQuote(tokens.base.weth, tokens.base.usdc, 10n ** 18n),
      recipient: safe,
      owner: safe,
      slippageBps: 50,
      deadlineSec: 1_700_000_600n,
    })
    const buy = await uniswapBuildCalls(uniswapDeps, {
      quote: swapQuote(tokens.base.usdc, tokens.base.weth, 3_000_000_000n),
      recipient: safe,
      owner: safe,
      slippageBps: 50,
      deadlineSec: 1_700_000_600n,
    })
    expect(sell).toHaveLength(2)
    const results = accepted([...sell, ...buy])
    expect(results.map((r) => r.ok && r.declaration.description)).toEqual([
      'approve WETH to Uniswap V3 SwapRouter: the amount of the next swap',
      'swap WETH for USDC to the treasury Safe',
      'approve USDC to Uniswap V3 SwapRouter: the amount of the next swap',
      'swap USDC for WETH to the treasury Safe',
    ])
  })

  test('accepts the LayerZero approve and send to the destination Safe, and a re-execution on this chain', async () => {
    const calls = await lzTransfer(safes.arbitrum)
    const receive = {
      to: venues.endpoint,
      value: 0n,
      data: encodeFunctionData({
        abi: endpointAbi,
        functionName: 'lzReceive',
        args: [{ srcEid: eids.arbitrum, sender: pad(venues.arbitrumOft), nonce: 3n }, venues.oft, `0x${'11'.repeat(32)}`, '0x1234', '0x'],
      }),
    }
    expect(accepted([...calls, receive]).map((r) => r.ok)).toEqual([true, true, true])
  })

  test('accepts the Across approve and deposit to the destination Safe', async () => {
    const built = await acrossBuildCalls(acrossDeps, { quote: acrossQuote(safes.arbitrum) })
    expect(built.calls).toHaveLength(2)
    expect(accepted(built.calls).map((r) => r.ok && r.declaration.description)).toEqual([
      'approve WETH to Across SpokePool: the amount of the next deposit',
      "deposit WETH for arbitrum's treasury Safe",
    ])
  })

  test('accepts every Gamma call keel builds on the Safe’s own vaults', () => {
    const calls = [
      ...openShortCalls(gamma, { series: putSeries, owner: safe, vaultId: 3n, amountE8: 10n ** 8n, to: safe }),
      ...depositCollateralCalls(gamma, { series: putSeries, owner: safe, vaultId: 3n, amount: 100_000_000n }),
      burnShortCall(gamma, { series: putSeries, owner: safe, vaultId: 3n, amountE8: 10n ** 8n, withdraw: 2_500_000_000n }),
      settleVaultCall(gamma, { owner: safe, vaultId: 3n, to: safe }),
      redeemCall(gamma, { otoken, holder: safe, amountE8: 10n ** 8n }),
      postExpiryPriceCall(gamma, { expirySec: putSeries.expirySec, roundId: 42n }),
      {
        to: venues.otokenFactory,
        value: 0n,
        data: encodeFunctionData({
          abi: otokenFactoryAbi,
          functionName: 'createOtoken',
          args: [tokens.base.weth, tokens.base.usdc, tokens.base.usdc, putSeries.strikeE8, putSeries.expirySec, true],
        }),
      },
    ]
    const results = accepted(calls)
    expect(results.filter((r) => !r.ok)).toEqual([])
    expect(results).toHaveLength(9)
  })

  test('accepts an AirSwap sale of a known oToken and its buy-back, paid to the Safe', () => {
    const sale = takeOrderCalls({
      chainId: 8453,
      swapContract: venues.swapErc20,
      order: order({ signerToken: tokens.base.usdc, senderToken: otoken }),
      recipient: safe,
    })
    const buyBack = takeOrderCalls({
      chainId: 8453,
      swapContract: venues.swapErc20,
      order: order({ signerToken: otoken, senderToken: tokens.base.usdc }),
      recipient: safe,
    })
    expect(accepted([...sale, ...buyBack]).map((r) => r.ok)).toEqual([true, true, true, true])
  })

  test('accepts wrapping native ETH into WETH with value', () => {
    const wrap = {
      to: tokens.base.weth,
      value: 10n ** 17n,
      data: encodeFunctionData({ abi: parseAbi(['function deposit() payable']), functionName: 'deposit' }),
    }
    expect(checkCall(wrap, declarations).ok).toBe(true)
  })

  test('refuses a token transfer to an outside address, naming the function and its recipient', () => {
    const transfer = {
      to: tokens.base.usdc,
      value: 0n,
      data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [outsider, 5n] }),
    }
    const r = refused(checkCall(transfer, declarations))
    expect(r.violation).toMatchObject({
      status: 'FunctionNotAllowed',
      selector: '0xa9059cbb',
      functionName: 'transfer',
      target: tokens.base.usdc,
    })
    expect(r.reason).toContain(`transfer(to=${outsider}, amount=5)`)
    expect(r.reason).toContain('declared there: approve')
  })

  test('refuses a swap paid to anyone but the Safe, naming the recipient parameter', () => {
    const swap = {
      ...exactInputSingleCall({
        contracts: { swapRouter: venues.swapRouter, poolFee: 500 },
        tokenIn: tokens.base.weth,
        tokenOut: tokens.base.usdc,
        recipient: outsider,
        deadlineSec: 1_700_000_600n,
        amountIn: 10n ** 18n,
        amountOutMinimum: 1n,
      }),
      value: 0n,
    }
    const r = refused(checkCall(swap, declarations))
    expect(r.violation).toMatchObject({
      status: 'ParameterNotAllowed',
      functionName: 'exactInputSingle',
      parameter: 'params.recipient',
      expected: `this chain's treasury Safe ${safe}`,
      actual: outsider,
    })
    expect(r.reason).toContain('parameter params.recipient')
    expect(r.reason).toContain(venues.swapRouter)
  })

  test('refuses a swap in another pool fee tier', () => {
    const swap = {
      ...exactInputSingleCall({
        contracts: { swapRouter: venues.swapRouter, poolFee: 10_000 },
        tokenIn: tokens.base.weth,
        tokenOut: tokens.base.usdc,
        recipient: safe,
        deadlineSec: 1_700_000_600n,
        amountIn: 10n ** 18n,
        amountOutMinimum: 1n,
      }),
      value: 0n,
    }
    expect(refused(checkCall(swap, declarations)).violation).toMatchObject({ parameter: 'params.fee', actual: '10000' })
  })

  test('refuses an approve to an unknown spender, listing every spender declared for the token', () => {
    const approve = {
      to: tokens.base.usdc,
      value: 0n,
      data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [outsider, 1n] }),
    }
    const r = refused(checkCall(approve, declarations))
    expect(r.violation).toMatchObject({ status: 'OrViolation', functionName: 'approve', parameter: 'spender', actual: outsider })
    for (const spender of [venues.swapRouter, venues.oft, venues.spokePool, venues.marginPool, venues.swapErc20]) {
      expect(r.violation.expected).toContain(spender)
    }
  })

  test('refuses an OFT send to another recipient, naming sendParam.to', async () => {
    const [, send] = await lzTransfer(outsider)
    const r = refused(checkCall(send!, declarations))
    expect(r.violation).toMatchObject({
      functionName: 'send',
      parameter: 'sendParam.to',
      expected: `arbitrum's treasury Safe ${pad(safes.arbitrum)}`,
      actual: pad(outsider),
    })
  })

  test('refuses an OFT send with executor options keel does not write', async () => {
    const req = {
      asset: 'USDC' as const,
      from: 'base' as const,
      to: 'arbitrum' as const,
      amount: 1n,
      sender: safe,
      recipient: safes.arbitrum,
    }
    const [, send] = await sendCalls({
      origin: lzOrigin,
      req,
      sendParam: sendParamOf({
        dstEid: eids.arbitrum,
        req,
        minAmountLD: 1n,
        extraOptions: '0x0003010011010000000000000000000000000000ea60',
      }),
      nativeFeeWei: 1n,
    })
    expect(refused(checkCall(send!, declarations)).violation.parameter).toBe('sendParam.extraOptions')
  })

  test('refuses an Across deposit to another recipient, naming the recipient parameter', async () => {
    const built = await acrossBuildCalls(acrossDeps, { quote: acrossQuote(outsider) })
    const r = refused(checkCall(built.calls.at(-1)!, declarations))
    expect(r.violation).toMatchObject({ functionName: 'unsafeDeposit', parameter: 'recipient', actual: pad(outsider) })
    expect(r.violation.expected).toContain(pad(safes.arbitrum))
  })

  test('refuses a Gamma mint to another address, naming the action and its field', () => {
    const [, open] = openShortCalls(gamma, { series: putSeries, owner: safe, vaultId: 3n, amountE8: 10n ** 8n, to: outsider })
    const r = refused(checkCall(open!, declarations))
    expect(r.violation).toMatchObject({ status: 'NotEveryArrayElementPasses', parameter: '_actions[2].secondAddress', actual: outsider })
  })

  test('refuses a call to a target nobody declared', () => {
    const call = {
      to: outsider,
      value: 0n,
      data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [venues.swapRouter, 1n] }),
    }
    const r = refused(checkCall(call, declarations))
    expect(r.violation).toMatchObject({ status: 'TargetAddressNotAllowed', target: outsider, functionName: 'approve' })
    expect(r.reason).toContain(`no declared call goes to ${outsider}`)
  })

  test('refuses an undeclared selector on a declared target', () => {
    const call = { to: venues.swapRouter, value: 0n, data: '0xdeadbeef00000000000000000000000000000000000000000000000000000000' as Hex }
    const r = refused(checkCall(call, declarations))
    expect(r.violation).toMatchObject({ status: 'FunctionNotAllowed', selector: '0xdeadbeef', functionName: null })
    expect(r.reason).toContain('declared there: exactInputSingle')
  })

  test('refuses native value on a function declared without it', () => {
    const approve = {
      to: tokens.base.usdc,
      value: 1n,
      data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [venues.swapRouter, 1n] }),
    }
    expect(refused(checkCall(approve, declarations)).violation).toMatchObject({ status: 'SendNotAllowed', actual: '1 wei' })
  })

  test('refuses a swap above what is left of its allowance when the balances are given', async () => {
    const [, swap] = await uniswapBuildCalls(uniswapDeps, {
      quote: swapQuote(tokens.base.weth, tokens.base.usdc, 10n ** 18n),
      recipient: safe,
      owner: safe,
      slippageBps: 50,
      deadlineSec: 1_700_000_600n,
    })
    const r = refused(checkCall(swap!, declarations, { allowanceBalances: { 'swap-weth': 10n ** 18n - 1n } }))
    expect(r.violation).toMatchObject({ status: 'AllowanceExceeded', parameter: 'params.amountIn', actual: '1000000000000000000' })
    expect(checkCall(swap!, declarations, { allowanceBalances: { 'swap-weth': 10n ** 18n } }).ok).toBe(true)
  })
})
