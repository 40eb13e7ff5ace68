import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { z } from 'zod'
import type { DeliveryService } from './deliveryService.ts'
import { configPatchSchema, deliverRequestSchema, faultRequestSchema } from './schemas.ts'

/**
 * The delivery service's knobs over HTTP on 127.0.0.1 (JSON in, JSON out):
 * `GET /state`, `PUT /config` {delayMs, executeDelayMs, mode}, `POST /faults` {kind, count},
 * `POST /deliver` {guid?}. Bodies are checked with zod; a bad one gets 400 with the issues.
 */
export function startControlServer(p: { port: number; service: DeliveryService }): Promise<Server> {
  const server = createServer((req, res) => {
    handle({ service: p.service, req, res }).catch((err: unknown) =>
      reply(res, { status: 500, body: { error: err instanceof Error ? err.message : String(err) } }),
    )
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ port: p.port, host: '127.0.0.1', exclusive: true }, () => resolve(server))
  })
}

type Exchange = { req: IncomingMessage; res: ServerResponse }

async function handle({ service, req, res }: Exchange & { service: DeliveryService }): Promise<void> {
  const route = `${req.method} ${new URL(req.url ?? '/', 'http://localhost').pathname}`
  const ok = (body: unknown) => reply(res, { status: 200, body })
  if (route === 'GET /state') return ok(service.state())
  if (route === 'PUT /config') return withBody({ req, res, schema: configPatchSchema, use: (patch) => ok(service.setConfig(patch)) })
  if (route === 'POST /faults') return withBody({ req, res, schema: faultRequestSchema, use: (f) => ok({ faults: service.addFaults(f) }) })
  if (route === 'POST /deliver')
    return withBody({ req, res, schema: deliverRequestSchema, use: (d) => ok({ released: service.deliver(d.guid) }) })
  reply(res, { status: 404, body: { error: `no route ${route}` } })
}

/** Reads the JSON body, checks it with `schema`, and hands it on; a body that is not JSON or does not fit gets 400. */
async function withBody<S extends z.ZodType>(p: Exchange & { schema: S; use: (body: z.output<S>) => void }): Promise<void> {
  const chunks: Buffer[] = []
  for await (const chunk of p.req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  let json: unknown
  try {
    json = text.length === 0 ? {} : JSON.parse(text)
  } catch {
    return reply(p.res, { status: 400, body: { error: 'body is not JSON' } })
  }
  const parsed = p.schema.safeParse(json)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    return reply(p.res, { status: 400, body: { error: 'invalid body', issues } })
  }
  p.use(parsed.data)
}

function reply(res: ServerResponse, p: { status: number; body: unknown }): void {
  res.writeHead(p.status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(p.body))
}
