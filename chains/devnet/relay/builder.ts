import { getAddress, type Hex, hexToBigInt, numberToHex } from 'viem'
import { anvilRpc } from '../anvil.ts'
import { conflictOf, failureOf, orderBundles, scoreBundle, timestampMismatch } from './orderBundles.ts'
import { simulateTxs } from './simulateTxs.ts'
import { takePublicTxs } from './takePublicTxs.ts'
import type { BlockEnv, DecodedTx, StoredBundle } from './types.ts'

export type Log = (line: string) => void

/**
 * What the builder shares with the relay's RPC side: every bundle received, whether bundles may
 * land, and until when (epoch ms) it mines nothing because a devnet tool holds the chain.
 */
export type RelayState = {
  bundles: StoredBundle[]
  include: boolean
  nextSeq: number
  pausedUntilMs: number
  /** The block being built right now, if any: a pause waits for it, so no block is mined after the pause returns. */
  building?: Promise<void> | null
}

type LatestBlock = { number: Hex; timestamp: Hex; baseFeePerGas: Hex; gasUsed: Hex; gasLimit: Hex; miner: Hex }

/** The next block's base fee by EIP-1559 from its parent (what anvil computes unless told otherwise). */
export function nextBaseFee(p: { baseFeeWei: bigint; gasUsed: bigint; gasLimit: bigint }): bigint {
  const target = p.gasLimit / 2n
  if (target === 0n || p.gasUsed === target) return p.baseFeeWei
  if (p.gasUsed > target) {
    const delta = (p.baseFeeWei * (p.gasUsed - target)) / target / 8n
    return p.baseFeeWei + (delta > 0n ? delta : 1n)
  }
  return p.baseFeeWei - (p.baseFeeWei * (target - p.gasUsed)) / target / 8n
}

/** The environment of the block after `latest`: its timestamp as the node would give it now. */
export async function nextBlockEnv(rpcUrl: string): Promise<BlockEnv> {
  const latest = await anvilRpc<LatestBlock>({ rpcUrl, method: 'eth_getBlockByNumber', params: ['latest', false] })
  // An empty simulated block carries the node's own clock (with any offset the devnet moved it by).
  const [probe] = await anvilRpc<{ timestamp: Hex }[]>({
    rpcUrl,
    method: 'eth_simulateV1',
    params: [{ blockStateCalls: [{ calls: [] }] }, 'latest'],
  })
  const latestTs = hexToBigInt(latest.timestamp)
  const probeTs = probe ? hexToBigInt(probe.timestamp) : latestTs
  return {
    number: hexToBigInt(latest.number) + 1n,
    // biome-ignore lint/complexity/useMathMinMax: bigints
    timestampSec: probeTs > latestTs ? probeTs : latestTs,
    baseFeeWei: nextBaseFee({
      baseFeeWei: hexToBigInt(latest.baseFeePerGas),
      gasUsed: hexToBigInt(latest.gasUsed),
      gasLimit: hexToBigInt(latest.gasLimit),
    }),
    coinbase: getAddress(latest.miner),
  }
}

const settle = (b: StoredBundle, status: StoredBundle['status'], reason: string | null) => {
  b.status = status
  b.reason = reason
}

/**
 * Builds and mines the next block: the bundles targeting it that fit its timestamp, best payers
 * first, each simulated on top of those already taken and dropped whole on a disallowed revert or
 * a conflict; then the public pool after them. Bundles for a passed block expire.
 */
export async function buildBlock(p: { rpcUrl: string; state: RelayState; log: Log }): Promise<void> {
  const { rpcUrl, state, log } = p
  if (Date.now() < state.pausedUntilMs) return
  // Another client may have switched automine back on (a restart, a market tick): only the builder mines here.
  if (await anvilRpc<boolean>({ rpcUrl, method: 'anvil_getAutomine' })) {
    await anvilRpc({ rpcUrl, method: 'evm_setAutomine', params: [false] })
    log('automine was on: switched off, the builder mines this chain')
  }
  const next = hexToBigInt(await anvilRpc<Hex>({ rpcUrl, method: 'eth_blockNumber' })) + 1n
  for (const b of state.bundles) {
    if (b.status === 'pending' && b.targetBlock < next) settle(b, 'expired', `target block ${b.targetBlock} passed without inclusion`)
  }
  const candidates = state.include ? state.bundles.filter((b) => b.status === 'pending' && b.targetBlock === next) : []
  // Most blocks have no bundle: mine them without reading the block environment.
  const env = candidates.length > 0 ? await nextBlockEnv(rpcUrl) : null
  const accepted = env && env.number === next ? await selectBundles({ rpcUrl, env, candidates }) : []
  if (!env || accepted.length === 0) {
    await anvilRpc({ rpcUrl, method: 'evm_mine' })
    return
  }
  const landing = await placeBundles({ rpcUrl, env, accepted, log })
  try {
    // The timestamp the bundles' windows were checked against.
    await anvilRpc({ rpcUrl, method: 'evm_setNextBlockTimestamp', params: [numberToHex(env.timestampSec)] })
  } catch (err) {
    log(`block ${env.number}: timestamp ${env.timestampSec} not pinned: ${err instanceof Error ? err.message : String(err)}`)
  }
  // Mine even so: the bundles' transactions are in the pool now and must not wait for another block.
  await anvilRpc({ rpcUrl, method: 'evm_mine' })
  await checkLanded({ rpcUrl, env, landing, log })
}

/** The bundles that go into the block, in order; the rest are marked dropped with the reason. */
async function selectBundles(p: { rpcUrl: string; env: BlockEnv; candidates: StoredBundle[] }): Promise<StoredBundle[]> {
  const now = Date.now()
  const scored: (ReturnType<typeof scoreBundle> & { bundle: StoredBundle })[] = []
  for (const bundle of p.candidates) {
    bundle.consideredAtMs = now
    const window = timestampMismatch({ ...bundle, timestampSec: p.env.timestampSec })
    if (window) {
      settle(bundle, 'dropped', window)
      continue
    }
    const alone = await simulateTxs({ rpcUrl: p.rpcUrl, stateBlock: 'latest', env: p.env, txs: bundle.txs })
    bundle.simulatedAtMs = Date.now()
    if (alone.status === 'failed') {
      settle(bundle, 'dropped', `simulation failed: ${alone.reason}`)
      continue
    }
    const failure = failureOf({ sims: alone.txs, revertingTxHashes: bundle.revertingTxHashes })
    if (failure) {
      settle(bundle, 'dropped', failure)
      continue
    }
    scored.push({ ...scoreBundle({ hash: bundle.hash, seq: bundle.seq, sims: alone.txs }), bundle })
  }
  const accepted: StoredBundle[] = []
  const acceptedTxs: DecodedTx[] = []
  for (const { bundle } of orderBundles(scored)) {
    const conflict = conflictOf({ accepted: acceptedTxs, bundle: bundle.txs })
    if (conflict) {
      settle(bundle, 'dropped', conflict)
      continue
    }
    if (accepted.length > 0) {
      // On top of what is already taken: a bundle that only works alone does not land.
      const stacked = await simulateTxs({ rpcUrl: p.rpcUrl, stateBlock: 'latest', env: p.env, txs: [...acceptedTxs, ...bundle.txs] })
      const failure =
        stacked.status === 'failed'
          ? `simulation after the bundles ahead failed: ${stacked.reason}`
          : failureOf({ sims: stacked.txs.slice(acceptedTxs.length), revertingTxHashes: bundle.revertingTxHashes })
      if (failure) {
        settle(bundle, 'dropped', failure)
        continue
      }
    }
    accepted.push(bundle)
    acceptedTxs.push(...bundle.txs)
  }
  return accepted
}

/**
 * Puts the accepted bundles at the head of the node's pool (which mines in arrival order): takes the
 * public transactions out, sends the bundles' transactions, then the public ones again, minus those
 * whose hash or sender+nonce a bundle took. Returns the bundles whose transactions all went in.
 */
async function placeBundles(p: { rpcUrl: string; env: BlockEnv; accepted: StoredBundle[]; log: Log }): Promise<StoredBundle[]> {
  const { taken, left } = await takePublicTxs(p.rpcUrl)
  if (left.length > 0)
    p.log(`block ${p.env.number}: ${left.length} pool tx(s) cannot be re-sent and stay ahead of the bundles: ${left.join(', ')}`)
  const landing: StoredBundle[] = []
  for (const bundle of p.accepted) {
    const sent: Hex[] = []
    try {
      for (const tx of bundle.txs) {
        await anvilRpc({ rpcUrl: p.rpcUrl, method: 'eth_sendRawTransaction', params: [tx.raw] })
        sent.push(tx.hash)
      }
      landing.push(bundle)
    } catch (err) {
      // All or nothing: take back what of it went in.
      for (const hash of sent) await anvilRpc({ rpcUrl: p.rpcUrl, method: 'anvil_dropTransaction', params: [hash] })
      settle(bundle, 'dropped', `the node refused a transaction: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  const bundleTxs = landing.flatMap((b) => b.txs)
  const hashes = new Set(bundleTxs.map((t) => t.hash.toLowerCase()))
  const slots = new Set(bundleTxs.map((t) => `${t.from.toLowerCase()}:${t.nonce}`))
  for (const tx of taken) {
    if (hashes.has(tx.hash.toLowerCase())) continue
    if (slots.has(`${tx.from.toLowerCase()}:${tx.nonce}`)) {
      p.log(`block ${p.env.number}: public tx ${tx.hash} lost its nonce to a bundle`)
      continue
    }
    try {
      await anvilRpc({ rpcUrl: p.rpcUrl, method: 'eth_sendRawTransaction', params: [tx.raw] })
    } catch (err) {
      p.log(`block ${p.env.number}: public tx ${tx.hash} not re-sent: ${err instanceof Error ? err.message : String(err)}`)
    }
  }
  return landing
}

/** Records each landing bundle as included when its transactions head the mined block in order. */
async function checkLanded(p: { rpcUrl: string; env: BlockEnv; landing: StoredBundle[]; log: Log }): Promise<void> {
  const block = await anvilRpc<{ transactions: Hex[] } | null>({
    rpcUrl: p.rpcUrl,
    method: 'eth_getBlockByNumber',
    params: [numberToHex(p.env.number), false],
  })
  const txs = (block?.transactions ?? []).map((h) => h.toLowerCase())
  let index = txs.indexOf(p.landing[0]?.txs[0]?.hash.toLowerCase() ?? '')
  if (index > 0) p.log(`block ${p.env.number}: bundles start at index ${index}, not at the top`)
  for (const bundle of p.landing) {
    const indexes = bundle.txs.map((tx) => txs.indexOf(tx.hash.toLowerCase()))
    const inOrder = indexes.every((at, i) => at >= 0 && at === index + i)
    if (inOrder) {
      bundle.status = 'included'
      bundle.reason = null
      bundle.sealedAtMs = Date.now()
      bundle.included = { blockNumber: p.env.number, txIndexes: indexes }
      index += bundle.txs.length
    } else {
      settle(bundle, 'dropped', `not mined as a contiguous sequence in block ${p.env.number} (indexes ${indexes.join(', ')})`)
      p.log(`block ${p.env.number}: bundle ${bundle.hash} ${bundle.reason}`)
    }
  }
}

/** Runs `buildBlock` every `blockMs` until stopped; a failed build is logged and the next one tries again. */
export function startBuilder(p: { rpcUrl: string; state: RelayState; blockMs: number; log: Log }): { stop: () => Promise<void> } {
  let stopped = false
  let lastError = ''
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now()
      try {
        p.state.building = buildBlock(p)
        await p.state.building
        lastError = ''
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err)
        // A node restarting fails every tick: say it once.
        if (message !== lastError) p.log(`build failed: ${message}`)
        lastError = message
      } finally {
        p.state.building = null
      }
      const waitMs = p.blockMs - (performance.now() - started)
      if (waitMs > 0) await new Promise((done) => setTimeout(done, waitMs))
    }
  })()
  return {
    async stop() {
      stopped = true
      await loop
    },
  }
}
