import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'

const root = new URL('..', import.meta.url).pathname

function keel(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bin/keel.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  })
}

describe('keel run', () => {
  test('refuses a malformed mandate before touching Temporal, naming every bad field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-cli-'))
    const file = join(dir, 'bad.yaml')
    writeFileSync(
      file,
      [
        'portfolio: Treasury Main',
        'chains:',
        '  ethereum: { treasury: "0x1234" }',
        '  solana: { treasury: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" }',
        'delta: { targetEth: 0, bandEth: "-5" }',
        'hedge: { maxSlippageBps: 30, maxGasCostUsdc: 25, maxHedgeSizeEth: "1" }',
      ].join('\n'),
    )
    // An address nothing listens on: the command must fail on validation, never reach it.
    const r = keel(['run', file], { TEMPORAL_ADDRESS: '127.0.0.1:1' })
    expect(r.status).toBe(1)
    for (const path of ['portfolio', 'chains.ethereum.treasury', 'chains.solana', 'delta.bandEth', 'hedge.maxGasCostUsdc']) {
      expect(r.stderr).toContain(`- ${path}:`)
    }
    expect(r.stderr).toContain(file)
  })

  test('names the line of a YAML syntax error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-cli-'))
    const file = join(dir, 'broken.yaml')
    writeFileSync(file, 'portfolio: a\nchains: [\n')
    const r = keel(['run', file], { TEMPORAL_ADDRESS: '127.0.0.1:1' })
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/not valid YAML at line \d+/)
  })

  test('exits 2 with the usage on an unknown command', () => {
    const r = keel(['frobnicate'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('unknown command "frobnicate"')
  })
})
