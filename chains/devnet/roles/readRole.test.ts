import { type AbiEvent, toEventSelector } from 'viem'
import { describe, expect, test } from 'vitest'
import { rolesAbi } from './artifacts.ts'
import { conditionTreeFromFlat, roleEventsAbi } from './readRole.ts'

describe('conditionTreeFromFlat', () => {
  test('rebuilds the tree of a breadth-first list, without empty compValue or children', () => {
    // calldataMatches([eq(spender), and(lte(1000), withinAllowance(key))]): Matches(Calldata) → EqualTo, And → LessThan, WithinAllowance.
    const spender = `0x${'00'.repeat(12)}${'5e'.repeat(20)}` as const
    const limit = `0x${(1001).toString(16).padStart(64, '0')}` as const
    const key = `0x${'ab'.repeat(32)}` as const
    const tree = conditionTreeFromFlat([
      { parent: 0, paramType: 5, operator: 5, compValue: '0x' },
      { parent: 0, paramType: 1, operator: 16, compValue: spender },
      { parent: 0, paramType: 0, operator: 1, compValue: '0x' },
      { parent: 2, paramType: 1, operator: 18, compValue: limit },
      { parent: 2, paramType: 1, operator: 28, compValue: key },
    ])
    expect(tree).toEqual({
      paramType: 5,
      operator: 5,
      children: [
        { paramType: 1, operator: 16, compValue: spender },
        {
          paramType: 0,
          operator: 1,
          children: [
            { paramType: 1, operator: 18, compValue: limit },
            { paramType: 1, operator: 28, compValue: key },
          ],
        },
      ],
    })
  })

  test('throws when a node names a parent that does not come before it', () => {
    const flat = [
      { parent: 0, paramType: 5, operator: 5, compValue: '0x' },
      { parent: 2, paramType: 1, operator: 0, compValue: '0x' },
      { parent: 0, paramType: 1, operator: 0, compValue: '0x' },
    ] as const
    expect(() => conditionTreeFromFlat(flat)).toThrow('not breadth-first')
  })

  test('throws on an empty list', () => {
    expect(() => conditionTreeFromFlat([])).toThrow('no conditions')
  })
})

describe('roleEventsAbi', () => {
  test('declares each event as the compiled Roles emits it (same topic, same indexed inputs)', () => {
    const compiled = rolesAbi.filter((item): item is AbiEvent => item.type === 'event')
    for (const event of roleEventsAbi) {
      const match = compiled.find((e) => toEventSelector(e) === toEventSelector(event))
      expect(match, event.name).toBeDefined()
      const indexed = (inputs: readonly object[]) => inputs.map((i) => 'indexed' in i && i.indexed === true)
      expect(indexed(match!.inputs)).toEqual(indexed(event.inputs))
    }
  })
})
