import { type Abi, type AbiEvent, type AbiFunction, toEventSelector, toFunctionSelector } from 'viem'
import { describe, expect, test } from 'vitest'
import { spokePoolAbi } from '../../../adapters/across-v3/abis.ts'
import { spokePoolStandInAbi } from './abis.ts'
import { loadAcrossArtifact } from './artifacts.ts'

const published = loadAcrossArtifact('Ethereum_SpokePool').abi

const selectors = (abi: Abi) => ({
  functions: new Set(abi.filter((x): x is AbiFunction => x.type === 'function').map((f) => toFunctionSelector(f))),
  events: new Set(abi.filter((x): x is AbiEvent => x.type === 'event').map((e) => toEventSelector(e))),
})

describe('SpokePool ABIs written by hand', () => {
  const real = selectors(published)
  for (const [name, abi] of [
    ['devnet stand-in', spokePoolStandInAbi],
    ['adapter', spokePoolAbi],
  ] as const) {
    test(`every function and event of the ${name}'s ABI is in the published Ethereum_SpokePool (same selector)`, () => {
      const ours = selectors(abi as Abi)
      for (const s of ours.functions) expect(real.functions.has(s), `function selector ${s}`).toBe(true)
      for (const s of ours.events) expect(real.events.has(s), `event topic ${s}`).toBe(true)
      expect(ours.functions.size + ours.events.size).toBeGreaterThan(3)
    })
  }

  test('indexed event arguments match the published ABI (viem filters on them)', () => {
    const ours = [...spokePoolStandInAbi, ...spokePoolAbi] as Abi
    for (const ev of ours.filter((x): x is AbiEvent => x.type === 'event')) {
      const real = published.find((x): x is AbiEvent => x.type === 'event' && toEventSelector(x) === toEventSelector(ev))
      expect(real?.inputs.map((i) => i.indexed ?? false)).toEqual(ev.inputs.map((i) => i.indexed ?? false))
    }
  })
})
