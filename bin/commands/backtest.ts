import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { defaultBacktestConfig } from '../../agent/backtest/constants.ts'
import { formatReportTable, reportCsv } from '../../agent/backtest/formatReport.ts'
import { frontierSvg } from '../../agent/backtest/frontierSvg.ts'
import { runBacktest } from '../../agent/backtest/runBacktest.ts'
import { pathModelIds } from '../../agent/backtest/types.ts'
import { InvalidInputError } from '../../agent/errors.ts'

const intString = (what: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `expected ${what}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `expected ${what} between ${min} and ${max}`)

const argsSchema = z
  .object({
    seed: intString('a non-negative integer seed', 0, 2 ** 32 - 1).default(defaultBacktestConfig.seed),
    paths: intString('an integer number of paths', 2, 100_000).default(defaultBacktestConfig.paths),
    out: z.string().min(1, 'expected a directory').default('out/backtest'),
    model: z.enum([...pathModelIds, 'all']).default('all'),
    'steps-per-day': intString('an integer number of steps per day', 1, 1440).default(defaultBacktestConfig.stepsPerDay),
  })
  .strict()

export type BacktestArgs = { seed: number; paths: number; out: string; model: (typeof pathModelIds)[number] | 'all'; stepsPerDay: number }

/** Parses `keel backtest` flags (`--name value` or `--name=value`); errors name the flag and the bad value. */
export function parseBacktestArgs(argv: readonly string[]): BacktestArgs {
  const raw: Record<string, string> = {}
  const issues: { path: string; message: string }[] = []
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!
    if (!token.startsWith('--')) {
      issues.push({ path: token, message: `unexpected argument "${token}" (flags are --seed, --paths, --out, --model, --steps-per-day)` })
      continue
    }
    const eq = token.indexOf('=')
    const name = eq === -1 ? token.slice(2) : token.slice(2, eq)
    const value = eq === -1 ? argv[++i] : token.slice(eq + 1)
    if (value === undefined) issues.push({ path: `--${name}`, message: 'missing value' })
    else raw[name] = value
  }
  if (issues.length === 0) {
    const parsed = argsSchema.safeParse(raw)
    if (parsed.success) {
      const { 'steps-per-day': stepsPerDay, ...rest } = parsed.data
      return { ...rest, stepsPerDay }
    }
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) issues.push({ path: `--${key}`, message: `unknown flag (value "${raw[key]}")` })
        continue
      }
      const key = String(issue.path[0] ?? '')
      issues.push({ path: `--${key}`, message: `${issue.message}, got "${raw[key]}"` })
    }
  }
  throw new InvalidInputError({ what: 'keel backtest arguments', issues })
}

export type CommandIo = { stdout: (text: string) => void; stderr: (text: string) => void }
const processIo: CommandIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }

/** `keel backtest`: runs the hedging-policy Monte Carlo, prints the tables, writes results.csv and frontier.svg. */
export async function runBacktestCommand(argv: string[], io: CommandIo = processIo): Promise<number> {
  let args: BacktestArgs
  try {
    args = parseBacktestArgs(argv)
  } catch (err) {
    if (err instanceof InvalidInputError) {
      io.stderr(`${err.message}\n`)
      return 2
    }
    throw err
  }
  const models = args.model === 'all' ? defaultBacktestConfig.models : defaultBacktestConfig.models.filter((m) => m.id === args.model)
  const report = runBacktest({ ...defaultBacktestConfig, seed: args.seed, paths: args.paths, stepsPerDay: args.stepsPerDay, models })
  io.stdout(formatReportTable(report))
  await mkdir(args.out, { recursive: true })
  await writeFile(join(args.out, 'results.csv'), reportCsv(report))
  await writeFile(join(args.out, 'frontier.svg'), frontierSvg(report))
  io.stdout(`wrote ${join(args.out, 'results.csv')} and ${join(args.out, 'frontier.svg')}\n`)
  return 0
}
