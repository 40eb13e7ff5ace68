import { parseArgs } from 'node:util'
import { InvalidInputError } from '../../agent/errors.ts'
import { type ChainKey, chainKeys } from '../../chains/types.ts'
import { loadChainEnvironment } from '../../temporal/chainEnvironment.ts'
import { createKeelWorkers } from '../../temporal/worker.ts'
import { connectRuntime, progress } from '../runtime.ts'

/** `keel worker [--chains a,b] [--no-portfolio] [--task-queue-prefix p]`: runs until SIGINT/SIGTERM. */
export async function workerCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { chains: { type: 'string' }, 'no-portfolio': { type: 'boolean' }, 'task-queue-prefix': { type: 'string' } },
  })
  const signChains = parseChains(values.chains)
  const { config, temporal } = await connectRuntime()
  const environment = loadChainEnvironment({ stateDir: config.stateDir })
  const workers = await createKeelWorkers({
    connectionOptions: temporal.connectionOptions,
    namespace: temporal.namespace,
    taskQueuePrefix: values['task-queue-prefix'] ?? '',
    environment,
    signChains,
    servePortfolio: !values['no-portfolio'],
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => workers.shutdown())
  progress(
    `worker: ${environment.network}, signing on ${signChains.join(', ') || 'no chain'}${values['no-portfolio'] ? '' : ', serving the portfolio queue'}`,
  )
  await workers.run()
  return 0
}

function parseChains(raw: string | undefined): ChainKey[] {
  if (raw === undefined) return [...chainKeys]
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const bad = list.filter((c) => !(chainKeys as readonly string[]).includes(c))
  if (bad.length > 0) {
    throw new InvalidInputError({
      what: 'arguments of keel worker',
      issues: [{ path: '--chains', message: `unknown chain(s) ${bad.join(', ')}; expected ${chainKeys.join(', ')}` }],
    })
  }
  return list as ChainKey[]
}
