/** Option side. */
export type OptionKind = 'call' | 'put'

/**
 * Black–Scholes–Merton with continuous carry: rate `r`, yield `q` (dividend / funding), cost of carry b = r - q.
 * `timeYears` is calendar time to expiry in years (ACT/365 is the caller's choice), `vol` is annualised (0.8 = 80%),
 * `rate` and `yield` are continuously compounded per year. `yield` defaults to 0.
 */
export type BsmInput = { kind: OptionKind; spot: number; strike: number; timeYears: number; vol: number; rate: number; yield?: number }

/** Black-76 on a forward (or future): `rate` only discounts the payoff; the forward is held fixed. */
export type Black76Input = { kind: OptionKind; forward: number; strike: number; timeYears: number; vol: number; rate: number }

/**
 * Units: price in quote currency; delta dV/dS; gamma d2V/dS2; vega per 1.00 vol (not per 1%); theta per year (dV/dt,
 * calendar time passing, i.e. usually negative for long options); rho per 1.00 rate; vanna d2V/dS dvol; volga d2V/dvol2.
 * For Black-76, S is the forward and rho is taken with the forward held fixed (rho = -T * price).
 */
export type Greeks = { price: number; delta: number; gamma: number; vega: number; theta: number; rho: number; vanna: number; volga: number }
