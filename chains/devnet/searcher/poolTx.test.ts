import { encodeFunctionData, type Hex, keccak256, numberToHex, parseTransaction, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { swapRouterAbi } from '../abis.ts'
import { decodeSwap, type PoolTx, signedRawOf } from './poolTx.ts'

// anvil's well-known test key 9: holds nothing anywhere.
const account = privateKeyToAccount('0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6')
const router = '0xE592427A0AEce92De3Edee1F18E0157C05861564'
const weth = '0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2'
const usdc = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48'

function swapData(over: { fee?: number; amountOutMinimum?: bigint; sqrtPriceLimitX96?: bigint } = {}): Hex {
  return encodeFunctionData({
    abi: swapRouterAbi,
    functionName: 'exactInputSingle',
    args: [
      {
        tokenIn: weth,
        tokenOut: usdc,
        fee: over.fee ?? 500,
        recipient: account.address,
        deadline: 2_000_000_000n,
        amountIn: 10n ** 18n,
        amountOutMinimum: over.amountOutMinimum ?? 2_900_000_000n,
        sqrtPriceLimitX96: over.sqrtPriceLimitX96 ?? 0n,
      },
    ],
  })
}

/** The pool entry anvil lists for a signed raw transaction (hex quantities and signature fields). */
function poolEntryOf(raw: Hex): PoolTx {
  const tx = parseTransaction(raw)
  const common = {
    hash: keccak256(raw),
    from: account.address,
    to: tx.to ?? null,
    nonce: numberToHex(tx.nonce ?? 0),
    gas: toHex(tx.gas ?? 0n),
    value: toHex(tx.value ?? 0n),
    input: tx.data ?? '0x',
    r: tx.r as Hex,
    s: tx.s as Hex,
  }
  if (tx.type === 'legacy') return { ...common, type: '0x0', gasPrice: toHex(tx.gasPrice ?? 0n), v: toHex(tx.v ?? 0n) }
  return {
    ...common,
    type: '0x2',
    chainId: numberToHex(tx.chainId ?? 1),
    maxFeePerGas: toHex(tx.maxFeePerGas ?? 0n),
    maxPriorityFeePerGas: toHex(tx.maxPriorityFeePerGas ?? 0n),
    // anvil also lists the effective gas price of a 1559 transaction: it is not part of the signed bytes.
    gasPrice: toHex(tx.maxFeePerGas ?? 0n),
    accessList: [],
    v: toHex(tx.yParity ?? 0),
    yParity: toHex(tx.yParity ?? 0),
  }
}

const sign1559 = (data: Hex) =>
  account.signTransaction({
    type: 'eip1559',
    chainId: 1,
    nonce: 7,
    to: router,
    data,
    value: 0n,
    gas: 200_000n,
    maxFeePerGas: 30_000_000_000n,
    maxPriorityFeePerGas: 1_000_000_000n,
  })

describe('signedRawOf', () => {
  test('rebuilds the exact signed bytes of an EIP-1559 contract call when anvil lists it with its calldata as `input`', async () => {
    const raw = await sign1559(swapData())
    expect(signedRawOf(poolEntryOf(raw))?.raw).toBe(raw)
  })

  test('rebuilds a legacy EIP-155 transaction', async () => {
    const raw = await account.signTransaction({
      type: 'legacy',
      chainId: 1,
      nonce: 1,
      to: router,
      data: '0x1234',
      gas: 50_000n,
      gasPrice: 20_000_000_000n,
    })
    expect(signedRawOf(poolEntryOf(raw))?.raw).toBe(raw)
  })

  test('returns null when the rebuilt bytes do not hash to the listed hash', async () => {
    const entry = poolEntryOf(await sign1559(swapData()))
    expect(signedRawOf({ ...entry, nonce: '0x8' })).toBeNull()
  })
})

describe('decodeSwap', () => {
  const pair = [weth, usdc] as const
  const decode = async (data: Hex) => {
    const tx = signedRawOf(poolEntryOf(await sign1559(data)))
    if (!tx) throw new Error('not rebuilt')
    return decodeSwap({ tx, swapRouter: router, poolFee: 500, pair })
  }

  test('reads the victim’s amountIn and floor from an exactInputSingle on the pool', async () => {
    expect(await decode(swapData())).toMatchObject({
      tokenIn: weth,
      tokenOut: usdc,
      amountIn: 10n ** 18n,
      amountOutMinimum: 2_900_000_000n,
    })
  })

  test('ignores another fee tier, a price limit, a zero floor and calls that are not swaps', async () => {
    expect(await decode(swapData({ fee: 3000 }))).toBeNull()
    expect(await decode(swapData({ sqrtPriceLimitX96: 1n }))).toBeNull()
    expect(await decode(swapData({ amountOutMinimum: 0n }))).toBeNull()
    expect(await decode('0xdeadbeef')).toBeNull()
  })
})
