import { parseArgs } from 'node:util'
import { parseUnits } from 'viem'
import { InvalidInputError } from '../../agent/errors.ts'
import { type ChainKey, chainKeys } from '../../chains/types.ts'
import { portfolioControls, treasuryPortfolios, waitForStatus } from '../../temporal/client.ts'
import { formatTransfer } from '../format.ts'
import { connectRuntime, progress } from '../runtime.ts'

const decimals = { USDC: 6, WETH: 18 } as const

/**
 * `keel transfer <amount> <asset> <from> <to> [--portfolio p] [--bridge id] [--max-cost-bps n]`:
 * asks the portfolio that manages the treasury to move capital; the running workflow validates the
 * request, the next plan picks the cheapest route within budget, and the move is tracked in flight
 * until it settles. Waits until the transfer is sent or refused.
 */
export async function transferCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      portfolio: { type: 'string' },
      bridge: { type: 'string' },
      'max-cost-bps': { type: 'string' },
      'wait-sec': { type: 'string' },
    },
  })
  const [amountText, assetText, from, to] = positionals
  const issues: { path: string; message: string }[] = []
  if (positionals.length !== 4)
    issues.push({ path: 'transfer', message: `expected <amount> <asset> <from> <to>, got ${positionals.length} argument(s)` })
  const asset = assetText?.toUpperCase()
  if (asset !== 'USDC' && asset !== 'WETH')
    issues.push({ path: 'asset', message: `unsupported asset ${JSON.stringify(assetText)} (USDC or WETH)` })
  for (const [path, chain] of [
    ['from', from],
    ['to', to],
  ] as const)
    if (!(chainKeys as readonly string[]).includes(chain ?? ''))
      issues.push({ path, message: `unknown chain ${JSON.stringify(chain)} (${chainKeys.join(', ')})` })
  if (from !== undefined && from === to) issues.push({ path: 'to', message: `a transfer needs two different chains (got ${from} → ${to})` })
  let amount = 0n
  if (asset === 'USDC' || asset === 'WETH') {
    if (!/^\d+(\.\d+)?$/.test(amountText ?? '') || (amountText?.split('.')[1]?.length ?? 0) > decimals[asset])
      issues.push({
        path: 'amount',
        message: `expected a positive decimal amount of ${asset} with at most ${decimals[asset]} decimals, got ${JSON.stringify(amountText)}`,
      })
    else amount = parseUnits(amountText!, decimals[asset])
    if (amount === 0n && issues.every((i) => i.path !== 'amount')) issues.push({ path: 'amount', message: 'must be greater than 0' })
  }
  const maxCostBps = values['max-cost-bps'] === undefined ? undefined : Number(values['max-cost-bps'])
  if (issues.length > 0) throw new InvalidInputError({ what: 'arguments of keel transfer', issues })

  const { client } = await connectRuntime()
  const portfolio = values.portfolio ?? (await onlyPortfolioFor(client, from as ChainKey, to as ChainKey))
  const controls = portfolioControls(client, portfolio)
  const before = await controls.status()
  const known = new Set((before.transfers ?? []).map((t) => t.id))
  await controls.requestTransfer({
    asset: asset as 'USDC' | 'WETH',
    from: from as ChainKey,
    to: to as ChainKey,
    amount: amount.toString(),
    ...(values.bridge ? { bridge: values.bridge } : {}),
    ...(maxCostBps === undefined ? {} : { maxCostBps }),
  })
  progress(`requested from ${portfolio}; waiting for the plan to send it`)
  const waitSec = Number(values['wait-sec'] ?? 120)
  const status = await waitForStatus({
    status: controls.status,
    done: (s) =>
      (s.transfers ?? []).some((t) => !known.has(t.id) && t.state !== 'planned' && t.state !== 'sending') ||
      (s.lastPlan ?? '').includes(`${asset} ${from} → ${to} not moved`),
    timeoutMs: waitSec * 1000,
    what: 'the transfer to be sent',
  })
  const mine = (status.transfers ?? []).filter((t) => !known.has(t.id))
  if (mine.length === 0)
    throw new InvalidInputError({ what: 'transfer', issues: [{ path: 'route', message: status.lastPlan ?? 'not planned' }] })
  for (const t of mine) console.log(formatTransfer(t, status.workflowTimeMs))
  console.log(`keel status ${portfolio} follows it until it settles`)
  return mine.every((t) => t.state !== 'not-sent') ? 0 : 1
}

async function onlyPortfolioFor(client: Parameters<typeof treasuryPortfolios>[0]['client'], from: ChainKey, to: ChainKey): Promise<string> {
  const running = await treasuryPortfolios({ client })
  const serving = running.filter((p) => p.chains.includes(from) && p.chains.includes(to))
  if (serving.length === 1) return serving[0]!.portfolio
  const names = serving.map((p) => p.portfolio).join(', ') || 'none'
  throw new InvalidInputError({
    what: 'arguments of keel transfer',
    issues: [{ path: '--portfolio', message: `name the portfolio that makes this transfer (running over ${from} and ${to}: ${names})` }],
  })
}
