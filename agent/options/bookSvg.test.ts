import { describe, expect, test } from 'vitest'
import { bookSvg } from './bookSvg.ts'

describe('the book SVG', () => {
  const points = Array.from({ length: 10 }, (_, i) => ({
    tSec: 1_800_000_000 + i * 3600,
    deltaEth: 550 + Math.sin(i),
    targetEth: 550,
    bandEth: 2,
  }))
  const week = {
    day: '2026-11-30',
    delta: 100,
    gamma: -20,
    theta: 50,
    vega: 0,
    premium: 900,
    settlementPaid: 300,
    hedgeCosts: 40,
    rollGas: 2,
    hedges: 3,
    rolls: 2,
  }
  const svg = bookSvg({
    title: 'a <book> & more',
    points,
    rollsAtSec: [1_800_000_000 + 3600],
    weeks: [week, { ...week, day: '2026-12-07' }],
  })
  test('the delta line has a point per observation, the band a polygon, a roll a marker', () => {
    const delta = svg.match(/<polyline points="([^"]+)" fill="none" stroke="#d62728"/)![1]!
    expect(delta.split(' ')).toHaveLength(10)
    expect(svg.match(/<polygon /g)).toHaveLength(1)
    expect(svg.match(/stroke="#2ca02c" stroke-opacity/g)).toHaveLength(1)
  })
  test('a bar per series per week, signed: settlement and costs below zero, titled with their values', () => {
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(16)
    expect(svg).toContain('<title>settlement paid: -300.00 USD</title>')
    expect(svg).toContain('<title>premium: 900.00 USD</title>')
  })
  test('text is escaped', () => {
    expect(svg).toContain('a &lt;book&gt; &amp; more')
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg.trim().endsWith('</svg>')).toBe(true)
  })
})
