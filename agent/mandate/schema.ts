import { parseUnits } from 'viem/utils'
import { z } from 'zod'
import { InvalidInputError } from '../errors.ts'
import { executionSchema } from './executionSchema.ts'
import { optionsSchema } from './optionsSchema.ts'

const chainKey = z.enum(['ethereum', 'arbitrum', 'base'])
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 20-byte hex address (0x + 40 hex digits)')

/**
 * Physical bounds on amounts, so that a typo (a target of 1 followed by 80 zeros) is refused by
 * name instead of traded on. No ETH quantity can exceed all the ETH in existence (~120 M); no
 * single transaction's gas bill comes near a million USDC (a full block at 1,000 gwei is ~36 ETH).
 */
export const MAX_ETH_QUANTITY = 200_000_000n * 10n ** 18n
export const MAX_GAS_COST_USDC = 1_000_000n * 10n ** 6n

/** A 0.5 % move of the ETH price since the last observation wakes the loop unless the mandate says otherwise. */
export const DEFAULT_WAKE_ON_MOVE_BPS = 50

/** A money amount written by a human: a decimal string in whole tokens, turned into base units. */
const tokenAmount = (decimals: number, unit: string) =>
  z
    .string({
      error: (i) =>
        i.input === undefined ? 'required' : `expected a decimal string in ${unit} like "12.5", got ${JSON.stringify(i.input)}`,
    })
    .regex(/^\d+(\.\d+)?$/, `expected a non-negative decimal string in ${unit} like "12.5"`)
    .refine((s) => (s.split('.')[1]?.length ?? 0) <= decimals, `at most ${decimals} decimals for ${unit}`)
    .transform((s) => parseUnits(s, decimals))

const beyondEth = 'at most 200000000 ETH in size: more than all the ETH in existence'

/** A signed ETH quantity; YAML numbers are accepted and read through their decimal text. */
const ethQuantity = z
  .union([z.string(), z.number()], { error: 'expected an ETH quantity like 5 or "-2.5"' })
  .transform((v) => (typeof v === 'number' ? v.toString() : v))
  .pipe(
    z
      .string()
      .regex(/^-?\d+(\.\d{1,18})?$/, 'expected a decimal ETH quantity with at most 18 decimals')
      .transform((s) => parseUnits(s, 18)),
  )

/** Hedge capacity to keep of one asset on one chain: below `min`, keel moves capital there up to `target`. */
const capacity = (decimals: number, unit: string) =>
  z
    .object({ min: tokenAmount(decimals, unit), target: tokenAmount(decimals, unit) })
    .strict()
    .refine((c) => c.min <= c.target, { message: 'min must not exceed target', path: ['min'] })

/**
 * Capital per chain: how much hedge capacity each chain keeps, and what moving it may cost. A
 * chain below its minimum of an asset is refilled to its target from chains above their own
 * target, over the cheapest allowed bridge, when the whole cost of the move stays within budget.
 */
const capitalSchema = z
  .object({
    chains: z.partialRecord(chainKey, z.object({ weth: capacity(18, 'ETH').optional(), usdc: capacity(6, 'USDC').optional() }).strict()),
    /** Largest cost of a transfer (fees in the asset, native fees, gas, time in flight) per unit moved, bps. */
    maxCostBps: z.number().int().min(1).max(500).default(30),
    /** Bridges keel may use, by adapter id; absent: every bridge the workers know. */
    bridges: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a bridge id like across-v3'))
      .min(1)
      .optional(),
    /** What capital in flight costs, bps per year of its value (time value of a transfer). */
    timeValueBpsPerYear: z.number().int().min(0).max(10_000).default(500),
    /**
     * Hedges funded by a transfer: when the chain where a hedge is cheapest lacks the capital for
     * it, keel may move that capital there first and hedge with what arrived, if the transfer and
     * the hedge together cost less per ETH than hedging elsewhere now and the route is expected to
     * deliver within `maxDelaySec` (the hedge waits that long outside the band). Absent: never.
     */
    fundHedges: z
      .object({ maxDelaySec: z.number().int().min(1).max(86_400) })
      .strict()
      .optional(),
  })
  .strict()

/**
 * The mandate as written (YAML or JSON). Amounts stay strings here so the same object can cross
 * the Temporal boundary unchanged; `parseMandate` turns it into the typed `Mandate`.
 */
export const mandateSchema = z
  .object({
    portfolio: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'expected a lowercase id of letters, digits and dashes (2–63 chars)'),
    chains: z
      .partialRecord(chainKey, z.object({ treasury: address }).strict())
      .refine((r) => Object.keys(r).length > 0, 'at least one chain is required'),
    delta: z
      .object({
        underlying: z.literal('ETH').default('ETH'),
        /** Target portfolio delta in ETH, held as wei so band checks are exact. */
        targetEth: ethQuantity.refine((v) => v <= MAX_ETH_QUANTITY && v >= -MAX_ETH_QUANTITY, beyondEth),
        /** Half-width of the band around the target, in ETH. */
        bandEth: ethQuantity.refine((v) => v > 0n, 'must be greater than 0').refine((v) => v <= MAX_ETH_QUANTITY, beyondEth),
      })
      .strict(),
    hedge: z
      .object({
        /** Worst acceptable execution vs the pool's mid price, price impact and fee included. */
        maxSlippageBps: z.number().int('must be an integer number of bps').min(1).max(1000),
        /** Largest gas cost of one hedge, in USDC. */
        maxGasCostUsdc: tokenAmount(6, 'USDC').refine(
          (v) => v <= MAX_GAS_COST_USDC,
          'at most 1000000 USDC: no single transaction pays that much gas',
        ),
        /** Largest single hedge, in ETH. */
        maxHedgeSizeEth: tokenAmount(18, 'ETH')
          .refine((v) => v > 0n, 'must be greater than 0')
          .refine((v) => v <= MAX_ETH_QUANTITY, beyondEth),
        /** Seconds a swap stays valid after its quote, in chain time. */
        deadlineSec: z.number().int().min(30).max(3600).default(600),
      })
      .strict(),
    loop: z
      .object({
        /** Wall-clock seconds between observations when nothing wakes the loop. */
        intervalSec: z.number().int().min(1).max(86_400).default(60),
        /**
         * Wakes the loop before its interval when a new block on a held chain moves the pool's ETH
         * price more than this many bps from the last observation (or the option book's price feed
         * posts a new round). `null`: the interval and operator signals only.
         */
        wakeOnMoveBps: z.number().int('must be an integer number of bps').min(1).max(5_000).nullable().default(DEFAULT_WAKE_ON_MOVE_BPS),
      })
      .strict()
      .default({ intervalSec: 60, wakeOnMoveBps: DEFAULT_WAKE_ON_MOVE_BPS }),
    capital: capitalSchema.optional(),
    /** Submission routes, bundle retries and re-pricing (agent/mandate/executionSchema.ts); absent: the defaults. */
    execution: executionSchema.optional(),
    /** The option book (agent/mandate/optionsSchema.ts); absent: keel hedges spot and LP only. */
    options: optionsSchema.optional(),
    paused: z.boolean().default(false),
  })
  .strict()
  .superRefine((m, ctx) => {
    for (const chain of Object.keys(m.capital?.chains ?? {})) {
      if (!(chain in m.chains))
        ctx.addIssue({ code: 'custom', path: ['capital', 'chains', chain], message: `${chain} is not one of the mandate's chains` })
    }
    for (const [i, chain] of (m.options?.chains ?? []).entries()) {
      if (!(chain in m.chains))
        ctx.addIssue({ code: 'custom', path: ['options', 'chains', i], message: `${chain} is not one of the mandate's chains` })
    }
  })

/** The mandate as written: what crosses Temporal and what operators edit. */
export type MandateInput = z.input<typeof mandateSchema>
/** The validated mandate: money in bigint base units. */
export type Mandate = z.output<typeof mandateSchema>

/** Formats zod issues as `path: message (got value)` so operators see what and where. */
export function describeIssues(error: z.ZodError, input: unknown): { path: string; message: string }[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.')
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: path ? `${path}.${key}` : key, message: 'unknown key (misspelled or not supported here)' }))
    }
    const got = valueAt(input, issue.path)
    const shown = got === undefined ? '' : ` (got ${JSON.stringify(got, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))})`
    return [{ path, message: `${issue.message}${issue.code === 'invalid_type' ? '' : shown}` }]
  })
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Record<PropertyKey, unknown>)[key]
  }
  return cur
}

/** Validates a mandate; throws `InvalidInputError` naming every bad field. */
export function parseMandate(input: unknown, source = 'mandate'): Mandate {
  const result = mandateSchema.safeParse(input)
  if (!result.success) throw new InvalidInputError({ what: source, issues: describeIssues(result.error, input) })
  return result.data
}

/** Non-throwing variant for validators and CLIs. */
export function safeParseMandate(
  input: unknown,
): { ok: true; mandate: Mandate } | { ok: false; issues: { path: string; message: string }[] } {
  const result = mandateSchema.safeParse(input)
  return result.success ? { ok: true, mandate: result.data } : { ok: false, issues: describeIssues(result.error, input) }
}
