import { createServer, type IncomingMessage, type Server } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { z } from 'zod'
import type { StandInContext } from './context.ts'
import { loadSettled, runBundle } from './dataworker.ts'
import { type ApiAnswer, suggestedFees } from './quoteApi.ts'
import { fillDueDeposits, pollDeposits, type SeenDeposit } from './relayer.ts'

/** The knobs a POST /control may change; anything left out keeps its value. */
export const knobsPatchSchema = z
  .object({
    fill: z.boolean(),
    fillDelayMs: z.number().int().nonnegative(),
    bundleIntervalMs: z.number().int().nonnegative(),
    exclusivitySec: z.number().int().nonnegative().max(31_536_000),
  })
  .partial()
  .strict()

/** `done` settles when the loop ends by itself (orphaned); `stop` ends it and closes the endpoint. */
export type AcrossStandIn = { server: Server; done: Promise<void>; stop(): Promise<void> }

const pollIntervalMs = 500
const orphanAfterMs = 120_000

/**
 * The relayer and dataworker stand-in as one process: a loop that watches deposits, fills them
 * after the configured delay and runs the dataworker on its interval, and an HTTP endpoint on
 * 127.0.0.1 with the knobs (`/control`), a dataworker run on demand (`/bundle`), what it saw
 * (`/deposits`) and Across's quote API (`/suggested-fees`). Work is serialised: a bundle never
 * runs beside a fill, so the account's nonces stay in order.
 */
export async function startAcrossStandIn(ctx: StandInContext): Promise<AcrossStandIn> {
  const deposits = new Map<string, SeenDeposit>()
  const cursors = new Map<number, bigint>()
  const settled = loadSettled(ctx.config.statePath)
  let lastBundleMs = Date.now()
  let queue: Promise<unknown> = Promise.resolve()
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn)
    queue = next.catch(() => undefined)
    return next
  }
  const bundleNow = () =>
    exclusive(async () => {
      await pollDeposits({ ctx, cursors, deposits })
      lastBundleMs = Date.now()
      return runBundle({ ctx, deposits, settled })
    })

  let stopping = false
  let lastAnsweredMs = Date.now()
  const loop = (async () => {
    while (!stopping) {
      try {
        await exclusive(async () => {
          if ((await pollDeposits({ ctx, cursors, deposits })) > 0) lastAnsweredMs = Date.now()
          await fillDueDeposits({ ctx, deposits })
        })
        // Orphaned (its devnet gone without stopping it): exit rather than poll dead ports forever.
        if (Date.now() - lastAnsweredMs > orphanAfterMs) {
          ctx.log(`no chain answered for ${orphanAfterMs / 1000} s: the devnet is gone, exiting`)
          stopping = true
          break
        }
        const interval = ctx.config.knobs.bundleIntervalMs
        if (interval > 0 && Date.now() - lastBundleMs >= interval) await bundleNow()
      } catch (err) {
        ctx.log(`loop: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`)
      }
      await sleep(pollIntervalMs)
    }
  })()

  const route = async (req: IncomingMessage): Promise<ApiAnswer> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const key = `${req.method} ${url.pathname}`
    if (key === 'GET /health') return { status: 200, body: { ok: true } }
    if (key === 'GET /control') return { status: 200, body: ctx.config.knobs }
    if (key === 'POST /control') {
      const patch = knobsPatchSchema.safeParse(JSON.parse((await readBody(req)) || '{}'))
      if (!patch.success) return { status: 400, body: { error: patch.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) } }
      Object.assign(ctx.config.knobs, patch.data)
      ctx.log(`knobs: ${JSON.stringify(ctx.config.knobs)}`)
      return { status: 200, body: ctx.config.knobs }
    }
    if (key === 'POST /bundle') return { status: 200, body: await bundleNow() }
    if (key === 'GET /deposits') return { status: 200, body: [...deposits.values()] }
    if (key === 'GET /suggested-fees') return suggestedFees(ctx, url.searchParams)
    return { status: 404, body: { error: `no route ${key}` } }
  }

  const server = createServer((req, res) => {
    route(req)
      .catch(
        (err: unknown): ApiAnswer => ({ status: 500, body: { error: err instanceof Error ? err.message.split('\n')[0] : String(err) } }),
      )
      .then((answer) => {
        res.writeHead(answer.status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(answer.body, (_, v) => (typeof v === 'bigint' ? v.toString() : v)))
      })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ port: ctx.config.apiPort, host: '127.0.0.1', exclusive: true }, resolve)
  })
  ctx.log(`listening on http://127.0.0.1:${ctx.config.apiPort}`)
  return {
    server,
    done: loop,
    async stop() {
      stopping = true
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()))
      await loop
    },
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
