import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { InvalidInputError } from '../../agent/errors.ts'
import { parseBacktestArgs, runBacktestCommand } from './backtest.ts'

const dirs: string[] = []
async function run(args: string[]): Promise<{ code: number; stdout: string; csv: string; svg: string }> {
  const out = await mkdtemp(join(tmpdir(), 'keel-backtest-'))
  dirs.push(out)
  let stdout = ''
  const code = await runBacktestCommand([...args, '--out', out], { stdout: (t) => (stdout += t), stderr: () => {} })
  const [csv, svg] = await Promise.all([readFile(join(out, 'results.csv'), 'utf8'), readFile(join(out, 'frontier.svg'), 'utf8')])
  // The last line names the output directory, which differs per run by construction.
  return { code, stdout: stdout.split('\n').slice(0, -2).join('\n'), csv, svg }
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

describe('runBacktestCommand', () => {
  const small = ['--paths', '6', '--model', 'gbm', '--steps-per-day', '6']

  test('writes byte-identical tables and files when the seed is the same', async () => {
    const a = await run([...small, '--seed', '5'])
    const b = await run([...small, '--seed', '5'])
    expect(a.code).toBe(0)
    expect(a.stdout).toBe(b.stdout)
    expect(a.csv).toBe(b.csv)
    expect(a.svg).toBe(b.svg)
    // 11 fixed + 11 threshold + 11 time-or-price + 11 WW + 11 Leland settings, plus the header.
    expect(a.csv.trim().split('\n')).toHaveLength(56)
  })

  test('gives different results when the seed differs', async () => {
    const a = await run([...small, '--seed', '5'])
    const b = await run([...small, '--seed', '6'])
    expect(a.csv).not.toBe(b.csv)
  })

  test('returns exit code 2 and writes nothing when a flag is bad', async () => {
    let stderr = ''
    const code = await runBacktestCommand(['--paths', 'many'], { stdout: () => {}, stderr: (t) => (stderr += t) })
    expect(code).toBe(2)
    expect(stderr.length).toBeGreaterThan(0)
  })
})

describe('parseBacktestArgs', () => {
  const issuesOf = (argv: string[]): { path: string; message: string }[] => {
    try {
      parseBacktestArgs(argv)
    } catch (err) {
      if (err instanceof InvalidInputError) return [...err.issues]
      throw err
    }
    return []
  }

  test('applies the defaults when no flag is given', () => {
    expect(parseBacktestArgs([])).toEqual({ seed: 1, paths: 200, out: 'out/backtest', model: 'all', stepsPerDay: 24 })
  })

  test('reads --flag value and --flag=value forms', () => {
    expect(parseBacktestArgs(['--seed=9', '--paths', '50', '--model', 'jump', '--out=x'])).toMatchObject({
      seed: 9,
      paths: 50,
      model: 'jump',
      out: 'x',
    })
  })

  test('names the flag and the bad value when a number is malformed', () => {
    const [issue] = issuesOf(['--paths', '12x'])
    expect(issue?.path).toBe('--paths')
    expect(issue?.message).toContain('"12x"')
  })

  test('names the flag when a value is out of range or not a known model', () => {
    expect(issuesOf(['--paths', '1']).map((i) => i.path)).toEqual(['--paths'])
    expect(issuesOf(['--model', 'heston']).map((i) => i.path)).toEqual(['--model'])
  })

  test('names unknown and value-less flags', () => {
    expect(issuesOf(['--sed', '3']).map((i) => i.path)).toEqual(['--sed'])
    expect(issuesOf(['--seed']).map((i) => i.path)).toEqual(['--seed'])
  })
})
