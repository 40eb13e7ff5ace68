import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'

const root = new URL('../..', import.meta.url).pathname
const contracts = {
  weth: '0x0000000000000000000000000000000000000001',
  usdc: '0x0000000000000000000000000000000000000002',
  uniswapV3Factory: '0x0000000000000000000000000000000000000003',
  nonfungiblePositionManager: '0x0000000000000000000000000000000000000004',
  swapRouter: '0x0000000000000000000000000000000000000005',
  quoterV2: '0x0000000000000000000000000000000000000006',
  wethUsdcPool: '0x0000000000000000000000000000000000000007',
  ethUsdFeed: '0x0000000000000000000000000000000000000008',
  poolFee: 500,
}

describe('keel worker --chains', () => {
  test('refuses to start, in one line naming the chain and the variable, when an explicit chain has no key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-worker-cli-'))
    const file = join(dir, 'contracts.json')
    writeFileSync(file, JSON.stringify({ base: contracts }))
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/keel.ts', 'worker', '--chains', 'base'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...withoutSignerKeys(process.env),
        KEEL_STATE_DIR: dir,
        KEEL_NETWORK: 'live',
        KEEL_CONTRACTS_FILE: file,
        KEEL_RPC_BASE: 'http://127.0.0.1:1/secret-path',
        // Nothing listens here: the refusal must come before any connection is tried.
        TEMPORAL_ADDRESS: '127.0.0.1:1',
      },
    })
    rmSync(dir, { recursive: true, force: true })
    expect(r.status).toBe(1)
    const lines = r.stderr.trim().split('\n')
    expect(lines).toEqual(['keel: cannot serve --chains base (no signing key: KEEL_SIGNER_KEY_BASE is not set)'])
  })
})

const withoutSignerKeys = (env: NodeJS.ProcessEnv) =>
  Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('KEEL_SIGNER_KEY_')))
