import { type Abi, type AbiFunction, toFunctionSelector } from 'viem'
import { describe, expect, test } from 'vitest'
import { type GammaContractName, gammaAbi } from '../../chains/devnet/gamma/artifacts.ts'
import { controllerAbi, marginCalculatorAbi, oracleAbi, otokenFactoryAbi, pricerAbi } from './abis.ts'

const selectors = (abi: Abi) => abi.filter((x): x is AbiFunction => x.type === 'function').map((f) => `${toFunctionSelector(f)} ${f.name}`)

describe('the adapter’s Gamma ABIs', () => {
  test.each([
    ['Controller', controllerAbi],
    ['OtokenFactory', otokenFactoryAbi],
    ['Oracle', oracleAbi],
    ['ChainLinkPricer', pricerAbi],
    ['MarginCalculator', marginCalculatorAbi],
  ] as [GammaContractName, Abi][])('%s: every function keel calls is in the contract built from the pinned commit', (name, abi) => {
    const built = new Set(selectors(gammaAbi(name)))
    const mine = selectors(abi)
    expect(mine.length).toBeGreaterThan(0)
    expect(mine.filter((s) => !built.has(s))).toEqual([])
  })
})
