import { parseUnits } from 'viem/utils'
import { z } from 'zod'

const chainKey = z.enum(['ethereum', 'arbitrum', 'base'])

/** A fee per gas written in gwei ("2.5"), held in wei. */
const gwei = z
  .string({
    error: (i) => (i.input === undefined ? 'required' : `expected a decimal string in gwei like "2.5", got ${JSON.stringify(i.input)}`),
  })
  .regex(/^\d+(\.\d{1,9})?$/, 'expected a non-negative decimal string in gwei with at most 9 decimals, like "2.5"')
  .transform((s) => parseUnits(s, 9))

/**
 * Where each chain's transactions go: `flashbots` (Ethereum only: bundles to a relay, never seen
 * in the public mempool), `public` (the chain's RPC, i.e. its mempool) or `private-rpc` (a
 * sequencer-direct or private endpoint the worker is configured with).
 */
export const submitRouteKind = z.enum(['flashbots', 'public', 'private-rpc'], {
  error: 'unknown route: expected flashbots, public or private-rpc',
})

/** How keel sends: the route per chain, how bundles are retried, how a stuck transaction is re-priced. */
export const executionSchema = z
  .object({
    /** Route per chain; absent chains take the default: Ethereum `flashbots`, L2s `public`. */
    routes: z.partialRecord(chainKey, submitRouteKind).default({}),
    bundle: z
      .object({
        /** Blocks after the first attempt by which a bundle must be included, else the fallback. */
        deadlineBlocks: z.number().int().min(1).max(100).default(6),
        /** The tip of the first attempt rises by this much at each block missed... */
        feeStepBps: z.number().int().min(0).max(10_000).default(2_500),
        /** ...up to this tip per gas, in gwei: the bundle's fee budget. */
        maxPriorityFeeGwei: gwei.default(5n * 10n ** 9n),
        /** At the deadline: `stop` cancels and reports (nothing is sent publicly); `public` sends the last attempt through the mempool. */
        fallback: z.enum(['stop', 'public']).default('stop'),
      })
      .strict()
      .default({ deadlineBlocks: 6, feeStepBps: 2_500, maxPriorityFeeGwei: 5n * 10n ** 9n, fallback: 'stop' }),
    reprice: z
      .object({
        /** A public or private send not mined after this many blocks is replaced at a higher fee. */
        afterBlocks: z.number().int().min(1).max(100).default(3),
        /** Highest fee cap per gas a replacement may reach, in gwei, per chain (default 200 on Ethereum, 1 on L2s). */
        maxFeeGwei: z.partialRecord(chainKey, gwei).default({}),
      })
      .strict()
      .default({ afterBlocks: 3, maxFeeGwei: {} }),
  })
  .strict()
  .superRefine((e, ctx) => {
    for (const [chain, route] of Object.entries(e.routes)) {
      if (route === 'flashbots' && chain !== 'ethereum')
        ctx.addIssue({
          code: 'custom',
          path: ['routes', chain],
          message: 'flashbots bundles exist on ethereum only; use public or private-rpc',
        })
    }
  })

export type ExecutionPolicy = z.output<typeof executionSchema>
