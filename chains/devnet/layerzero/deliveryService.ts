import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { encodeFunctionData, type Hex, type PrivateKeyAccount, stringToHex, BaseError as ViemBaseError } from 'viem'
import { z } from 'zod'
import { type ChainKey, chainKeys } from '../../types.ts'
import { devnetDir, readManifest } from '../manifest.ts'
import { endpointAbi, messageLibAbi } from './abis.ts'
import { outOfGasExecutionGas } from './constants.ts'
import { connectDeliveryChain, type DeliveryChain, readInbound, sendAndWait, simulateRefusal } from './deliveryChain.ts'
import { assignFault, calldataFloorGas, type DecodedPacket, decodePacketSent, intrinsicGas } from './packets.ts'
import {
  type DeliveryConfig,
  type DeliveryServiceConfig,
  type DeliveryState,
  deliveryConfigSchema,
  deliveryStateSchema,
  type FaultKind,
  type PacketRecord,
} from './schemas.ts'

/**
 * The local stand-in for LayerZero's DVNs and executor: it watches PacketSent on every chain,
 * verifies each packet on its destination (validatePacket on the receive library) and executes it
 * (EndpointV2.lzReceive with the gas its options ask for), unless a fault says otherwise.
 */
export type DeliveryService = {
  /** One round: new PacketSent logs on every chain, then every packet that is due moves one step. */
  tick(): Promise<void>
  state(): DeliveryState
  setConfig(patch: { [K in keyof DeliveryConfig]?: DeliveryConfig[K] | undefined }): DeliveryConfig
  /** Queues one-shot faults for the next packets seen, oldest first. */
  addFaults(p: { kind: FaultKind; count: number }): FaultKind[]
  /** Releases dropped packets (one, or all without `guid`): they are verified and executed as usual. */
  deliver(guid?: Hex): Hex[]
  /** Writes the service's state (cursors, packets, knobs) so a restarted service carries on. */
  persist(): void
}

/** `<stateDir>/devnet/layerzero-delivery.state.json`: what a restarted delivery service resumes from. */
export const deliveryStatePath = (stateDir: string): string => join(devnetDir(stateDir), 'layerzero-delivery.state.json')

const persistedSchema = deliveryStateSchema.extend({ cursors: z.record(z.enum(chainKeys), z.string().regex(/^\d+$/)) })

/** Blocks per eth_getLogs request: anvil answers any range, real nodes cap it. */
const logChunkBlocks = 5_000n
/** Gas for a duplicate verification that the library will refuse: it must land on-chain to show the refusal. */
const refusedVerifyGas = 300_000n

const defaultConfig: DeliveryConfig = { delayMs: 0, executeDelayMs: 0, mode: 'deliver' }

export function createDeliveryService(p: {
  config: DeliveryServiceConfig
  account: PrivateKeyAccount
  log: (line: string) => void
  now?: () => number
}): DeliveryService {
  const now = p.now ?? Date.now
  const statePath = deliveryStatePath(p.config.stateDir)
  const persisted = existsSync(statePath) ? persistedSchema.parse(JSON.parse(readFileSync(statePath, 'utf8'))) : null
  let config: DeliveryConfig = persisted?.config ?? defaultConfig
  let faults: FaultKind[] = persisted?.faults ?? []
  const packets = new Map<string, PacketRecord>((persisted?.packets ?? []).map((r) => [r.guid, r]))
  const cursors = Object.fromEntries(
    chainKeys.map((k) => [k, BigInt(persisted?.cursors[k] ?? BigInt(p.config.chains[k].deployBlock) - 1n)]),
  ) as Record<ChainKey, bigint>
  const chainByEid = new Map(chainKeys.map((k) => [p.config.chains[k].eid, k]))
  const chains: Partial<Record<ChainKey, DeliveryChain>> = {}
  let dirty = false

  // A chain restarted on another port is recorded in the manifest: follow it there, once the node
  // at the new URL answers with the chain's id (a stale manifest's port may now be another chain).
  async function connect(): Promise<void> {
    const manifest = existsSync(join(devnetDir(p.config.stateDir), 'manifest.json')) ? readManifest(p.config.stateDir) : null
    for (const key of chainKeys) {
      const rpcUrl = manifest?.chains[key].rpcUrl ?? p.config.chains[key].rpcUrl
      if (chains[key]?.rpcUrl === rpcUrl) continue
      const chain = connectDeliveryChain({ key, rpcUrl, contracts: p.config.chains[key], account: p.account })
      const chainId = await chain.client.getChainId().catch(() => null)
      if (chainId !== p.config.chains[key].chainId) continue
      if (chains[key]) p.log(`${key}: following the chain to ${rpcUrl}`)
      chains[key] = chain
    }
  }

  async function scan(chain: DeliveryChain): Promise<void> {
    const latest = await chain.client.getBlockNumber()
    while (cursors[chain.key] < latest) {
      const fromBlock = cursors[chain.key] + 1n
      const toBlock = fromBlock + logChunkBlocks - 1n < latest ? fromBlock + logChunkBlocks - 1n : latest
      const logs = await chain.client.getLogs({
        address: chain.contracts.endpoint,
        event: endpointAbi.find((i) => i.type === 'event' && i.name === 'PacketSent')!,
        fromBlock,
        toBlock,
        strict: true,
      })
      for (const log of logs)
        see({ from: chain.key, encodedPayload: log.args.encodedPayload, options: log.args.options, txHash: log.transactionHash })
      cursors[chain.key] = toBlock
      dirty = true
    }
  }

  function see(e: { from: ChainKey; encodedPayload: Hex; options: Hex; txHash: Hex }): void {
    const packet = decodePacketSent({ encodedPayload: e.encodedPayload, options: e.options })
    const to = chainByEid.get(packet.dstEid)
    if (!to || packets.has(packet.guid)) return
    const assigned = assignFault({ queued: faults, mode: config.mode })
    faults = assigned.queued
    packets.set(packet.guid, {
      guid: packet.guid,
      from: e.from,
      to,
      nonce: packet.nonce.toString(),
      encodedPacket: e.encodedPayload,
      options: e.options,
      lzReceiveGas: packet.lzReceiveGas.toString(),
      lzReceiveValue: packet.lzReceiveValue.toString(),
      originTxHash: e.txHash,
      fault: assigned.fault,
      state: assigned.fault === 'drop' ? 'dropped' : 'waiting',
      seenAtMs: now(),
      dueAtMs: now() + config.delayMs,
      executions: [],
      duplicates: [],
    })
    p.log(
      `${e.from} -> ${to}: packet ${packet.guid} nonce ${packet.nonce}, lzReceive gas ${packet.lzReceiveGas}${assigned.fault ? `, fault ${assigned.fault}` : ''}`,
    )
  }

  async function advance(rec: PacketRecord): Promise<void> {
    const dst = chains[rec.to]
    if (now() < rec.dueAtMs || !dst) return
    const packet = decodePacketSent({ encodedPayload: rec.encodedPacket, options: rec.options })
    const inbound = await readInbound(dst, { receiver: packet.receiver, srcEid: packet.srcEid, sender: packet.sender, nonce: packet.nonce })
    const executedOnChain = inbound.payloadHash === zeroHash && inbound.lazyNonce >= packet.nonce
    if (rec.state === 'waiting') {
      if (executedOnChain) return markExecuted(rec, 'executed by someone else')
      if (inbound.payloadHash !== packet.payloadHash) {
        const data = encodeFunctionData({ abi: messageLibAbi, functionName: 'validatePacket', args: [rec.encodedPacket] })
        rec.verify = await sendAndWait(dst, { to: dst.contracts.messageLib, data })
        if (rec.verify.status !== 'success') return fail(rec, `validatePacket reverted (${rec.verify.txHash})`)
      }
      rec.state = 'verified'
      rec.dueAtMs = now() + config.executeDelayMs
      delete rec.lastError
      return
    }
    if (rec.state === 'verified') {
      if (executedOnChain) return markExecuted(rec, 'executed by someone else (an operator re-execution)')
      if (packet.lzReceiveGas === 0n) {
        // LayerZero's executor does not execute a message whose options carry no lzReceive gas.
        rec.lastError = 'options carry no lzReceive gas: verified, never executed'
        rec.dueAtMs = Number.MAX_SAFE_INTEGER
        return
      }
      return execute({ rec, dst, packet })
    }
    if (rec.state === 'executed' && rec.fault === 'duplicate' && rec.duplicates.length === 0) return duplicate({ rec, dst, packet })
  }

  async function execute({ rec, dst, packet }: { rec: PacketRecord; dst: DeliveryChain; packet: DecodedPacket }): Promise<void> {
    const data = lzReceiveData(packet)
    const starved = rec.fault === 'out-of-gas'
    const executionGas = starved ? outOfGasExecutionGas : packet.lzReceiveGas
    const gas = maxBigint(intrinsicGas(data) + executionGas, calldataFloorGas(data))
    const refusal = await simulateRefusal(dst, { to: dst.contracts.endpoint, data, gas })
    if (refusal === 'LZ_InvalidNonce' && !starved) {
      // Executions are ordered per path: an earlier nonce (e.g. a dropped packet) is not verified yet.
      rec.lastError = 'waiting for an earlier nonce on this path to be verified'
      return
    }
    const outcome = await sendAndWait(dst, { to: dst.contracts.endpoint, data, gas })
    const refusedWith = outcome.status === 'success' ? undefined : outcome.gasUsed === outcome.gas ? 'OutOfGas' : (refusal ?? undefined)
    rec.executions.push({ ...outcome, ...(refusedWith ? { refusedWith } : {}) })
    if (outcome.status === 'success') return markExecuted(rec, `executed in ${outcome.txHash}`)
    // What LayerZero's executor does when lzReceive fails: it reports it on the endpoint.
    const alert = encodeFunctionData({
      abi: endpointAbi,
      functionName: 'lzReceiveAlert',
      args: [
        { srcEid: packet.srcEid, sender: packet.sender, nonce: packet.nonce },
        packet.receiver,
        packet.guid,
        executionGas,
        0n,
        packet.message,
        '0x',
        stringToHex(refusedWith ?? 'reverted'),
      ],
    })
    const alerted = await sendAndWait(dst, { to: dst.contracts.endpoint, data: alert })
    rec.alertTxHash = alerted.txHash
    fail(rec, `lzReceive failed (${refusedWith ?? 'reverted'}) with ${executionGas} gas in ${outcome.txHash}; verified, payload kept`)
  }

  async function duplicate({ rec, dst, packet }: { rec: PacketRecord; dst: DeliveryChain; packet: DecodedPacket }): Promise<void> {
    const verifyData = encodeFunctionData({ abi: messageLibAbi, functionName: 'validatePacket', args: [rec.encodedPacket] })
    const verifyRefusal = await simulateRefusal(dst, { to: dst.contracts.messageLib, data: verifyData, gas: refusedVerifyGas })
    const verify = await sendAndWait(dst, { to: dst.contracts.messageLib, data: verifyData, gas: refusedVerifyGas })
    const executeData = lzReceiveData(packet)
    const gas = intrinsicGas(executeData) + packet.lzReceiveGas
    const executeRefusal = await simulateRefusal(dst, { to: dst.contracts.endpoint, data: executeData, gas })
    const execute = await sendAndWait(dst, { to: dst.contracts.endpoint, data: executeData, gas })
    rec.duplicates.push(
      { what: 'verify', ...verify, ...(verifyRefusal ? { refusedWith: verifyRefusal } : {}) },
      { what: 'execute', ...execute, ...(executeRefusal ? { refusedWith: executeRefusal } : {}) },
    )
    p.log(`${rec.to}: duplicate of ${rec.guid}: verify ${verify.status} (${verifyRefusal}), execute ${execute.status} (${executeRefusal})`)
  }

  const markExecuted = (rec: PacketRecord, why: string) => {
    rec.state = 'executed'
    rec.deliveredAtMs = now()
    delete rec.lastError
    p.log(`${rec.to}: ${rec.guid} ${why}`)
  }
  const fail = (rec: PacketRecord, why: string) => {
    rec.state = 'failed'
    rec.lastError = why
    p.log(`${rec.to}: ${rec.guid} ${why}`)
  }

  const service: DeliveryService = {
    async tick() {
      await connect().catch((err) => p.log(`reading the manifest failed: ${summary(err)}`))
      for (const key of chainKeys) {
        const chain = chains[key]
        if (chain) await scan(chain).catch((err) => p.log(`${key}: scan failed: ${summary(err)}`))
      }
      for (const rec of packets.values()) {
        if (rec.state === 'dropped' || rec.state === 'failed') continue
        if (rec.state === 'executed' && !(rec.fault === 'duplicate' && rec.duplicates.length === 0)) continue
        const before = JSON.stringify(rec)
        await advance(rec).catch((err) => {
          rec.lastError = summary(err)
          p.log(`${rec.to}: ${rec.guid}: ${rec.lastError}`)
        })
        if (JSON.stringify(rec) !== before) dirty = true
      }
      if (dirty) service.persist()
    },
    state: () => ({ config, faults: [...faults], packets: [...packets.values()].map((r) => ({ ...r })) }),
    setConfig(patch) {
      const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined))
      config = deliveryConfigSchema.parse({ ...config, ...set })
      service.persist()
      return config
    },
    addFaults({ kind, count }) {
      faults = [...faults, ...Array.from({ length: count }, () => kind)]
      service.persist()
      return [...faults]
    },
    deliver(guid) {
      const released: Hex[] = []
      for (const rec of packets.values()) {
        if (rec.state !== 'dropped' || (guid !== undefined && rec.guid !== guid.toLowerCase())) continue
        rec.state = 'waiting'
        rec.fault = null
        rec.dueAtMs = now()
        released.push(rec.guid)
      }
      service.persist()
      return released
    },
    persist() {
      mkdirSync(devnetDir(p.config.stateDir), { recursive: true })
      const state = { ...service.state(), cursors: Object.fromEntries(chainKeys.map((k) => [k, cursors[k].toString()])) }
      writeFileSync(`${statePath}.tmp`, `${JSON.stringify(state, null, 2)}\n`)
      renameSync(`${statePath}.tmp`, statePath)
      dirty = false
    },
  }
  return service
}

const zeroHash = `0x${'0'.repeat(64)}` as const

const lzReceiveData = (packet: DecodedPacket): Hex =>
  encodeFunctionData({
    abi: endpointAbi,
    functionName: 'lzReceive',
    args: [{ srcEid: packet.srcEid, sender: packet.sender, nonce: packet.nonce }, packet.receiver, packet.guid, packet.message, '0x'],
  })

const maxBigint = (a: bigint, b: bigint): bigint => (a > b ? a : b)

const summary = (err: unknown): string =>
  err instanceof ViemBaseError ? err.shortMessage : err instanceof Error ? err.message : String(err)
