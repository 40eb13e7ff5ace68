import { parseUnits } from 'viem/utils'
import { z } from 'zod'

/**
 * The option book a mandate asks for: premium-selling strategies on ETH written on Opyn Gamma,
 * their strikes chosen by delta, expiries on a weekly schedule, what a sale must at least fetch,
 * and the Greek objectives of the whole book. Amounts are decimal strings in whole tokens.
 */

const weekdays = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const

const usdc = (what: string) =>
  z
    .string({
      error: (i) => (i.input === undefined ? 'required' : `expected a decimal string in USDC like "250", got ${JSON.stringify(i.input)}`),
    })
    .regex(/^\d+(\.\d{1,6})?$/, `expected ${what} as a non-negative decimal string in USDC with at most 6 decimals`)
    .transform((s) => parseUnits(s, 6))

const eth = z
  .string({
    error: (i) => (i.input === undefined ? 'required' : `expected a decimal string in ETH like "20", got ${JSON.stringify(i.input)}`),
  })
  .regex(/^\d+(\.\d{1,8})?$/, 'expected a decimal string in ETH with at most 8 decimals (oTokens have 8)')
  .transform((s) => parseUnits(s, 18))
  .refine((v) => v > 0n, 'must be greater than 0')
  .refine((v) => v <= 1_000_000n * 10n ** 18n, 'at most 1000000 ETH per roll')

/** |delta| of the strike to sell: out of the money, so above 0 and at most 0.5. */
const strikeDelta = z
  .number({ error: 'expected a delta like 0.25' })
  .gt(0, 'must be above 0')
  .max(0.5, 'at most 0.5: strikes are sold out of the money')

const expirySchema = z
  .object({
    weekday: z.enum(weekdays, { error: `expected a weekday: ${weekdays.join(', ')}` }),
    /** Gamma settles at 08:00 UTC only. */
    hourUtc: z.literal(8, { error: 'Opyn Gamma series expire at 08:00 UTC: hourUtc must be 8' }).default(8),
    /** The nearest expiry at least this many days after the roll. */
    minDaysAway: z.number().int().min(0).max(60).default(5),
  })
  .strict()

const approvalSchema = z
  .object({
    /** The roll waits for an operator's `approveRoll` before minting. */
    required: z.boolean().default(false),
    deadlineSec: z
      .number()
      .int()
      .min(60)
      .max(7 * 86_400)
      .default(3_600),
    /** What the roll does when nobody approved by the deadline. */
    onTimeout: z.enum(['skip', 'proceed']).default('skip'),
  })
  .strict()

const strategySchema = z
  .object({
    kind: z.enum(['covered-call', 'cash-secured-put', 'short-strangle'], {
      error: 'expected covered-call, cash-secured-put or short-strangle',
    }),
    /** ETH of options written per roll (each leg of a strangle). */
    sizeEth: eth,
    /** |delta| of the call strike: covered calls and strangles. */
    callDelta: strikeDelta.optional(),
    /** |delta| of the put strike: cash-secured puts and strangles. */
    putDelta: strikeDelta.optional(),
    expiry: expirySchema,
    /** Least premium a roll must fetch in all, USDC. */
    minPremiumUsdc: usdc('a premium'),
    /** Largest discount to keel's model price a maker's bid may have, bps. */
    maxDiscountBps: z.number().int().min(0).max(5_000),
    approval: approvalSchema.default({ required: false, deadlineSec: 3_600, onTimeout: 'skip' }),
    /**
     * The put leg's collateral: `full` (strike × size USDC, cash-secured) or `margin` (Gamma's naked
     * margin plus `marginBufferBps`, topped up each cycle before liquidation is possible). Strangles only.
     */
    putCollateral: z.enum(['full', 'margin'], { error: 'expected full or margin' }).default('full'),
    /** With margin: collateral kept at the required margin plus this much; topped up below half of it. */
    marginBufferBps: z.number().int().min(1_000).max(20_000).default(5_000),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.putCollateral === 'margin' && s.kind !== 'short-strangle')
      ctx.addIssue({
        code: 'custom',
        path: ['putCollateral'],
        message:
          s.kind === 'cash-secured-put' ? 'a cash-secured put is fully collateralised by definition' : 'a covered call has no put leg',
      })
    const needs = { 'covered-call': ['callDelta'], 'cash-secured-put': ['putDelta'], 'short-strangle': ['callDelta', 'putDelta'] }[s.kind]
    for (const key of ['callDelta', 'putDelta'] as const) {
      if (needs.includes(key) && s[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `required for a ${s.kind}` })
      if (!needs.includes(key) && s[key] !== undefined)
        ctx.addIssue({ code: 'custom', path: [key], message: `a ${s.kind} has no ${key === 'callDelta' ? 'call' : 'put'} leg` })
    }
  })

/**
 * The lab's time-or-price rule in an operator's units: back to the target when `intervalSec`
 * passed since the last hedge or ETH moved `priceMoveBps` since then (and the mandate's band still
 * bounds delta in between).
 */
const timeOrPriceSchema = z
  .object({
    /** Chain seconds after the last hedge when keel hedges back to the target even if ETH has not moved. */
    intervalSec: z
      .number({ error: 'expected whole seconds like 86400' })
      .int('expected whole seconds like 86400')
      .min(60, 'at least 60 seconds')
      .max(30 * 86_400, 'at most 30 days (2592000 seconds)')
      .default(86_400),
    /**
     * Move of ETH's price since the last hedge that hedges at once, bps. Absent: one standard
     * deviation over `intervalSec` at the mark smile's at-the-money vol, as the lab sweeps it.
     */
    priceMoveBps: z
      .number({ error: 'expected bps like 200' })
      .int('expected whole bps like 200')
      .min(1, 'at least 1 bps')
      .max(5_000, 'at most 5000 bps (50%)')
      .optional(),
    /**
     * Delta closer to the target than this is left alone when the interval or the price fires: the
     * trade would cost more than it corrects. Absent: a tenth of the mandate's band.
     */
    minTradeEth: z
      .string({
        error: (i) => (i.input === undefined ? 'required' : `expected a decimal string in ETH like "0.5", got ${JSON.stringify(i.input)}`),
      })
      .regex(/^\d+(\.\d{1,18})?$/, 'expected a decimal string in ETH with at most 18 decimals')
      .transform((s) => parseUnits(s, 18))
      .refine((v) => v > 0n, 'must be greater than 0')
      .optional(),
  })
  .strict()

const timeOrPriceDefaults = timeOrPriceSchema.parse({})

export const optionsSchema = z
  .object({
    underlying: z.literal('ETH').default('ETH'),
    venue: z.literal('opyn-gamma', { error: 'the only option venue is opyn-gamma' }).default('opyn-gamma'),
    /** The grid strikes are chosen on, USD. */
    strikeStepUsd: z.number().positive().max(10_000).default(50),
    /** Chains where series may be written; the roll picks the one with the best premium net of costs. */
    chains: z.array(z.enum(['ethereum', 'arbitrum', 'base'])).min(1),
    strategies: z.array(strategySchema).min(1, 'at least one strategy'),
    objectives: z
      .object({
        /** Most negative book gamma allowed, ETH of delta per 1 USD of ETH price (short options make it negative). */
        gammaFloor: z.number().max(0, 'a floor on short gamma is 0 or negative'),
        /** Largest |vega| of the book, USDC per vol point. */
        vegaLimitUsdc: usdc('a vega limit'),
        /** Theta the book aims to earn, USDC per day. */
        thetaTargetUsdcPerDay: usdc('a theta target'),
      })
      .strict(),
    /** The smile keel marks its book on (SVI of annual variance on ln(K/S)), until it fits one to makers' quotes. */
    mark: z
      .object({
        svi: z
          .object({ a: z.number(), b: z.number().min(0), rho: z.number().gt(-1).lt(1), m: z.number(), sigma: z.number().gt(0) })
          .strict(),
      })
      .strict(),
    /**
     * The live hedge policy of the lab: Whalley–Wilmott sizes the band from the book's gamma and each
     * chain's cost; time-or-price hedges back to the target on a timer or a price move (`timeOrPrice`).
     */
    hedgePolicy: z
      .enum(['band', 'whalley-wilmott', 'time-or-price'], { error: 'expected band, whalley-wilmott or time-or-price' })
      .default('whalley-wilmott'),
    /** time-or-price only; defaults to a daily interval when that policy is chosen without it. */
    timeOrPrice: timeOrPriceSchema.optional(),
    /** Whalley–Wilmott's absolute risk aversion, per USD: higher keeps the band narrower (more hedging, less risk). */
    riskAversion: z.number().positive().max(1).default(0.0001),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.timeOrPrice !== undefined && o.hedgePolicy !== 'time-or-price')
      ctx.addIssue({ code: 'custom', path: ['timeOrPrice'], message: `only for hedgePolicy time-or-price, not ${o.hedgePolicy}` })
  })
  // Narrowing on hedgePolicy then gives time-or-price its parameters, and the other policies none.
  .transform(({ timeOrPrice, ...o }) =>
    o.hedgePolicy === 'time-or-price'
      ? { ...o, hedgePolicy: o.hedgePolicy, timeOrPrice: timeOrPrice ?? timeOrPriceDefaults }
      : { ...o, hedgePolicy: o.hedgePolicy },
  )

export type OptionsMandate = z.output<typeof optionsSchema>
export type OptionStrategy = OptionsMandate['strategies'][number]
