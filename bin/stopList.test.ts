import { describe, expect, test } from 'vitest'
import { createStopList } from './stopList.ts'

describe('createStopList', () => {
  test('stops newest first, one line each, and leaves what can be left when kept', async () => {
    const lines: string[] = []
    const stops = createStopList((l) => lines.push(l))
    stops.add({ stop: async () => 'stopped a', leave: () => 'left a' })
    stops.add({ stop: async () => 'stopped b' })
    stops.add({ stop: async () => 'stopped c', leave: () => 'left c' })
    await stops.runAll({ keep: true })
    expect(lines).toEqual(['left c', 'stopped b', 'left a'])
  })

  test('stops a thing whose start completes after stopping began, before runAll resolves', async () => {
    const lines: string[] = []
    const stops = createStopList((l) => lines.push(l))
    let finishStart: () => void = () => {}
    const start = stops.starting(new Promise<void>((r) => (finishStart = r)))
    void start.then(() => stops.add({ stop: async () => 'stopped late' }))
    stops.add({ stop: async () => 'stopped early' })
    const all = stops.runAll()
    setTimeout(finishStart, 20)
    await all
    expect(lines).toEqual(['stopped early', 'stopped late'])
  })

  test('reports a failed stop and goes on with the rest', async () => {
    const lines: string[] = []
    const stops = createStopList((l) => lines.push(l))
    stops.add({ stop: async () => 'stopped a' })
    stops.add({
      stop: async () => {
        throw new Error('port busy\nmore')
      },
    })
    await stops.runAll()
    expect(lines).toEqual(['stop failed: port busy', 'stopped a'])
  })
})
