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
    handle(p.service, req, res).catch((err: unknown) => reply(res, 500, { error: err instanceof Error ? err.message : String(err) }))
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ port: p.port, host: '127.0.0.1', exclusive: true }, () => resolve(server))
  })
}

async function handle(service: DeliveryService, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const route = `${req.method} ${new URL(req.url ?? '/', 'http://localhost').pathname}`
  if (route === 'GET /state') return reply(res, 200, service.state())
  if (route === 'PUT /config') return withBody(req, res, configPatchSchema, (patch) => reply(res, 200, service.setConfig(patch)))
  if (route === 'POST /faults') return withBody(req, res, faultRequestSchema, (f) => reply(res, 200, { faults: service.addFaults(f) }))
  if (route === 'POST /deliver')
    return withBody(req, res, deliverRequestSchema, (d) => reply(res, 200, { released: service.deliver(d.guid) }))
  reply(res, 404, { error: `no route ${route}` })
}

async function withBody<S extends z.ZodType>(req: IncomingMessage, res: ServerResponse, schema: S, then: (body: z.output<S>) => void) {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  let json: unknown
  try {
    json = text.length === 0 ? {} : JSON.parse(text)
  } catch {
    return reply(res, 400, { error: 'body is not JSON' })
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success)
    return reply(res, 400, { error: 'invalid body', issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) })
  then(parsed.data)
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}
