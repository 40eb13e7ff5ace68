import { toFunctionSelector } from 'viem'
import { describe, expect, test } from 'vitest'
import { type Condition, encodeKey, Operator, ParameterType, type Target } from 'zodiac-roles-sdk'
import { declareChainPermissions, permissionContextFromEnvironment } from '../../temporal/permissions.ts'
import { InvalidInputError } from '../errors.ts'
import { allowancesFromMandate } from './allowances.ts'
import { compilePermissions } from './compile.ts'
import { baseContext, ethPriceCeilingUsdc, mandate, otoken, safes, tokens, venues } from './testFixtures.ts'
import type { CallDeclaration } from './types.ts'

const declarations = declareChainPermissions(baseContext)
const compiled = compilePermissions({ declarations, allowances: baseContext.allowances })

const fnOf = (targets: Target[], address: string, signature: string) => {
  const t = targets.find((x) => x.address === address.toLowerCase())
  return t?.functions.find((f) => f.selector === toFunctionSelector(signature))
}

/** Every node of a condition tree, depth first. */
const nodes = (c: Condition | undefined): Condition[] => (c ? [c, ...(c.children ?? []).flatMap((x) => nodes(x))] : [])

describe('compilePermissions', () => {
  test('scopes every target the adapters call on base when all venues are configured', () => {
    const addresses = compiled.targets.map((t) => t.address).sort()
    const expected = [
      tokens.base.weth,
      tokens.base.usdc,
      otoken,
      venues.swapRouter,
      venues.oft,
      venues.endpoint,
      venues.spokePool,
      venues.controller,
      venues.otokenFactory,
      venues.pricer,
      venues.swapErc20,
    ]
    expect(addresses).toEqual(expected.map((a) => a.toLowerCase()).sort())
    // Function clearance only: no target is open to every function, nothing may be delegatecalled.
    expect(compiled.targets.every((t) => t.clearance === 2 && t.executionOptions === 0)).toBe(true)
    expect(compiled.targets.flatMap((t) => t.functions).every((f) => f.executionOptions === 0 || f.executionOptions === 1)).toBe(true)
  })

  test('merges the five spenders of USDC into one or on the spender when every adapter approves it', () => {
    const approve = fnOf(compiled.targets, tokens.base.usdc, 'approve(address,uint256)')
    expect(approve?.wildcarded).toBe(false)
    // processPermissions ors the five calldata matches; the SDK's normaliser pushes the or down to the one parameter that differs.
    expect(approve?.condition).toMatchObject({ paramType: ParameterType.Calldata, operator: Operator.Matches })
    const spender = approve?.condition?.children?.[0]
    expect(spender?.operator).toBe(Operator.Or)
    expect(spender?.children).toHaveLength(5)
    const spenders = spender!.children!.map((m) => m.compValue)
    const padded = (a: string) => `0x${a.slice(2).toLowerCase().padStart(64, '0')}`
    expect(spenders.sort()).toEqual(
      [venues.swapRouter, venues.oft, venues.spokePool, venues.marginPool, venues.swapErc20].map(padded).sort(),
    )
  })

  test('puts amountIn of each swap within the allowance of the token sold', () => {
    const swap = fnOf(
      compiled.targets,
      venues.swapRouter,
      'exactInputSingle((address,address,uint24,address,uint256,uint256,uint256,uint160))',
    )
    const keys = nodes(swap?.condition)
      .filter((n) => n.operator === Operator.WithinAllowance)
      .map((n) => n.compValue)
    expect(keys.sort()).toEqual([encodeKey('swap-usdc'), encodeKey('swap-weth')].sort())
    expect(nodes(swap?.condition).filter((n) => n.operator === Operator.EqualToAvatar)).toHaveLength(2)
  })

  test('lets the LayerZero send carry value and nothing else carry value except the WETH wrap', () => {
    const payable = compiled.targets.flatMap((t) =>
      t.functions.filter((f) => f.executionOptions === 1).map((f) => `${t.address}.${f.selector}`),
    )
    expect(payable.sort()).toEqual(
      [
        `${venues.oft.toLowerCase()}.${toFunctionSelector('send((uint32,bytes32,uint256,uint256,bytes,bytes,bytes),(uint256,uint256),address)')}`,
        `${tokens.base.weth.toLowerCase()}.${toFunctionSelector('deposit()')}`,
      ].sort(),
    )
  })

  test('checks every Gamma action in an operate batch', () => {
    const operate = fnOf(compiled.targets, venues.controller, 'operate((uint8,address,address,address,uint256,uint256,uint256,bytes)[])')
    const array = operate?.condition?.children?.[0]
    expect(array?.paramType).toBe(ParameterType.Array)
    expect(array?.operator).toBe(Operator.ArrayEvery)
    expect(array?.children?.[0]?.operator).toBe(Operator.Or)
    expect(array?.children?.[0]?.children).toHaveLength(7)
  })

  test('wildcards a function declared without conditions', () => {
    const post = fnOf(compiled.targets, venues.pricer, 'setExpiryPriceInOracle(uint256,uint80)')
    expect(post).toMatchObject({ wildcarded: true })
    expect(post?.condition).toBeUndefined()
  })

  test('returns the four allowances the conditions spend from', () => {
    expect(compiled.allowances.map((a) => a.name).sort()).toEqual(['bridge-usdc', 'bridge-weth', 'swap-usdc', 'swap-weth'])
  })

  test('refuses declarations that spend from an allowance no setting defines', () => {
    let caught: unknown
    try {
      compilePermissions({ declarations, allowances: [] })
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(InvalidInputError)
    expect((caught as InvalidInputError).issues.map((i) => i.message)).toContain('allowance swap-weth is not set')
  })

  test('refuses a rule that does not fit its parameter', () => {
    const bad: CallDeclaration = {
      ...declarations[0]!,
      signature: 'function approve(address spender, uint256 amount)',
      params: { spender: { kind: 'withinAllowance', allowance: 'swap-weth' } },
    }
    expect(() => compilePermissions({ declarations: [bad], allowances: baseContext.allowances })).toThrow(
      /withinAllowance applies to a uint/,
    )
  })

  test('refuses declarations of two chains in one role', () => {
    const other = { ...declarations[0]!, chain: 'arbitrum' as const }
    expect(() => compilePermissions({ declarations: [declarations[0]!, other], allowances: [] })).toThrow(InvalidInputError)
  })
})

describe('allowancesFromMandate', () => {
  test('derives daily swap and bridge allowances from the hedge cap and the other chains’ capital targets', () => {
    const byName = Object.fromEntries(allowancesFromMandate({ mandate, chain: 'base', ethPriceCeilingUsdc }).map((a) => [a.name, a]))
    // 12 hedges × 5 ETH = 60 ETH.
    expect(byName['swap-weth']).toMatchObject({
      balance: 60n * 10n ** 18n,
      refill: 60n * 10n ** 18n,
      maxRefill: 60n * 10n ** 18n,
      period: 86_400n,
    })
    // 60 ETH × 10,000 USDC = 600,000 USDC.
    expect(byName['swap-usdc']?.balance).toBe(600_000n * 10n ** 6n)
    // Ethereum's and Arbitrum's targets: 20 + 8 WETH, 50,000 + 20,000 USDC.
    expect(byName['bridge-weth']?.balance).toBe(28n * 10n ** 18n)
    expect(byName['bridge-usdc']?.balance).toBe(70_000n * 10n ** 6n)
    expect(byName['swap-weth']?.key).toBe(encodeKey('swap-weth'))
  })

  test('rounds the USDC allowance up and gives no bridge allowance without a capital section', () => {
    const { capital: _capital, ...noCapital } = mandate
    const out = allowancesFromMandate({ mandate: noCapital, chain: 'base', ethPriceCeilingUsdc: 1n, hedgesPerPeriod: 1n })
    // 5e18 wei × 1 / 1e18 = 5 exactly; 1 wei more of price ceiling would not change it, so check a fraction instead.
    expect(out.find((a) => a.name === 'swap-usdc')?.balance).toBe(5n)
    const third = allowancesFromMandate({
      mandate: { ...noCapital, hedge: { ...mandate.hedge, maxHedgeSizeEth: 10n ** 18n / 3n } },
      chain: 'base',
      ethPriceCeilingUsdc: 1n,
      hedgesPerPeriod: 1n,
    })
    // 333…333 wei × 1 / 1e18 = 0.333…: rounded up to 1 base unit.
    expect(third.find((a) => a.name === 'swap-usdc')?.balance).toBe(1n)
    expect(out.filter((a) => a.name.startsWith('bridge-')).map((a) => a.balance)).toEqual([0n, 0n])
  })
})

describe('permissionContextFromEnvironment', () => {
  test('declares Uniswap and the wrap only on a live chain that names no bridge or option venue', () => {
    const contracts = {
      ...tokens.base,
      uniswapV3Factory: venues.positionManager,
      nonfungiblePositionManager: venues.positionManager,
      swapRouter: venues.swapRouter,
      quoterV2: venues.positionManager,
      wethUsdcPool: venues.positionManager,
      ethUsdFeed: venues.positionManager,
      poolFee: 500,
    }
    const ctx = permissionContextFromEnvironment({
      environment: { network: 'live', chains: { base: { chainId: 8453, rpcUrls: ['http://127.0.0.1:1'], contracts } }, signerKeys: {} },
      chain: 'base',
      safes,
      allowances: baseContext.allowances,
    })
    expect(ctx).toMatchObject({
      chain: 'base',
      chainId: 8453,
      safe: safes.base,
      venues: { uniswapV3: { swapRouter: venues.swapRouter, poolFee: 500 } },
    })
    expect(Object.keys(ctx.venues)).toEqual(['uniswapV3'])
    const declared = declareChainPermissions(ctx).map((d) => `${d.adapter} ${d.targetLabel}`)
    expect(declared).toEqual([
      'keel WETH',
      'uniswap-v3 WETH',
      'uniswap-v3 USDC',
      'uniswap-v3 Uniswap V3 SwapRouter',
      'uniswap-v3 Uniswap V3 SwapRouter',
    ])
  })

  test('refuses a chain without a treasury Safe', () => {
    expect(() =>
      permissionContextFromEnvironment({
        environment: { network: 'live', chains: {}, signerKeys: {} },
        chain: 'base',
        safes: {},
        allowances: [],
      }),
    ).toThrow(InvalidInputError)
  })
})
