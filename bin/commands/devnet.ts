import { parseArgs } from 'node:util'
import { z } from 'zod'
import { InvalidInputError } from '../../agent/errors.ts'
import { devnetDown, devnetUp } from '../../chains/devnet/devnet.ts'
import { loadConfig } from '../../temporal/config.ts'
import { progress } from '../runtime.ts'

const upFlags = z.object({
  'block-time': z.coerce.number().int().min(1).max(60).optional(),
  seed: z.coerce.number().int().min(0).optional(),
  price: z.coerce.number().positive().optional(),
})

/** `keel devnet up [--block-time s] [--seed n] [--price usd]` / `keel devnet down`. */
export async function devnetCommand(argv: string[]): Promise<number> {
  const [action, ...rest] = argv
  const { stateDir } = loadConfig()
  if (action === 'down') {
    await devnetDown({ stateDir, log: progress })
    return 0
  }
  if (action !== 'up')
    throw new InvalidInputError({ what: 'arguments of keel devnet', issues: [{ path: 'devnet', message: 'expected "up" or "down"' }] })
  const { values } = parseArgs({
    args: rest,
    options: { 'block-time': { type: 'string' }, seed: { type: 'string' }, price: { type: 'string' } },
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
  const { manifest, manifestPath } = await devnetUp({
    stateDir,
    log: progress,
    ...(f['block-time'] !== undefined ? { blockTimeSec: f['block-time'] } : {}),
    ...(f.seed !== undefined ? { seed: f.seed } : {}),
    ...(f.price !== undefined ? { initialEthPriceUsd: f.price } : {}),
  })
  for (const [key, c] of Object.entries(manifest.chains))
    console.log(`${key.padEnd(9)} chain ${String(c.chainId).padEnd(6)} ${c.rpcUrl}  pool ${c.contracts.wethUsdcPool}`)
  console.log(`manifest: ${manifestPath}`)
  return 0
}
