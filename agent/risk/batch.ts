import { bsmKernel, checkField, KERNEL_IO_LENGTH } from './black76.ts'
import { InvalidOptionInputError } from './errors.ts'
import { ABOVE_MAX, BELOW_INTRINSIC, solveCore } from './impliedVol.ts'

/** A whole book as structure-of-arrays; every array has the same length. kind: 0 call, 1 put. */
export type OptionBook = {
  kind: Uint8Array
  spot: Float64Array
  strike: Float64Array
  timeYears: Float64Array
  vol: Float64Array
  rate: Float64Array
  yield: Float64Array
}

/** Price and Greeks per option, same units as `Greeks`. */
export type GreeksArrays = {
  price: Float64Array
  delta: Float64Array
  gamma: Float64Array
  vega: Float64Array
  theta: Float64Array
  rho: Float64Array
  vanna: Float64Array
  volga: Float64Array
}

/** A book of quotes to invert: the `OptionBook` fields without vol, plus the observed price. */
export type QuoteBook = Omit<OptionBook, 'vol'> & { price: Float64Array }

/** Outcome codes per option of `impliedVolBatch` (a Uint8Array holds them). */
export const IV_STATUS = { ok: 0, belowIntrinsic: 1, aboveMax: 2, invalidInput: 3 } as const

/** Implied vols of a book: `vol[i]` is NaN exactly when `status[i] !== IV_STATUS.ok`. */
export type ImpliedVolArrays = { vol: Float64Array; status: Uint8Array; iterations: Uint8Array }

/** Allocates result arrays for `n` options. */
export function createGreeksArrays(n: number): GreeksArrays {
  return {
    price: new Float64Array(n),
    delta: new Float64Array(n),
    gamma: new Float64Array(n),
    vega: new Float64Array(n),
    theta: new Float64Array(n),
    rho: new Float64Array(n),
    vanna: new Float64Array(n),
    volga: new Float64Array(n),
  }
}

function bookLength(book: Record<string, ArrayLike<number>>, fields: readonly string[]): number {
  const n = book[fields[0]!]!.length
  for (const f of fields) {
    const len = book[f]?.length
    if (len !== n) throw new InvalidOptionInputError({ field: f, value: `length ${len}`, expected: `length ${n} like ${fields[0]}` })
  }
  return n
}

/**
 * Checks a book before any pricing, so that a bad row fails the whole call with `Risk.InvalidOptionInputError`
 * naming the field and index (e.g. `vol[17]`) instead of writing NaN into the results. The fast test is written
 * so that NaN fails it; only a failing row goes through the per-field checks that build the error.
 */
export function validateBook(book: OptionBook): number {
  const n = bookLength(book, ['kind', 'spot', 'strike', 'timeYears', 'vol', 'rate', 'yield'])
  const { kind, spot, strike, timeYears, vol, rate } = book
  const q = book.yield
  for (let i = 0; i < n; i++) {
    const k = kind[i]!
    const S = spot[i]!
    const K = strike[i]!
    const T = timeYears[i]!
    const v = vol[i]!
    const finiteRates = Math.abs(rate[i]!) < Infinity && Math.abs(q[i]!) < Infinity
    if (k <= 1 && S > 0 && S < Infinity && K > 0 && K < Infinity && T >= 0 && T < Infinity && v >= 0 && v < Infinity && finiteRates)
      continue
    if (k !== 0 && k !== 1) throw new InvalidOptionInputError({ field: 'kind', value: k, expected: '0 (call) or 1 (put)', index: i })
    checkField({ field: 'spot', value: S, domain: 'positive', index: i })
    checkField({ field: 'strike', value: K, domain: 'positive', index: i })
    checkField({ field: 'timeYears', value: T, domain: 'nonNegative', index: i })
    checkField({ field: 'vol', value: v, domain: 'nonNegative', index: i })
    checkField({ field: 'rate', value: rate[i]!, domain: 'finite', index: i })
    checkField({ field: 'yield', value: q[i]!, domain: 'finite', index: i })
  }
  return n
}

/**
 * Prices a whole book with all Greeks (BSM with carry), writing into `out` (allocated if absent). Validates the
 * whole book first and throws on the first bad row; the pricing loop itself does not allocate. Results equal
 * `bsmGreeks` bit for bit (same kernel).
 */
export function bsmGreeksBatch(book: OptionBook, out?: GreeksArrays): GreeksArrays {
  const n = validateBook(book)
  const res = out ?? createGreeksArrays(n)
  if (res.price.length < n)
    throw new InvalidOptionInputError({ field: 'out.price', value: `length ${res.price.length}`, expected: `length >= ${n}` })
  const io = new Float64Array(KERNEL_IO_LENGTH)
  const { kind, spot, strike, timeYears, vol, rate } = book
  const q = book.yield
  const { price, delta, gamma, vega, theta, rho, vanna, volga } = res
  for (let i = 0; i < n; i++) {
    io[0] = spot[i]!
    io[1] = strike[i]!
    io[2] = timeYears[i]!
    io[3] = vol[i]!
    io[4] = rate[i]!
    io[5] = q[i]!
    bsmKernel(io, kind[i] === 0)
    price[i] = io[8]!
    delta[i] = io[9]!
    gamma[i] = io[10]!
    vega[i] = io[11]!
    theta[i] = io[12]!
    rho[i] = io[13]!
    vanna[i] = io[14]!
    volga[i] = io[15]!
  }
  return res
}

/**
 * Implied vols of a whole book of quotes. Unlike pricing, a bad or unattainable row is data: its status says why
 * (invalid input, below intrinsic, above the maximum) and its vol is NaN; the other rows are solved. No allocation
 * per option.
 */
export function impliedVolBatch(quotes: QuoteBook, out?: ImpliedVolArrays): ImpliedVolArrays {
  const n = bookLength(quotes, ['kind', 'price', 'spot', 'strike', 'timeYears', 'rate', 'yield'])
  const res = out ?? { vol: new Float64Array(n), status: new Uint8Array(n), iterations: new Uint8Array(n) }
  const scratch = new Float64Array(4)
  const { kind, price, spot, strike, timeYears, rate } = quotes
  const q = quotes.yield
  for (let i = 0; i < n; i++) {
    const k = kind[i]!
    const p = price[i]!
    const S = spot[i]!
    const K = strike[i]!
    const T = timeYears[i]!
    const r = rate[i]!
    const y = q[i]!
    // Written so that NaN fails every comparison and lands in invalid-input.
    if (
      !(
        (k === 0 || k === 1) &&
        p >= 0 &&
        S > 0 &&
        K > 0 &&
        T > 0 &&
        T < Infinity &&
        Math.abs(r) < Infinity &&
        Math.abs(y) < Infinity &&
        p < Infinity
      )
    ) {
      res.vol[i] = Number.NaN
      res.status[i] = IV_STATUS.invalidInput
      res.iterations[i] = 0
      continue
    }
    const v = solveCore(k === 0, p, S, K, T, r, y, scratch)
    res.iterations[i] = scratch[3]!
    if (v === BELOW_INTRINSIC || v === ABOVE_MAX) {
      res.vol[i] = Number.NaN
      res.status[i] = v === BELOW_INTRINSIC ? IV_STATUS.belowIntrinsic : IV_STATUS.aboveMax
    } else {
      res.vol[i] = v
      res.status[i] = IV_STATUS.ok
    }
  }
  return res
}
