import { parseArgs } from 'node:util'
import { InvalidInputError } from '../../agent/errors.ts'
import { type ChainKey, chainKeys } from '../../chains/types.ts'
import { portfolioControls, startPortfolio } from '../../temporal/client.ts'
import { loadMandateFile } from '../../temporal/mandateFile.ts'
import { formatStatus } from '../format.ts'
import { connectRuntime } from '../runtime.ts'

const usageError = (command: string, message: string) =>
  new InvalidInputError({ what: `arguments of keel ${command}`, issues: [{ path: command, message }] })

function positional(command: string, argv: string[], names: string[]): { values: string[]; flags: ReturnType<typeof parseArgs>['values'] } {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, reason: { type: 'string' }, 'task-queue-prefix': { type: 'string' } },
  })
  if (positionals.length !== names.length)
    throw usageError(command, `expected ${names.map((n) => `<${n}>`).join(' ')}, got ${positionals.length} argument(s)`)
  return { values: positionals, flags: values }
}

/** `keel run <mandate>`: validates the mandate file and starts (or finds) its portfolio workflow. */
export async function runCommand(argv: string[]): Promise<number> {
  const { values, flags } = positional('run', argv, ['mandate file'])
  const { input, mandate } = await loadMandateFile(values[0]!)
  const { client, temporal } = await connectRuntime()
  const prefix = typeof flags['task-queue-prefix'] === 'string' ? flags['task-queue-prefix'] : ''
  const { handle, alreadyRunning } = await startPortfolio({
    client,
    mandate: { ...input, portfolio: mandate.portfolio },
    taskQueuePrefix: prefix,
  })
  console.log(`${alreadyRunning ? 'already running' : 'started'}: ${handle.workflowId}`)
  if (temporal.uiUrl) console.log(`Temporal UI: ${temporal.uiUrl}/namespaces/${temporal.namespace}/workflows/${handle.workflowId}`)
  console.log('a worker must be running to act on it: keel worker')
  return 0
}

/** `keel status <portfolio> [--json]`. */
export async function statusCommand(argv: string[]): Promise<number> {
  const { values, flags } = positional('status', argv, ['portfolio'])
  const { client } = await connectRuntime()
  const status = await portfolioControls(client, values[0]!).status()
  console.log(flags.json ? JSON.stringify(status, null, 2) : formatStatus(status))
  return 0
}

/** `keel pause <portfolio> [--reason text]` and `keel resume <portfolio>`. */
export async function pauseResumeCommand(action: 'pause' | 'resume', argv: string[]): Promise<number> {
  const { values, flags } = positional(action, argv, ['portfolio'])
  const { client } = await connectRuntime()
  const controls = portfolioControls(client, values[0]!)
  const status =
    action === 'pause' ? await controls.pause(typeof flags.reason === 'string' ? flags.reason : undefined) : await controls.resume()
  console.log(formatStatus(status))
  return 0
}

/** `keel update <portfolio> <mandate file>`: the running workflow validates and applies it, or refuses it whole. */
export async function updateCommand(argv: string[]): Promise<number> {
  const { values } = positional('update', argv, ['portfolio', 'mandate file'])
  const { input } = await loadMandateFile(values[1]!)
  const { client } = await connectRuntime()
  console.log(formatStatus(await portfolioControls(client, values[0]!).updateMandate(input)))
  return 0
}

/** `keel unblock <portfolio> <chain>`: an operator has checked a chain whose send ended in doubt. */
export async function unblockCommand(argv: string[]): Promise<number> {
  const { values } = positional('unblock', argv, ['portfolio', 'chain'])
  const chain = values[1]!
  if (!(chainKeys as readonly string[]).includes(chain))
    throw usageError('unblock', `unknown chain "${chain}" (expected one of ${chainKeys.join(', ')})`)
  const { client } = await connectRuntime()
  console.log(formatStatus(await portfolioControls(client, values[0]!).clearBlockedChain(chain as ChainKey)))
  return 0
}
