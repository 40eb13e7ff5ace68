import { parseArgs } from 'node:util'
import { z } from 'zod'
import { InvalidInputError } from '../../agent/errors.ts'
import { devnetDown, devnetReset, devnetUp } from '../../chains/devnet/devnet.ts'
import { restartChain } from '../../chains/devnet/restartChain.ts'
import { type ChainKey, chainKeys, type DevnetManifest } from '../../chains/types.ts'
import { loadConfig } from '../../temporal/config.ts'
import { progress } from '../runtime.ts'

const upFlags = z.object({
  'block-time': z.coerce.number().int().min(1).max(60).optional(),
  seed: z.coerce.number().int().min(0).optional(),
  price: z.coerce.number().positive().optional(),
  fresh: z.boolean().optional(),
})

const usage = 'expected up [--fresh], restart <chain>, down or reset'

/**
 * `keel devnet up [--fresh] [--block-time s] [--seed n] [--price usd]` / `restart <chain>` / `down` / `reset`.
 * `up` resumes a recorded devnet from its state (restarting dead chains) unless `--fresh`; `down`
 * keeps the state; `reset` forgets it.
 */
export async function devnetCommand(argv: string[]): Promise<number> {
  const [action, ...rest] = argv
  const { stateDir } = loadConfig()
  if (action === 'down') {
    await devnetDown({ stateDir, log: progress })
    return 0
  }
  if (action === 'reset') {
    await devnetReset({ stateDir, log: progress })
    return 0
  }
  if (action === 'restart') {
    const chain = rest[0]
    if (!chain || !(chainKeys as readonly string[]).includes(chain))
      throw new InvalidInputError({
        what: 'arguments of keel devnet restart',
        issues: [{ path: 'chain', message: `expected one of ${chainKeys.join(', ')} (got ${JSON.stringify(chain ?? '')})` }],
      })
    const r = await restartChain({ stateDir, chain: chain as ChainKey, log: progress })
    console.log(
      `${r.chain.padEnd(9)} ${r.rpcUrl}  pid ${r.pid}  block ${r.blockNumber}${r.movedFrom ? `  (moved from ${r.movedFrom})` : ''}`,
    )
    return 0
  }
  if (action !== 'up') throw new InvalidInputError({ what: 'arguments of keel devnet', issues: [{ path: 'devnet', message: usage }] })
  const { values } = parseArgs({
    args: rest,
    options: { 'block-time': { type: 'string' }, seed: { type: 'string' }, price: { type: 'string' }, fresh: { type: 'boolean' } },
  })
  const parsed = upFlags.safeParse(values)
  if (!parsed.success) {
    throw new InvalidInputError({
      what: 'arguments of keel devnet up',
      issues: parsed.error.issues.map((i) => ({
        path: `--${i.path.join('.')}`,
        message: `${i.message} (got ${JSON.stringify(values[i.path[0] as keyof typeof values])})`,
      })),
    })
  }
  const f = parsed.data
  const result = await devnetUp({
    stateDir,
    log: progress,
    fresh: f.fresh ?? false,
    ...(f['block-time'] !== undefined ? { blockTimeSec: f['block-time'] } : {}),
    ...(f.seed !== undefined ? { seed: f.seed } : {}),
    ...(f.price !== undefined ? { initialEthPriceUsd: f.price } : {}),
  })
  if (result.status === 'already-running') {
    const ignored = ['block-time', 'seed', 'price'].filter((k) => values[k as keyof typeof values] !== undefined)
    console.log(`already running${ignored.length ? ` (--${ignored.join(', --')} ignored; --fresh starts anew)` : ''}`)
  }
  printChains(result.manifest)
  console.log(`manifest: ${result.manifestPath}`)
  return 0
}

function printChains(manifest: DevnetManifest): void {
  for (const [key, c] of Object.entries(manifest.chains))
    console.log(`${key.padEnd(9)} chain ${String(c.chainId).padEnd(6)} ${c.rpcUrl}  pool ${c.contracts.wethUsdcPool}`)
}
