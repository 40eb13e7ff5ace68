import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getAddress, type Hex, hexToBigInt } from 'viem'
import type { z } from 'zod'
import { anvilRpc } from '../anvil.ts'
import { type Log, nextBlockEnv, type RelayState, startBuilder } from './builder.ts'
import { builderPubkey } from './constants.ts'
import { bundleHash, coinbaseDiffOf } from './orderBundles.ts'
import {
  bundleStatsParamsSchema,
  callBundleParamsSchema,
  cancelBundleParamsSchema,
  pauseMiningParamsSchema,
  rpcRequestSchema,
  sendBundleParamsSchema,
  setInclusionParamsSchema,
} from './schemas.ts'
import { decodeTx, simulateTxs } from './simulateTxs.ts'
import type { DecodedTx, StoredBundle } from './types.ts'
import { verifySignature } from './verifySignature.ts'

/** A JSON-RPC error the relay answers with; `httpStatus` 403 for authentication failures. */
class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly httpStatus = 200,
  ) {
    super(message)
  }
}

const invalidParams = (message: string) => new RpcError(-32602, message)

function parseParams<T>(schema: z.ZodType<T>, params: unknown[], method: string): T {
  const parsed = schema.safeParse(params[0])
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const path = ['params[0]', ...(issue?.path ?? []).map(String)].join('.')
  throw invalidParams(`${method}: invalid ${path}: ${issue?.message ?? 'invalid'}`)
}

async function decodeAll(txs: Hex[], method: string): Promise<DecodedTx[]> {
  return Promise.all(
    txs.map(async (raw, i) => {
      try {
        return await decodeTx(raw)
      } catch (err) {
        throw invalidParams(`${method}: invalid params[0].txs.${i}: ${err instanceof Error ? err.message : String(err)}`)
      }
    }),
  )
}

type Relay = { url: string; state: RelayState; close: () => Promise<void> }

/**
 * A Flashbots-compatible relay and block builder for one devnet chain: `eth_sendBundle`,
 * `eth_callBundle`, `eth_cancelBundle`, `flashbots_getBundleStatsV2` with the relay's signature
 * check, plus unsigned `devnet_*` controls; it mines the chain's blocks every `blockMs`.
 */
export async function startRelay(p: { rpcUrl: string; chainId: number; port: number; blockMs: number; log: Log }): Promise<Relay> {
  const state: RelayState = { bundles: [], include: true, nextSeq: 0, pausedUntilMs: 0 }
  const ctx = { rpcUrl: p.rpcUrl, chainId: p.chainId, state }
  const server = createServer((req, res) => {
    handle(ctx, req, res).catch((err) => {
      p.log(`request failed: ${err instanceof Error ? err.message : String(err)}`)
      if (!res.headersSent) reply(res, 500, { jsonrpc: '2.0', id: null, error: { code: -32603, message: 'internal error' } })
    })
  })
  await new Promise<void>((done, fail) => {
    server.once('error', fail)
    server.listen(p.port, '127.0.0.1', () => done())
  })
  const builder = startBuilder({ rpcUrl: p.rpcUrl, state, blockMs: p.blockMs, log: p.log })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    state,
    async close() {
      await builder.stop()
      server.closeAllConnections()
      await new Promise((done) => server.close(done))
    },
  }
}

type Ctx = { rpcUrl: string; chainId: number; state: RelayState }

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

async function handle(ctx: Ctx, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === 'GET' && req.url === '/health') return reply(res, 200, { pid: process.pid })
  if (req.method !== 'POST')
    return reply(res, 405, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'POST a JSON-RPC request' } })
  const body = await readBody(req)
  let id: number | string | null = null
  try {
    let json: unknown
    try {
      json = JSON.parse(body)
    } catch {
      throw new RpcError(-32700, 'parse error: body is not JSON')
    }
    const request = rpcRequestSchema.safeParse(json)
    if (!request.success)
      throw new RpcError(
        -32600,
        `invalid request: ${request.error.issues[0]?.path.join('.') ?? ''} ${request.error.issues[0]?.message ?? ''}`,
      )
    id = request.data.id
    const { method, params } = request.data
    if (method.startsWith('devnet_')) return reply(res, 200, { jsonrpc: '2.0', id, result: await devnetMethod(ctx, method, params) })
    const header = req.headers['x-flashbots-signature']
    const auth = await verifySignature({ header: Array.isArray(header) ? header[0] : header, body })
    if (auth.status === 'invalid') throw new RpcError(-32600, auth.reason, 403)
    const result = await signedMethod({ ctx, method, params, signer: auth.signer })
    reply(res, 200, { jsonrpc: '2.0', id, result })
  } catch (err) {
    if (!(err instanceof RpcError)) throw err
    reply(res, err.httpStatus, { jsonrpc: '2.0', id, error: { code: err.code, message: err.message } })
  }
}

async function signedMethod(p: { ctx: Ctx; method: string; params: unknown[]; signer: Hex }): Promise<unknown> {
  switch (p.method) {
    case 'eth_sendBundle':
      return sendBundle(p)
    case 'eth_callBundle':
      return callBundle(p)
    case 'eth_cancelBundle': {
      const { replacementUuid } = parseParams(cancelBundleParamsSchema, p.params, p.method)
      return cancelByUuid({ state: p.ctx.state, uuid: replacementUuid, signer: p.signer, reason: 'cancelled by eth_cancelBundle' })
    }
    case 'flashbots_getBundleStatsV2':
      return bundleStats(p)
    default:
      throw new RpcError(-32601, `method ${p.method} not supported by the devnet relay`)
  }
}

function cancelByUuid(p: { state: RelayState; uuid: string; signer: Hex; reason: string }): Hex[] {
  const cancelled: Hex[] = []
  for (const b of p.state.bundles) {
    if (b.status === 'pending' && b.uuid === p.uuid && b.signer === p.signer) {
      b.status = 'cancelled'
      b.reason = p.reason
      cancelled.push(b.hash)
    }
  }
  return cancelled
}

async function sendBundle(p: { ctx: Ctx; method: string; params: unknown[]; signer: Hex }): Promise<{ bundleHash: Hex }> {
  const params = parseParams(sendBundleParamsSchema, p.params, p.method)
  const txs = await decodeAll(params.txs, p.method)
  const hash = bundleHash(txs.map((t) => t.hash))
  const targetBlock = hexToBigInt(params.blockNumber)
  const { state } = p.ctx
  const uuid = params.replacementUuid ?? null
  const same = state.bundles.find(
    (b) => b.hash === hash && b.targetBlock === targetBlock && b.signer === p.signer && b.status === 'pending',
  )
  if (same && same.uuid === uuid) return { bundleHash: hash }
  if (uuid !== null) cancelByUuid({ state, uuid, signer: p.signer, reason: `replaced by ${hash} (same replacementUuid)` })
  const bundle: StoredBundle = {
    hash,
    seq: state.nextSeq++,
    uuid,
    signer: p.signer,
    targetBlock,
    txs,
    minTimestamp: params.minTimestamp ?? null,
    maxTimestamp: params.maxTimestamp ?? null,
    revertingTxHashes: params.revertingTxHashes ?? [],
    receivedAtMs: Date.now(),
    status: 'pending',
    reason: null,
    simulatedAtMs: null,
    consideredAtMs: null,
    sealedAtMs: null,
    included: null,
  }
  state.bundles.push(bundle)
  return { bundleHash: hash }
}

/** `eth_callBundle` in mev-geth's result shape: decimal-string wei amounts, numeric gas. */
async function callBundle(p: { ctx: Ctx; method: string; params: unknown[] }): Promise<unknown> {
  const params = parseParams(callBundleParamsSchema, p.params, p.method)
  const txs = await decodeAll(params.txs, p.method)
  const stateBlock = params.stateBlockNumber === 'pending' ? 'latest' : params.stateBlockNumber
  const next = await nextBlockEnv(p.ctx.rpcUrl)
  const stateNumber =
    stateBlock === 'latest'
      ? next.number - 1n
      : hexToBigInt(
          (await anvilRpc<{ number: Hex }>({ rpcUrl: p.ctx.rpcUrl, method: 'eth_getBlockByNumber', params: [stateBlock, false] })).number,
        )
  const env = {
    ...next,
    number: hexToBigInt(params.blockNumber),
    timestampSec: params.timestamp ? BigInt(params.timestamp) : next.timestampSec,
    coinbase: params.coinbase ? getAddress(params.coinbase) : next.coinbase,
  }
  const sim = await simulateTxs({ rpcUrl: p.ctx.rpcUrl, stateBlock, env, txs })
  if (sim.status === 'failed') throw new RpcError(-32000, sim.reason)
  let coinbaseDiff = 0n
  let ethSentToCoinbase = 0n
  let gasFees = 0n
  let totalGasUsed = 0n
  const results = sim.txs.map((tx) => {
    const txCoinbaseDiff = coinbaseDiffOf(tx)
    const txGasFees = tx.gasUsed * tx.tipPerGasWei
    coinbaseDiff += txCoinbaseDiff
    ethSentToCoinbase += tx.ethSentToCoinbaseWei
    gasFees += txGasFees
    totalGasUsed += tx.gasUsed
    return {
      txHash: tx.hash,
      gasUsed: Number(tx.gasUsed),
      gasPrice: (tx.gasUsed === 0n ? 0n : txCoinbaseDiff / tx.gasUsed).toString(),
      gasFees: txGasFees.toString(),
      fromAddress: tx.from,
      toAddress: tx.to ?? '0x',
      coinbaseDiff: txCoinbaseDiff.toString(),
      ethSentToCoinbase: tx.ethSentToCoinbaseWei.toString(),
      value: tx.returnData,
      ...(tx.success ? {} : { error: tx.error ?? 'execution reverted', revert: tx.revert ?? '' }),
    }
  })
  return {
    bundleGasPrice: (totalGasUsed === 0n ? 0n : coinbaseDiff / totalGasUsed).toString(),
    bundleHash: bundleHash(txs.map((t) => t.hash)),
    coinbaseDiff: coinbaseDiff.toString(),
    ethSentToCoinbase: ethSentToCoinbase.toString(),
    gasFees: gasFees.toString(),
    results,
    stateBlockNumber: Number(stateNumber),
    totalGasUsed: Number(totalGasUsed),
  }
}

function bundleStats(p: { ctx: Ctx; method: string; params: unknown[]; signer: Hex }): unknown {
  const params = parseParams(bundleStatsParamsSchema, p.params, p.method)
  const block = hexToBigInt(params.blockNumber)
  const bundle = p.ctx.state.bundles.find((b) => b.hash === params.bundleHash && b.targetBlock === block && b.signer === p.signer)
  if (!bundle) throw new RpcError(-32000, `no bundle ${params.bundleHash} for block ${block} sent by ${p.signer}`)
  const at = (ms: number | null) => (ms === null ? [] : [{ pubkey: builderPubkey, timestamp: new Date(ms).toISOString() }])
  return {
    isSimulated: bundle.simulatedAtMs !== null,
    isHighPriority: true,
    simulatedAt: bundle.simulatedAtMs === null ? null : new Date(bundle.simulatedAtMs).toISOString(),
    receivedAt: new Date(bundle.receivedAtMs).toISOString(),
    consideredByBuildersAt: at(bundle.consideredAtMs),
    sealedByBuildersAt: at(bundle.sealedAtMs),
  }
}

async function devnetMethod(ctx: Ctx, method: string, params: unknown[]): Promise<unknown> {
  switch (method) {
    case 'devnet_setInclusion': {
      const { include } = parseParams(setInclusionParamsSchema, params, method)
      ctx.state.include = include
      return { include }
    }
    case 'devnet_pauseMining': {
      // A tool that must put several transactions in one block of its own (the market simulator's
      // tick) holds the builder; the hold lapses by itself, so a crashed caller cannot stall the chain.
      const { ms } = parseParams(pauseMiningParamsSchema, params, method)
      ctx.state.pausedUntilMs = ms === 0 ? 0 : Date.now() + ms
      // A block already being built is finished first: once this returns, nothing is mined until the hold ends.
      await ctx.state.building?.catch(() => undefined)
      return { pausedUntil: ms === 0 ? null : new Date(ctx.state.pausedUntilMs).toISOString() }
    }
    case 'devnet_bundles':
      return ctx.state.bundles.map((b) => ({
        bundleHash: b.hash,
        replacementUuid: b.uuid,
        signer: b.signer,
        blockNumber: Number(b.targetBlock),
        txHashes: b.txs.map((t) => t.hash),
        status: b.status,
        reason: b.reason,
        receivedAt: new Date(b.receivedAtMs).toISOString(),
        included: b.included ? { blockNumber: Number(b.included.blockNumber), txIndexes: b.included.txIndexes } : null,
      }))
    default:
      throw new RpcError(-32601, `method ${method} not supported by the devnet relay`)
  }
}
