import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { type Chain, erc20Abi, type Hex, type PublicClient, type Transport } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { usdc } from '../../chains/devnet/constants.ts'
import { devnetDown, devnetReset, devnetUp } from '../../chains/devnet/devnet.ts'
import { createDevnetClients } from '../../chains/devnet/devnetClients.ts'
import { createDeliveryControl, readLayerZeroSection } from '../../chains/devnet/layerzero/index.ts'
import { isProcessAlive } from '../../chains/devnet/localProcess.ts'
import { type ChainKey, chainKeys, type DevnetManifest } from '../../chains/types.ts'
import { createExecutor } from '../executor/executor.ts'
import { createLayerZeroAdapterFromManifest } from './index.ts'

// The delivery service is a devnet process like anvil: keel devnet down stops it, keel devnet up
// starts it again, and it carries on from where it stopped (packets sent while it was away are
// delivered once it is back).

const stateDir = mkdtempSync(join(tmpdir(), 'keel-lz-resume-'))
const noop = () => {}
let manifest: DevnetManifest

beforeAll(async () => {
  manifest = (await devnetUp({ stateDir, log: noop, treasury: 'signer' })).manifest
})
afterAll(async () => {
  await devnetReset({ stateDir, log: noop })
  rmSync(stateDir, { recursive: true, force: true })
})

const servicePid = (m: DevnetManifest): number => m.bridges!.layerzero!.services[0]!

function clientsOf(m: DevnetManifest): Record<ChainKey, PublicClient<Transport, Chain>> {
  return Object.fromEntries(chainKeys.map((k) => [k, createDevnetClients({ key: k, rpcUrl: m.chains[k].rpcUrl }).publicClient])) as Record<
    ChainKey,
    PublicClient<Transport, Chain>
  >
}

/** Sends `amount` USDC from the treasury on `from` to `to`; returns the GUID, the quoted output and the destination balance before. */
async function send(m: DevnetManifest, p: { from: ChainKey; to: ChainKey; amount: bigint; key: string }) {
  const clients = clientsOf(m)
  const adapter = createLayerZeroAdapterFromManifest({ manifest: m, clients })
  const treasury = m.chains[p.from].accounts.treasury
  const balance = () =>
    clients[p.to].readContract({ address: m.chains[p.to].contracts.usdc, abi: erc20Abi, functionName: 'balanceOf', args: [treasury] })
  const quote = await adapter.quote({ asset: 'USDC', ...p, sender: treasury, recipient: treasury })
  if (quote.status !== 'ok') throw new Error(quote.reason)
  const executor = createExecutor({
    chain: p.from,
    chainId: m.chains[p.from].chainId,
    publicClient: clients[p.from],
    account: privateKeyToAccount(m.devKeys.treasury),
  })
  const before = await balance()
  const mined = []
  for (const tx of await executor.prepare({ calls: (await adapter.buildCalls({ quote })).calls, idempotencyKey: p.key })) {
    mined.push(await executor.submit(tx))
  }
  const { transferId } = await adapter.readSent({ from: p.from, txHash: mined.at(-1)!.hash })
  return { adapter, guid: transferId as Hex, output: quote.outputAmount, before, balance }
}

describe('LayerZero delivery service lifecycle', () => {
  test('a packet sent while the service is dead stays sent, and is delivered once keel devnet up starts it again', async () => {
    const oldPid = servicePid(manifest)
    process.kill(-oldPid, 'SIGKILL')
    while (isProcessAlive(oldPid)) await sleep(20)

    const t = await send(manifest, { from: 'ethereum', to: 'base', amount: usdc('321'), key: 'resume-1' })
    await sleep(1_000)
    expect((await t.adapter.getStatus({ from: 'ethereum', to: 'base', transferId: t.guid })).state).toBe('sent')

    const up = await devnetUp({ stateDir, log: noop })
    expect(up.status).toBe('resumed')
    expect(up.restarted).toEqual([])
    manifest = up.manifest
    expect(servicePid(manifest)).not.toBe(oldPid)
    expect(isProcessAlive(servicePid(manifest))).toBe(true)

    const control = createDeliveryControl(readLayerZeroSection(manifest)!.control.url)
    await control.waitForPacket({ guid: t.guid, until: (r) => r.state === 'executed', timeoutMs: 30_000 })
    const status = await t.adapter.getStatus({ from: 'ethereum', to: 'base', transferId: t.guid })
    expect(status.state).toBe('delivered')
    expect(await t.balance()).toBe(t.before + t.output)
  })

  test('keel devnet down stops the service with the chains; up brings both back and delivery goes on', async () => {
    const pid = servicePid(manifest)
    const { stoppedPids } = await devnetDown({ stateDir, log: noop })
    expect(stoppedPids).toContain(pid)
    expect(isProcessAlive(pid)).toBe(false)

    const up = await devnetUp({ stateDir, log: noop })
    expect(up.status).toBe('resumed')
    expect(up.restarted.map((r) => r.chain).sort()).toEqual([...chainKeys].sort())
    manifest = up.manifest

    const t = await send(manifest, { from: 'base', to: 'arbitrum', amount: usdc('123.45'), key: 'resume-2' })
    const control = createDeliveryControl(readLayerZeroSection(manifest)!.control.url)
    await control.waitForPacket({ guid: t.guid, until: (r) => r.state === 'executed', timeoutMs: 30_000 })
    expect((await t.adapter.getStatus({ from: 'base', to: 'arbitrum', transferId: t.guid })).state).toBe('delivered')
    expect(await t.balance()).toBe(t.before + t.output)
  })
})
