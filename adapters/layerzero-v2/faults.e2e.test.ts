import { setTimeout as sleep } from 'node:timers/promises'
import { type Address, encodeFunctionData, erc20Abi, type Hex, parseAbi } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { usdc } from '../../chains/devnet/constants.ts'
import { createDevnetClients } from '../../chains/devnet/devnetClients.ts'
import { lzReceiveOptions } from '../../chains/devnet/layerzero/deploy.ts'
import type { ChainKey } from '../../chains/types.ts'
import { createExecutor } from '../executor/executor.ts'
import type { BridgeQuote, TransferState } from '../types.ts'
import { type LayerZeroFixture, startLayerZeroFixture } from './devnetFixture.ts'

// Each LayerZero fault of the delivery service, on a real devnet: the transfer ends in the state
// the endpoints say, and every unit is accounted for to the wei (burned on the origin = amount,
// minted on the destination = the quoted output, once).

let f: LayerZeroFixture
beforeAll(async () => {
  f = await startLayerZeroFixture()
})
afterAll(async () => {
  await f?.stop()
})

const treasury = (): Address => f.manifest.chains.ethereum.accounts.treasury
const usdcBalance = (chain: ChainKey) =>
  f.clients[chain].readContract({ address: f.section.chains[chain].token, abi: erc20Abi, functionName: 'balanceOf', args: [treasury()] })
const usdcSupply = (chain: ChainKey) =>
  f.clients[chain].readContract({ address: f.section.chains[chain].token, abi: erc20Abi, functionName: 'totalSupply' })
const libBalance = (chain: ChainKey) => f.clients[chain].getBalance({ address: f.section.chains[chain].messageLib })

type Snapshot = { fromBalance: bigint; toBalance: bigint; fromSupply: bigint; toSupply: bigint; fromLibWei: bigint }
const snapshot = async (from: ChainKey, to: ChainKey): Promise<Snapshot> => {
  const [fromBalance, toBalance, fromSupply, toSupply, fromLibWei] = await Promise.all([
    usdcBalance(from),
    usdcBalance(to),
    usdcSupply(from),
    usdcSupply(to),
    libBalance(from),
  ])
  return { fromBalance, toBalance, fromSupply, toSupply, fromLibWei }
}

const executorOn = (chain: ChainKey) =>
  createExecutor({
    chain,
    chainId: f.manifest.chains[chain].chainId,
    publicClient: f.clients[chain],
    account: privateKeyToAccount(f.manifest.devKeys.treasury),
  })

/** Quotes, builds and sends a transfer from the treasury as keel's executor would; returns its GUID. */
async function send(p: {
  from: ChainKey
  to: ChainKey
  amount: bigint
  key: string
}): Promise<{ guid: Hex; quote: BridgeQuote; before: Snapshot }> {
  const quote = await f.adapter.quote({ asset: 'USDC', ...p, sender: treasury(), recipient: treasury() })
  if (quote.status !== 'ok') throw new Error(`no quote: ${quote.reason}`)
  const built = await f.adapter.buildCalls({ quote })
  const before = await snapshot(p.from, p.to)
  const executor = executorOn(p.from)
  const mined = []
  for (const tx of await executor.prepare({ calls: built.calls, idempotencyKey: `lz-fault-${p.key}` }))
    mined.push(await executor.submit(tx))
  const sent = await f.adapter.readSent({ from: p.from, txHash: mined.at(-1)!.hash })
  expect(sent.amount).toBe(p.amount)
  expect(sent.outputAmount).toBe(quote.outputAmount)
  return { guid: sent.transferId as Hex, quote, before }
}

const status = (p: { from: ChainKey; to: ChainKey; guid: Hex }) => f.adapter.getStatus({ from: p.from, to: p.to, transferId: p.guid })

/** Burned on the origin = amount (and the library got the native fee); the destination as `minted` says. */
async function expectBalances(p: { from: ChainKey; to: ChainKey; quote: BridgeQuote; before: Snapshot; minted: bigint }) {
  const now = await snapshot(p.from, p.to)
  const amount = p.quote.request.amount
  expect(now.fromBalance).toBe(p.before.fromBalance - amount)
  expect(now.fromSupply).toBe(p.before.fromSupply - amount)
  expect(now.fromLibWei).toBe(p.before.fromLibWei + p.quote.nativeFeeWei)
  expect(now.toBalance).toBe(p.before.toBalance + p.minted)
  expect(now.toSupply).toBe(p.before.toSupply + p.minted)
}

describe('LayerZero delivery faults', () => {
  test('delay: sent, then verified, then delivered once the delays pass', async () => {
    await f.control.setConfig({ delayMs: 2_000, executeDelayMs: 2_000 })
    try {
      const route = { from: 'ethereum', to: 'arbitrum' } as const
      const { guid, quote, before } = await send({ ...route, amount: usdc('1500'), key: 'delay' })
      const seen: TransferState[] = []
      for (let i = 0; i < 200 && seen.at(-1) !== 'delivered'; i++) {
        const s = await status({ ...route, guid })
        if (seen.at(-1) !== s.state) seen.push(s.state)
        await sleep(50)
      }
      expect(seen).toEqual(['sent', 'verified', 'delivered'])
      const final = await status({ ...route, guid })
      expect(final.settledAmount).toBe(quote.outputAmount)
      // The chain shows the delivery a moment before the service has written down when it made it.
      const rec = await f.control.waitForPacket({ guid, until: (r) => r.deliveredAtMs !== undefined, timeoutMs: 10_000 })
      expect(rec.deliveredAtMs! - rec.seenAtMs).toBeGreaterThanOrEqual(4_000)
      await expectBalances({ ...route, quote, before, minted: quote.outputAmount })
    } finally {
      await f.control.setConfig({ delayMs: 0, executeDelayMs: 0 })
    }
  })

  test('drop: stays sent (and pending) until the service is told to deliver, then delivered', async () => {
    const route = { from: 'arbitrum', to: 'base' } as const
    await f.control.addFault('drop')
    const { guid, quote, before } = await send({ ...route, amount: usdc('2500'), key: 'drop' })
    await f.control.waitForPacket({ guid, until: (r) => r.state === 'dropped', timeoutMs: 30_000 })
    // Several of the service's polls pass: nothing reaches the destination.
    await sleep(1_500)
    expect((await status({ ...route, guid })).state).toBe('sent')
    const pending = await f.adapter.getPending({ sender: treasury(), fromBlocks: { arbitrum: 0n } })
    expect(pending.find((t) => t.transferId === guid)).toMatchObject({ state: 'sent', amount: quote.request.amount, to: 'base' })
    await expectBalances({ ...route, quote, before, minted: 0n })

    expect(await f.control.deliver(guid)).toEqual([guid])
    await f.settle({ transferId: guid, timeoutMs: 30_000 })
    const final = await status({ ...route, guid })
    expect(final.state).toBe('delivered')
    expect(final.settledAmount).toBe(quote.outputAmount)
    await expectBalances({ ...route, quote, before, minted: quote.outputAmount })
    const after = await f.adapter.getPending({ sender: treasury(), fromBlocks: { arbitrum: 0n } })
    expect(after.map((t) => t.transferId)).not.toContain(guid)
  })

  test('a dropped packet holds back the later ones of its path (ordered execution); all arrive once it is delivered', async () => {
    const route = { from: 'base', to: 'arbitrum' } as const
    await f.control.addFault('drop')
    const first = await send({ ...route, amount: usdc('100'), key: 'held-1' })
    await f.control.waitForPacket({ guid: first.guid, until: (r) => r.state === 'dropped', timeoutMs: 30_000 })
    const second = await send({ ...route, amount: usdc('200.5'), key: 'held-2' })
    // The endpoint executes a path's nonces in order: the second is verified but cannot run before the first.
    await f.control.waitForPacket({ guid: second.guid, until: (r) => r.state === 'verified', timeoutMs: 30_000 })
    await sleep(1_500)
    expect((await status({ ...route, guid: first.guid })).state).toBe('sent')
    expect((await status({ ...route, guid: second.guid })).state).toBe('verified')
    expect(await usdcBalance(route.to)).toBe(first.before.toBalance)

    await f.control.deliver(first.guid)
    await f.settle({ transferId: first.guid, timeoutMs: 30_000 })
    await f.settle({ transferId: second.guid, timeoutMs: 30_000 })
    expect((await status({ ...route, guid: first.guid })).state).toBe('delivered')
    expect((await status({ ...route, guid: second.guid })).state).toBe('delivered')
    const minted = first.quote.outputAmount + second.quote.outputAmount
    expect(await usdcBalance(route.to)).toBe(first.before.toBalance + minted)
    expect(await usdcSupply(route.to)).toBe(first.before.toSupply + minted)
    expect(await usdcBalance(route.from)).toBe(first.before.fromBalance - first.quote.request.amount - second.quote.request.amount)
  })

  test('duplicate delivery: delivered once; the second verification and execution are refused by the chain', async () => {
    const route = { from: 'base', to: 'ethereum' } as const
    await f.control.addFault('duplicate')
    const { guid, quote, before } = await send({ ...route, amount: usdc('777.123456'), key: 'duplicate' })
    const rec = await f.control.waitForPacket({ guid, until: (r) => r.duplicates.length === 2, timeoutMs: 30_000 })
    expect(rec.executions.map((e) => e.status)).toEqual(['success'])
    expect(rec.duplicates.map((d) => [d.what, d.status, d.refusedWith])).toEqual([
      ['verify', 'reverted', 'LZ_PathNotVerifiable'],
      ['execute', 'reverted', 'LZ_PayloadHashNotFound'],
    ])
    for (const d of rec.duplicates) {
      expect((await f.clients[route.to].getTransactionReceipt({ hash: d.txHash })).status).toBe('reverted')
    }
    const final = await status({ ...route, guid })
    expect(final.state).toBe('delivered')
    expect(final.deliveryTxHash).toBe(rec.executions[0]!.txHash)
    await expectBalances({ ...route, quote, before, minted: quote.outputAmount })
    const received = await f.clients[route.to].getLogs({
      address: f.section.chains[route.to].oft,
      event: parseAbi(['event OFTReceived(bytes32 indexed guid, uint32 srcEid, address indexed toAddress, uint256 amountReceivedLD)'])[0],
      args: { guid },
      fromBlock: 0n,
    })
    expect(received).toHaveLength(1)
  })

  test('out of gas: failed (verified, payload kept), then delivered by the remediation with enough gas', async () => {
    const route = { from: 'ethereum', to: 'base' } as const
    await f.control.addFault('out-of-gas')
    const { guid, quote, before } = await send({ ...route, amount: usdc('4321'), key: 'oog' })
    const rec = await f.control.waitForPacket({ guid, until: (r) => r.state === 'failed', timeoutMs: 30_000 })
    expect(rec.executions.map((e) => [e.status, e.refusedWith])).toEqual([['reverted', 'OutOfGas']])
    expect(rec.alertTxHash).toMatch(/^0x[0-9a-f]{64}$/)
    const failed = await status({ ...route, guid })
    expect(failed.state).toBe('failed')
    expect(failed.settledAmount).toBeUndefined()
    const pending = await f.adapter.getPending({ sender: treasury(), fromBlocks: { ethereum: 0n } })
    expect(pending.find((t) => t.transferId === guid)?.state).toBe('failed')
    await expectBalances({ ...route, quote, before, minted: 0n })

    // Too little gas for the operator's re-execution: refused before anything is sent.
    await expect(f.adapter.remediation({ ...route, transferId: guid, gasLimit: 40_000n })).rejects.toMatchObject({
      name: 'LayerZero.RemediationWouldFailError',
    })
    const calls = await f.adapter.remediation({ ...route, transferId: guid, gasLimit: 500_000n })
    expect(calls).toHaveLength(1)
    expect(calls![0]).toMatchObject({ chainId: f.manifest.chains.base.chainId, to: f.section.chains.base.endpoint, value: 0n })
    const operator = executorOn(route.to)
    const [tx] = await operator.prepare({ calls: calls!, idempotencyKey: 'lz-remediate-oog' })
    const mined = await operator.submit(tx!)
    expect(mined.status).toBe('success')

    const final = await status({ ...route, guid })
    expect(final.state).toBe('delivered')
    expect(final.deliveryTxHash).toBe(mined.hash)
    expect(final.settledAmount).toBe(quote.outputAmount)
    await expectBalances({ ...route, quote, before, minted: quote.outputAmount })
    expect(await f.adapter.remediation({ ...route, transferId: guid, gasLimit: 500_000n })).toBeNull()
  })

  test('an OFT whose options carry no lzReceive gas: quote and buildCalls refuse with a typed error, nothing is sent', async () => {
    const route = { from: 'arbitrum', to: 'ethereum' } as const
    const request = { asset: 'USDC', ...route, amount: usdc('10'), sender: treasury(), recipient: treasury() } as const
    const quote = await f.adapter.quote(request)
    expect(quote.status).toBe('ok')
    const setEnforced = (options: Hex) => setEnforcedOptions({ chain: route.from, dstEid: f.section.chains[route.to].eid, options })
    // An OFT owner who clears the enforced gas (a bare type-3 header) leaves sends with none.
    await setEnforced('0x0003')
    try {
      await expect(f.adapter.quote(request)).rejects.toMatchObject({ name: 'LayerZero.ZeroLzReceiveGasError' })
      if (quote.status === 'ok') {
        await expect(f.adapter.buildCalls({ quote })).rejects.toMatchObject({ name: 'LayerZero.ZeroLzReceiveGasError' })
      }
    } finally {
      await setEnforced(lzReceiveOptions(BigInt(f.section.enforcedLzReceiveGas)))
    }
    expect((await f.adapter.quote(request)).status).toBe('ok')
  })
})

/** The OFT owner (the devnet deployer) sets the enforced options of plain sends to one remote. */
async function setEnforcedOptions(p: { chain: ChainKey; dstEid: number; options: Hex }) {
  const { publicClient } = createDevnetClients({ key: p.chain, rpcUrl: f.manifest.chains[p.chain].rpcUrl })
  const deployer = createExecutor({
    chain: p.chain,
    chainId: f.manifest.chains[p.chain].chainId,
    publicClient,
    account: privateKeyToAccount(f.manifest.devKeys.deployer),
  })
  const abi = parseAbi([
    'struct EnforcedOptionParam { uint32 eid; uint16 msgType; bytes options; }',
    'function setEnforcedOptions(EnforcedOptionParam[] params)',
  ])
  const data = encodeFunctionData({ abi, functionName: 'setEnforcedOptions', args: [[{ eid: p.dstEid, msgType: 1, options: p.options }]] })
  const [tx] = await deployer.prepare({
    calls: [
      {
        chainId: f.manifest.chains[p.chain].chainId,
        to: f.section.chains[p.chain].oft,
        data,
        value: 0n,
        description: 'set enforced options',
      },
    ],
    idempotencyKey: `enforced-${p.options}`,
  })
  expect((await deployer.submit(tx!)).status).toBe('success')
}
