import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Address, erc20Abi, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDevnetClients } from '../chains/devnet/devnetClients.ts'
import { isProcessAlive } from '../chains/devnet/localProcess.ts'
import { chainStatePath, readManifest } from '../chains/devnet/manifest.ts'
import { type ChainKey, chainKeys } from '../chains/types.ts'
import { waitForStatus } from '../temporal/client.ts'
import { eventually, killGroups, spawnKeel } from './fixtures/keelProcess.ts'
import { ethTarget, type Stack, startAndObserve, startStack, testMandate } from './fixtures/stack.ts'

// A devnet chain killed with SIGKILL comes back from its state file (anvil --state, dumped every
// 2 s), and a running `keel worker` process keeps serving the portfolio through it.

let stack: Stack
let controls: Awaited<ReturnType<typeof startAndObserve>>['controls']
beforeAll(async () => {
  stack = await startStack({ name: 'devnet-restart' })
  stack.spawnWorkerProcess()
  const delta = (await stack.exposure()).deltaWei
  // A wide band: the portfolio only observes, so every chain's state is still between dumps.
  const mandate = testMandate({ portfolio: 'restart', treasury: stack.treasury, targetEth: ethTarget(delta), bandEth: '1000' })
  ;({ controls } = await startAndObserve(stack, { ...mandate, loop: { intervalSec: 1, wakeOnMoveBps: null } }))
  await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted >= 1 && s.lastError === null, timeoutMs: 180_000 })
})
afterAll(async () => {
  await stack?.stop()
})

const keel = (args: string[], stateDir: string) => spawnKeel({ args, env: { ...process.env, KEEL_STATE_DIR: stateDir } })

/** Chain id, head, code and the treasury's balances of one chain, read at its current manifest URL. */
async function chainFacts(stateDir: string, chain: ChainKey) {
  const entry = readManifest(stateDir)!.chains[chain]
  const { publicClient } = createDevnetClients({ key: chain, rpcUrl: entry.rpcUrl })
  const balance = (token: Address) =>
    publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [entry.accounts.treasury] })
  return {
    chainId: await publicClient.getChainId(),
    blockNumber: await publicClient.getBlockNumber(),
    poolCode: await publicClient.getCode({ address: entry.contracts.wethUsdcPool }),
    weth: await balance(entry.contracts.weth),
    usdc: await balance(entry.contracts.usdc),
  }
}

/** The head block anvil last wrote into a chain's state file. */
function dumpedBlock(stateDir: string, chain: ChainKey): bigint | undefined {
  try {
    const state = JSON.parse(readFileSync(chainStatePath(stateDir, chain), 'utf8')) as { block: { number: Hex } }
    return BigInt(state.block.number)
  } catch {
    return undefined // being written
  }
}

async function sigkill(stateDir: string, chain: ChainKey): Promise<number> {
  const pid = readManifest(stateDir)!.chains[chain].pid
  process.kill(-pid, 'SIGKILL')
  await eventually({ what: `anvil ${pid} to die`, timeoutMs: 10_000, check: () => (isProcessAlive(pid) ? undefined : true) })
  return pid
}

/** A cycle that started after now and read every chain without an error: the worker serves all of them. */
async function healthyCycleAfterNow() {
  const from = (await controls.status()).cyclesCompleted
  return waitForStatus({
    status: controls.status,
    done: (s) => s.cyclesCompleted > from + 1 && s.lastError === null,
    timeoutMs: 120_000,
    what: 'a cycle that reads every chain',
  })
}

describe('keel devnet restart', () => {
  test('brings a SIGKILLed chain back on its port with its chain id, blocks, code and balances, and the portfolio keeps cycling', async () => {
    const { stateDir } = stack
    const before = await chainFacts(stateDir, 'base')
    // Nothing changes base between dumps here, so the last dump holds the head block.
    const lastDumped = await eventually({
      what: 'a dump of the head block',
      timeoutMs: 30_000,
      check: () => {
        const b = dumpedBlock(stateDir, 'base')
        return b !== undefined && b >= before.blockNumber ? b : undefined
      },
    })
    const oldUrl = readManifest(stateDir)!.chains.base.rpcUrl
    const oldPid = await sigkill(stateDir, 'base')

    const restart = keel(['devnet', 'restart', 'base'], stateDir)
    expect((await restart.exited).code).toBe(0)
    const entry = readManifest(stateDir)!.chains.base
    expect(entry.rpcUrl).toBe(oldUrl)
    expect(entry.pid).not.toBe(oldPid)
    expect(isProcessAlive(entry.pid)).toBe(true)

    const after = await chainFacts(stateDir, 'base')
    console.log(`base: head ${before.blockNumber} before SIGKILL, ${lastDumped} in the last dump, ${after.blockNumber} after restart`)
    expect(after.chainId).toBe(8453)
    expect(after.blockNumber).toBeGreaterThanOrEqual(lastDumped)
    expect(after.poolCode).toBe(before.poolCode)
    expect(after.poolCode?.length ?? 0).toBeGreaterThan(2)
    expect({ weth: after.weth, usdc: after.usdc }).toEqual({ weth: before.weth, usdc: before.usdc })

    const status = await healthyCycleAfterNow()
    const base = status.lastObservation!.chains.find((c) => c.chain === 'base')!
    expect(BigInt(base.spotWethWei)).toBe(before.weth)
  })

  test('moves a chain whose port was taken, updates the manifest, and a running worker process follows it', async () => {
    const { stateDir } = stack
    const oldUrl = readManifest(stateDir)!.chains.ethereum.rpcUrl
    await sigkill(stateDir, 'ethereum')
    const squatter = await occupy(Number(new URL(oldUrl).port))
    try {
      const restart = keel(['devnet', 'restart', 'ethereum'], stateDir)
      expect((await restart.exited).code).toBe(0)
      const moved = readManifest(stateDir)!.chains.ethereum
      expect(moved.rpcUrl).not.toBe(oldUrl)
      expect((await chainFacts(stateDir, 'ethereum')).chainId).toBe(1)
      // The worker was built for the old URL, where nothing answers now; it must have rebuilt its clients.
      const status = await healthyCycleAfterNow()
      expect(status.lastObservation!.chains.map((c) => c.chain).sort()).toEqual([...chainKeys].sort())
    } finally {
      squatter.close()
    }
  })
})

describe('keel devnet up / down / reset', () => {
  test('up on a running devnet is "already running"; down keeps the state and up resumes it; reset forgets it', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'keel-devnet-cli-'))
    try {
      expect((await keel(['devnet', 'up'], stateDir).exited).code).toBe(0)
      const first = readManifest(stateDir)!
      const pids = chainKeys.map((k) => first.chains[k].pid)

      const again = keel(['devnet', 'up'], stateDir)
      expect((await again.exited).code).toBe(0)
      expect(again.output().stdout.split('\n')[0]).toBe('already running')
      expect(chainKeys.map((k) => readManifest(stateDir)!.chains[k].pid)).toEqual(pids)

      // Change arbitrum's state, so resuming is visible in a value.
      const arb = createDevnetClients({ key: 'arbitrum', rpcUrl: first.chains.arbitrum.rpcUrl })
      await arb.testClient.setBalance({ address: first.chains.arbitrum.accounts.treasury, value: 123_456_789n })
      await arb.testClient.mine({ blocks: 3 })
      const head = await arb.publicClient.getBlockNumber()

      expect((await keel(['devnet', 'down'], stateDir).exited).code).toBe(0)
      expect(pids.filter(isProcessAlive)).toEqual([])
      expect(readManifest(stateDir)).not.toBeNull()
      expect(chainKeys.map((k) => existsSync(chainStatePath(stateDir, k)))).toEqual([true, true, true])

      expect((await keel(['devnet', 'up'], stateDir).exited).code).toBe(0)
      const resumed = readManifest(stateDir)!
      expect(resumed.chains.arbitrum.rpcUrl).toBe(first.chains.arbitrum.rpcUrl)
      expect(chainKeys.map((k) => resumed.chains[k].pid).some((p) => pids.includes(p))).toBe(false)
      const arb2 = createDevnetClients({ key: 'arbitrum', rpcUrl: resumed.chains.arbitrum.rpcUrl })
      expect(await arb2.publicClient.getBlockNumber()).toBe(head)
      expect(await arb2.publicClient.getBalance({ address: first.chains.arbitrum.accounts.treasury })).toBe(123_456_789n)

      expect((await keel(['devnet', 'reset'], stateDir).exited).code).toBe(0)
      expect(chainKeys.map((k) => resumed.chains[k].pid).filter(isProcessAlive)).toEqual([])
      expect(readManifest(stateDir)).toBeNull()
      expect(chainKeys.map((k) => existsSync(chainStatePath(stateDir, k)))).toEqual([false, false, false])
    } finally {
      const m = readManifest(stateDir)
      if (m) await killGroups(chainKeys.map((k) => m.chains[k].pid))
      rmSync(stateDir, { recursive: true, force: true })
    }
  })
})

/** Takes a port: connections are accepted and reset at once, so a client still on the old URL fails fast. */
function occupy(port: number): Promise<Server> {
  return new Promise((done, fail) => {
    const server = createServer((socket) => socket.resetAndDestroy())
    server.once('error', fail)
    server.listen(port, '127.0.0.1', () => done(server))
  })
}
