import { setTimeout as sleep } from 'node:timers/promises'
import type { Hex } from 'viem'
import { z } from 'zod'
import { DevnetError } from '../../errors.ts'
import {
  type DeliveryConfig,
  type DeliveryState,
  deliveryConfigSchema,
  deliveryStateSchema,
  type FaultKind,
  type PacketRecord,
} from './schemas.ts'

/** A client of the delivery service's control endpoint (tests and operators turn its knobs with it). */
export type DeliveryControl = {
  state(): Promise<DeliveryState>
  setConfig(patch: Partial<DeliveryConfig>): Promise<DeliveryConfig>
  /** Queues `count` (default 1) one-shot faults for the next packets the service sees. */
  addFault(kind: FaultKind, count?: number): Promise<FaultKind[]>
  /** Releases dropped packets (one, or all): the service verifies and executes them as usual. */
  deliver(guid?: Hex): Promise<Hex[]>
  /** Resolves with the packet once `until` holds for it, or throws after `timeoutMs`. */
  waitForPacket(p: { guid: Hex; until: (r: PacketRecord) => boolean; timeoutMs: number }): Promise<PacketRecord>
}

export function createDeliveryControl(url: string): DeliveryControl {
  const call = async <S extends z.ZodType>(p: { method: string; path: string; body?: unknown; schema: S }): Promise<z.output<S>> => {
    const res = await fetch(new URL(p.path, url), {
      method: p.method,
      headers: { 'content-type': 'application/json' },
      ...(p.body === undefined ? {} : { body: JSON.stringify(p.body) }),
    })
    const json: unknown = await res.json()
    if (!res.ok) throw new DevnetError(`delivery service refused ${p.method} ${p.path} (${res.status})`, { details: JSON.stringify(json) })
    return p.schema.parse(json)
  }
  const control: DeliveryControl = {
    state: () => call({ method: 'GET', path: '/state', schema: deliveryStateSchema }),
    setConfig: (patch) => call({ method: 'PUT', path: '/config', body: patch, schema: deliveryConfigSchema }),
    addFault: async (kind, count = 1) =>
      (
        await call({
          method: 'POST',
          path: '/faults',
          body: { kind, count },
          schema: z.object({ faults: deliveryStateSchema.shape.faults }),
        })
      ).faults,
    deliver: async (guid) =>
      (await call({ method: 'POST', path: '/deliver', body: guid ? { guid } : {}, schema: z.object({ released: z.array(z.string()) }) }))
        .released as Hex[],
    async waitForPacket({ guid, until, timeoutMs }) {
      const deadline = performance.now() + timeoutMs
      for (;;) {
        const rec = (await control.state()).packets.find((r) => r.guid === guid.toLowerCase())
        if (rec && until(rec)) return rec
        if (performance.now() > deadline) {
          throw new DevnetError(`packet ${guid} did not reach the expected state in ${timeoutMs} ms`, {
            details: rec ? `state ${rec.state}${rec.lastError ? `: ${rec.lastError}` : ''}` : 'not seen by the delivery service',
          })
        }
        await sleep(100)
      }
    },
  }
  return control
}
