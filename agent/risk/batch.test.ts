import { describe, expect, test } from 'vitest'
import { bsmGreeksBatch, createGreeksArrays, IV_STATUS, impliedVolBatch, type OptionBook, type QuoteBook } from './batch.ts'
import { bsmGreeks } from './blackScholes.ts'
import { InvalidOptionInputError } from './errors.ts'
import { impliedVol } from './impliedVol.ts'
import type { Greeks } from './types.ts'

function makeBook(n: number): OptionBook {
  const book: OptionBook = {
    kind: new Uint8Array(n),
    spot: new Float64Array(n),
    strike: new Float64Array(n),
    timeYears: new Float64Array(n),
    vol: new Float64Array(n),
    rate: new Float64Array(n),
    yield: new Float64Array(n),
  }
  for (let i = 0; i < n; i++) {
    book.kind[i] = i % 2
    book.spot[i] = 2000 + i
    book.strike[i] = 1000 + 37 * i
    // Includes expired (i % 11 === 0) and zero-vol rows (i % 13 === 0).
    book.timeYears[i] = i % 11 === 0 ? 0 : (i % 17) / 12 + 1 / 365
    book.vol[i] = i % 13 === 0 ? 0 : 0.3 + (i % 7) / 5
    book.rate[i] = (i % 5) / 100
    book.yield[i] = (i % 3) / 100 - 0.01
  }
  return book
}

const keys: (keyof Greeks)[] = ['price', 'delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga']

describe('bsmGreeksBatch', () => {
  test('equals bsmGreeks bit for bit on every row when the book mixes calls, puts, expired and zero-vol options', () => {
    const book = makeBook(120)
    const out = bsmGreeksBatch(book)
    for (let i = 0; i < 120; i++) {
      const g = bsmGreeks({
        kind: book.kind[i] === 0 ? 'call' : 'put',
        spot: book.spot[i]!,
        strike: book.strike[i]!,
        timeYears: book.timeYears[i]!,
        vol: book.vol[i]!,
        rate: book.rate[i]!,
        yield: book.yield[i]!,
      })
      for (const k of keys) expect(out[k][i], `${k}[${i}]`).toBe(g[k])
    }
  })

  test('writes into the given arrays when out is passed', () => {
    const book = makeBook(10)
    const out = createGreeksArrays(10)
    expect(bsmGreeksBatch(book, out)).toBe(out)
    expect(out.price[3]).toBeGreaterThan(0)
  })

  test('throws Risk.InvalidOptionInputError naming field and index when a row is invalid, before writing anything', () => {
    const book = makeBook(50)
    book.vol[17] = -0.2
    const out = createGreeksArrays(50)
    let caught: unknown
    try {
      bsmGreeksBatch(book, out)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(InvalidOptionInputError)
    expect((caught as InvalidOptionInputError).field).toBe('vol[17]')
    expect(out.price.every((p) => p === 0)).toBe(true)
    book.vol[17] = 0.2
    book.strike[3] = Number.NaN
    expect(() => bsmGreeksBatch(book)).toThrow(/strike\[3\]/)
    book.strike[3] = 100
    book.kind[4] = 2
    expect(() => bsmGreeksBatch(book)).toThrow(/kind\[4\]/)
  })

  test('throws when the arrays of the book differ in length', () => {
    const book = makeBook(5)
    expect(() => bsmGreeksBatch({ ...book, rate: new Float64Array(4) })).toThrow(InvalidOptionInputError)
  })
})

describe('impliedVolBatch', () => {
  test('recovers the vols of a priced book and matches the scalar solver', () => {
    const book = makeBook(200)
    const priced = bsmGreeksBatch(book)
    const quotes: QuoteBook = { ...book, price: priced.price }
    const res = impliedVolBatch(quotes)
    for (let i = 0; i < 200; i++) {
      const scalar = impliedVol({
        kind: book.kind[i] === 0 ? 'call' : 'put',
        price: priced.price[i]!,
        spot: book.spot[i]!,
        strike: book.strike[i]!,
        timeYears: book.timeYears[i]!,
        rate: book.rate[i]!,
        yield: book.yield[i]!,
      })
      if (book.timeYears[i] === 0) {
        expect(res.status[i]).toBe(IV_STATUS.invalidInput)
        expect(res.vol[i]).toBeNaN()
        continue
      }
      expect(scalar.status).toBe('ok')
      if (scalar.status !== 'ok') continue
      expect(res.status[i]).toBe(IV_STATUS.ok)
      expect(res.vol[i]).toBe(scalar.vol)
      // Deep ITM rows carry little vol information in their price; informative rows must round-trip.
      if (priced.vega[i]! * book.vol[i]! > 1e-6 * priced.price[i]!) expect(Math.abs(res.vol[i]! - book.vol[i]!)).toBeLessThan(1e-9)
    }
  })

  test('reports per-row statuses as data when quotes are unattainable or invalid', () => {
    const quotes: QuoteBook = {
      kind: Uint8Array.from([0, 0, 1, 0, 7]),
      price: Float64Array.from([5, 1, 200, Number.NaN, 5]),
      spot: Float64Array.from([100, 100, 100, 100, 100]),
      strike: Float64Array.from([100, 50, 150, 100, 100]),
      timeYears: Float64Array.from([1, 1, 1, 1, 1]),
      rate: Float64Array.from([0, 0, 0, 0, 0]),
      yield: Float64Array.from([0, 0, 0, 0, 0]),
    }
    const res = impliedVolBatch(quotes)
    expect(Array.from(res.status)).toEqual([
      IV_STATUS.ok,
      IV_STATUS.belowIntrinsic,
      IV_STATUS.aboveMax,
      IV_STATUS.invalidInput,
      IV_STATUS.invalidInput,
    ])
    expect(res.vol[0]).toBeCloseTo(0.1254, 4)
    expect(Number.isNaN(res.vol[1]!) && Number.isNaN(res.vol[2]!) && Number.isNaN(res.vol[3]!)).toBe(true)
  })
})
