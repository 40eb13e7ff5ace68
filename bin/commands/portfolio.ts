import { createInterface } from 'node:readline/promises'
import { parseArgs } from 'node:util'
import { BaseError, InvalidInputError } from '../../agent/errors.ts'
import type { MandateInput } from '../../agent/mandate/schema.ts'
import { type ChainKey, chainKeys } from '../../chains/types.ts'
import { portfolioControls, portfolioWorkflowId, runPreflight, startPortfolio, treasuryConflicts } from '../../temporal/client.ts'
import { loadMandateFile } from '../../temporal/mandateFile.ts'
import { formatStatus } from '../format.ts'
import { connectRuntime, progress } from '../runtime.ts'

const usageError = (command: string, message: string) =>
  new InvalidInputError({ what: `arguments of keel ${command}`, issues: [{ path: command, message }] })

const options = {
  json: { type: 'boolean' },
  reason: { type: 'string' },
  yes: { type: 'boolean' },
  force: { type: 'boolean' },
  'task-queue-prefix': { type: 'string' },
  'wait-sec': { type: 'string' },
  decline: { type: 'boolean' },
  by: { type: 'string' },
} as const

function positional(command: string, argv: string[], names: string[]) {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options })
  if (positionals.length !== names.length)
    throw usageError(command, `expected ${names.map((n) => `<${n}>`).join(' ')}, got ${positionals.length} argument(s)`)
  return { values: positionals, flags: values }
}

/** An operator's request that keel will not carry out as asked; the message says what to do instead. */
export class RefusedError extends BaseError {
  override name = 'Keel.RefusedError' as const
}

/**
 * `keel run <mandate>`: validates the mandate file, checks it against the chains through the
 * workers that will run it (signer, reachability, contracts, holdings) and against running
 * portfolios (one loop per treasury), then starts its portfolio workflow.
 */
export async function runCommand(argv: string[]): Promise<number> {
  const { values, flags } = positional('run', argv, ['mandate file'])
  const file = values[0]!
  const { input, mandate } = await loadMandateFile(file)
  const { client, temporal } = await connectRuntime()
  const prefix = flags['task-queue-prefix'] ?? ''
  const full = { ...input, portfolio: mandate.portfolio }
  const controls = portfolioControls(client, mandate.portfolio)
  const running = await controls.handle.describe().then(
    (d) => d.status.name === 'RUNNING',
    () => false,
  )
  if (running) {
    throw new RefusedError(
      `portfolio ${mandate.portfolio} is already running (${portfolioWorkflowId(mandate.portfolio)}); ${file} was not applied`,
      {
        metaMessages: [`change its mandate: keel update ${mandate.portfolio} ${file}`, `or stop it first: keel stop ${mandate.portfolio}`],
      },
    )
  }
  progress('checking the mandate against running portfolios and the chains (through the workers)')
  const conflicts = await treasuryConflicts({ client, mandate: full })
  if (conflicts.length > 0) throw new InvalidInputError({ what: `mandate file ${file}: treasury already managed`, issues: conflicts })
  const preflight = await runPreflight({ client, mandate: full, taskQueuePrefix: prefix })
  if (preflight.issues.length > 0)
    throw new InvalidInputError({ what: `mandate file ${file} against the chains`, issues: preflight.issues })
  for (const c of preflight.checked) progress(`${c.chain}: reachable at block ${c.blockNumber}, signing as ${c.signer}`)
  const { handle } = await startPortfolio({ client, mandate: full, taskQueuePrefix: prefix })
  console.log(`started: ${handle.workflowId}`)
  if (temporal.uiUrl) console.log(`Temporal UI: ${temporal.uiUrl}/namespaces/${temporal.namespace}/workflows/${handle.workflowId}`)
  return 0
}

/** `keel status <portfolio> [--json]`. */
export async function statusCommand(argv: string[]): Promise<number> {
  const { values, flags } = positional('status', argv, ['portfolio'])
  const { client } = await connectRuntime()
  const controls = portfolioControls(client, values[0]!)
  const run = await controls.handle.describe()
  if (run.status.name !== 'RUNNING') {
    // An ended run still answers queries when a worker can replay it; without one, say how it ended.
    const last = await controls.status().catch(() => null)
    if (!last)
      throw new RefusedError(
        `portfolio ${values[0]} is not running: its workflow ended ${run.status.name} at ${run.closeTime?.toISOString()}`,
        {
          metaMessages: ['keel run <mandate.yaml> starts it again'],
        },
      )
    console.log(flags.json ? JSON.stringify(last, null, 2) : `${formatStatus(last)}\n(workflow ${run.status.name})`)
    return 0
  }
  const status = await controls.status()
  console.log(flags.json ? JSON.stringify(status, null, 2) : formatStatus(status))
  return 0
}

/** `keel pause <portfolio> [--reason text]` and `keel resume <portfolio>`. */
export async function pauseResumeCommand(action: 'pause' | 'resume', argv: string[]): Promise<number> {
  const { values, flags } = positional(action, argv, ['portfolio'])
  const { client } = await connectRuntime()
  const controls = portfolioControls(client, values[0]!)
  const status = action === 'pause' ? await controls.pause(flags.reason) : await controls.resume()
  console.log(formatStatus(status))
  return 0
}

/**
 * `keel approve-roll <portfolio> <roll id> [--decline] [--by name]`: answers a roll that waits for
 * approval (its proposal is in `keel status`); the workflow refuses an unknown roll or one that no
 * longer waits.
 */
export async function approveRollCommand(argv: string[]): Promise<number> {
  const { values, flags } = positional('approve-roll', argv, ['portfolio', 'roll id'])
  const { client } = await connectRuntime()
  const status = await portfolioControls(client, values[0]!).approveRoll(values[1]!, !flags.decline, flags.by)
  console.log(formatStatus(status))
  return 0
}

/**
 * `keel update <portfolio> <mandate file> [--yes]`: shows what the new mandate changes (chains
 * leaving, targets moving, what keel would trade at once); one that moves exposure by more than
 * the band is applied only after a yes. The running workflow checks it again and refuses it
 * whole if anything is wrong. The pause state never changes here.
 */
export async function updateCommand(argv: string[]): Promise<number> {
  const { values, flags } = positional('update', argv, ['portfolio', 'mandate file'])
  const [portfolio, file] = values as [string, string]
  const { input } = await loadMandateFile(file)
  const { client } = await connectRuntime()
  const controls = portfolioControls(client, portfolio)
  const preview = await controls.previewUpdate(input)
  if (!preview.valid) throw new InvalidInputError({ what: `mandate update from ${file}`, issues: preview.issues })
  if (preview.feasibility.length > 0) throw new InvalidInputError({ what: `mandate update from ${file}`, issues: preview.feasibility })
  if (preview.lines.length === 0) console.log('no change to the running mandate')
  for (const line of preview.lines) console.log(`· ${line}`)
  const confirmed = preview.needsConfirmation ? await confirm(flags.yes === true, 'apply this update?') : false
  if (preview.needsConfirmation && !confirmed)
    throw new RefusedError('update not applied: it needs confirmation', { metaMessages: ['rerun with --yes to apply it'] })
  console.log(formatStatus(await controls.updateMandate(input as MandateInput, { confirmed })))
  return 0
}

/**
 * `keel unblock <portfolio> <chain>`: settles the chain's transactions left in doubt (each one
 * found mined, or its nonce cancelled), then lets the loop use the chain again.
 */
export async function unblockCommand(argv: string[]): Promise<number> {
  const { values } = positional('unblock', argv, ['portfolio', 'chain'])
  const [portfolio, chain] = values as [string, string]
  if (!(chainKeys as readonly string[]).includes(chain))
    throw usageError('unblock', `unknown chain "${chain}" (expected one of ${chainKeys.join(', ')})`)
  const { client } = await connectRuntime()
  progress(`settling ${chain}: reading its nonces, cancelling what is still open`)
  const status = await portfolioControls(client, portfolio).clearBlockedChain(chain as ChainKey)
  const still = status.blockedChains.find((b) => b.chain === chain)
  console.log(formatStatus(status))
  if (still) throw new RefusedError(`${chain} is still blocked: ${still.reason}`, { metaMessages: ['try again once the chain answers'] })
  return 0
}

/**
 * `keel stop <portfolio> [--reason text] [--force]`: ends the loop after the step in flight and
 * waits for the workflow to complete; `--force` terminates it at once (transactions in doubt stay
 * unsettled and are listed).
 */
export async function stopCommand(argv: string[]): Promise<number> {
  const { values, flags } = positional('stop', argv, ['portfolio'])
  const portfolio = values[0]!
  const { client } = await connectRuntime()
  const controls = portfolioControls(client, portfolio)
  const reason = flags.reason ?? 'stopped by operator'
  if (flags.force) {
    const status = await controls.status().catch(() => null)
    await controls.handle.terminate(reason)
    console.log(`terminated ${controls.handle.workflowId}`)
    for (const b of status?.blockedChains ?? [])
      for (const t of b.unsettled) console.log(`left unsettled on ${b.chain}: nonce ${t.nonce} ${t.hash} (${t.description})`)
    return 0
  }
  await controls.stop(reason)
  const waitSec = Number(flags['wait-sec'] ?? 300)
  const result = await client.withDeadline(Date.now() + waitSec * 1000, () => controls.handle.result())
  console.log(`stopped ${controls.handle.workflowId}: ${result.cyclesCompleted} cycles, ${result.hedges} hedges recorded`)
  return 0
}

async function confirm(yes: boolean, question: string): Promise<boolean> {
  if (yes) return true
  if (!process.stdin.isTTY) return false
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim())
  } finally {
    rl.close()
  }
}
