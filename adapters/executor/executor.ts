import type { Address, Hex, LocalAccount, PublicClient, TransactionReceipt } from 'viem'
import { getAddress, keccak256, parseTransaction, recoverTransactionAddress, TransactionReceiptNotFoundError } from 'viem'
import { maxBigint } from '../../agent/money.ts'
import type { ChainKey } from '../../chains/types.ts'
import { decodeRolesRevert, describeRolesRevert, type RoleTreasury, wrapBatchForRole, wrapForRole } from '../safe-roles/index.ts'
import { createPublicSubmitter } from '../submit-public/index.ts'
import type { BundleRelay, Call, PreparedTx, SubmittedTx, Submitter } from '../types.ts'
import { parseInput } from '../uniswap-v3/schemas.ts'
import {
  AlreadyKnownError,
  FeeTooLowError,
  IdempotencyConflictError,
  InsufficientFundsError,
  InvalidTransactionError,
  NonceConflictError,
  NonceConsumedError,
  NonceGapError,
  NonceTooLowError,
  PermissionDeniedError,
  ReceiptTimeoutError,
  SimulationRevertedError,
  SubmitAbortedError,
  TxRevertedError,
} from './errors.ts'
import { bundleAttemptFees, type Fees, replacementFees, replacementUuidOf } from './feeVersions.ts'
import { decodeRevertReason, mapError } from './mapError.ts'
import { createNonceManager } from './nonceManager.ts'
import { preparedTxSchema, prepareParamsSchema } from './schemas.ts'

/** Structured operator log; fields never include keys or raw signed bytes. */
export type ExecutorLog = (event: { level: 'debug' | 'info' | 'warn' | 'error'; msg: string } & Record<string, unknown>) => void

export type CreateExecutorParams = {
  chain: ChainKey
  chainId: number
  publicClient: PublicClient
  account: LocalAccount
  log?: ExecutorLog
  /** How long submit waits for a receipt before a retryable ReceiptTimeoutError; defaults per chain. */
  receiptTimeoutMs?: number
  /** Longest pause between receipt polls (they start at 100 ms and double); defaults per chain. */
  receiptPollMs?: number
  /** Added to the simulated gas of each call; see `gasLimitFor`. */
  gasMarginBps?: number
  /** Where signed transactions go; the chain's public mempool by default. */
  submitter?: Submitter
  /** How often a bundle's wait reads the block number; defaults per chain. */
  blockPollMs?: number
  /**
   * The Safe this signer acts for, through its Roles module: every call goes out as
   * `execTransactionWithRole` from the signer. Absent: the signer is the treasury itself.
   */
  treasury?: RoleTreasury
  /** keel's own reading of the role's permissions: a call it refuses is never simulated, signed or sent. */
  checkCall?: (call: Call) => { ok: true } | { ok: false; reason: string }
}

/** A stuck send is replaced (same nonce, both fee caps up 12.5 %) every `afterBlocks` blocks while its fee cap stays within `maxFeePerGas`. */
export type RepricePolicy = { afterBlocks: number; maxFeePerGas: bigint }

/** How a bundle is retried: one attempt per block until `deadlineBlocks` after the start, the tip rising by `feeStepBps` per attempt up to `maxPriorityFeePerGas`. */
export type BundlePolicy = { deadlineBlocks: number; feeStepBps: number; maxPriorityFeePerGas: bigint }

export type BundleProgress = { startBlock: bigint; attempt: number; targetBlock: bigint; bundleHash: Hex }

export type BundleOutcome =
  | { status: 'included'; outcomes: SubmittedTx[]; attempts: number; startBlock: bigint }
  /** No attempt landed by the deadline (checked: the signer's nonce did not move); `last` is the last version signed. */
  | { status: 'deadline'; attempts: number; startBlock: bigint; deadlineBlock: bigint; last: PreparedTx[] }

export type Executor = {
  chain: ChainKey
  chainId: number
  /** The signer: its nonces, its gas. */
  address: Address
  /** Where the funds are: the Safe the signer acts for, or the signer itself. */
  treasury: Address
  /** Simulates the batch with state carried between calls, then prices, nonces and signs it; nothing is sent. */
  prepare(params: { calls: readonly Call[]; idempotencyKey: string }): Promise<PreparedTx[]>
  /**
   * Broadcasts one prepared transaction (through `via`, the executor's submitter by default) and
   * returns its receipt; with `reprice`, a send not mined in time is replaced at higher fees (same
   * nonce). Safe to call again after any failure: every fee version it may have sent is looked for.
   */
  submit(prepared: PreparedTx, opts?: { signal?: AbortSignal; via?: Submitter; reprice?: RepricePolicy }): Promise<SubmittedTx>
  /**
   * Sends a batch as one bundle to `relay`: simulated first (a failing bundle is refused, nothing
   * sent), then one attempt per block, each version re-signed with a higher tip within the policy,
   * all under one replacement UUID, until every transaction is mined or the deadline block passes.
   * `startBlock` (from an earlier run of the same send) keeps the deadline where it was.
   */
  submitBundle(
    prepared: readonly PreparedTx[],
    opts: { relay: BundleRelay; policy: BundlePolicy; signal?: AbortSignal; startBlock?: bigint; onProgress?: (p: BundleProgress) => void },
  ): Promise<BundleOutcome>
  /**
   * Signs a zero-value transfer to self at `nonce`, outside the nonce manager: it settles a nonce
   * that would otherwise stay open (a batch that will not be sent, a gap). With `replacing`, both
   * fee caps clear the replacement rule against the transaction it displaces.
   */
  prepareCancel(p: {
    nonce: number
    idempotencyKey: string
    replacing?: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }
  }): Promise<PreparedTx>
  /** The signer's mined (`latest`) and pending transaction counts. */
  readNonces(): Promise<{ latest: number; pending: number }>
  /** The mined outcome of a hash (reverted included), or null when it has no receipt. */
  receipt(hash: Hex): Promise<SubmittedTx | null>
  /** Once every nonce this signer handed out is mined or cancelled: the next reservation starts at the chain's pending count. */
  resyncNonces(): Promise<void>
}

// Mainnet blocks are 12 s and may be missed; L2 blocks are 0.25-2 s.
const defaultReceiptTimeoutMs: Record<ChainKey, number> = { ethereum: 180_000, arbitrum: 60_000, base: 60_000 }
const defaultReceiptPollMs: Record<ChainKey, number> = { ethereum: 2_000, arbitrum: 500, base: 500 }
const defaultBlockPollMs: Record<ChainKey, number> = { ethereum: 1_000, arbitrum: 250, base: 250 }
/** Fee versions looked for when a resumed send finds its nonce taken: enough for any budget (12.5 % a step, 40 steps is 110×). */
const maxFeeVersions = 40

// Simulated gasUsed is after refunds; a transaction needs its pre-refund gas, which EIP-3529 caps
// at 1.25 × gasUsed, plus the 1/64 withheld at each nested call (~5 % at depth 3). 35 % covers both.
const defaultGasMarginBps = 3_500

const idempotencyCacheSize = 256

/** Creates the executor of one signer on one chain: the only owner of its nonces. */
export function createExecutor(params: CreateExecutorParams): Executor {
  const { chain, chainId, publicClient: client, account } = params
  const address = getAddress(account.address)
  const log: ExecutorLog = params.log ?? (() => {})
  const receiptTimeoutMs = params.receiptTimeoutMs ?? defaultReceiptTimeoutMs[chain]
  const receiptPollMs = params.receiptPollMs ?? defaultReceiptPollMs[chain]
  const gasMarginBps = params.gasMarginBps ?? defaultGasMarginBps
  const submitter = params.submitter ?? createPublicSubmitter(client)
  const blockPollMs = params.blockPollMs ?? defaultBlockPollMs[chain]
  const nonces = createNonceManager({
    fetchPendingCount: () => rpc(() => client.getTransactionCount({ address, blockTag: 'pending' })),
  })
  // In-process memo of prepared batches: a prepare activity retried after it succeeded (result lost)
  // gets the same signed transactions instead of burning fresh nonces that would never be sent.
  const prepared = new Map<string, { fingerprint: string; txs: Promise<PreparedTx[]> }>()

  async function prepare(input: { calls: readonly Call[]; idempotencyKey: string }): Promise<PreparedTx[]> {
    const { calls, idempotencyKey } = parseInput(prepareParamsSchema, input, 'executor batch')
    const wrongChain = calls.findIndex((c) => c.chainId !== chainId)
    if (wrongChain >= 0)
      throw new InvalidTransactionError({ reason: `call ${wrongChain} targets chain ${calls[wrongChain]?.chainId}, not ${chainId}` })

    const fingerprint = JSON.stringify(calls, (_, v) => (typeof v === 'bigint' ? v.toString() : v))
    if (params.checkCall) {
      for (const [index, call] of calls.entries()) {
        const verdict = params.checkCall(call)
        if (!verdict.ok)
          throw new PermissionDeniedError({ index, description: call.description, reason: verdict.reason, kind: 'condition' })
      }
    }
    const cached = prepared.get(idempotencyKey)
    if (cached) {
      if (cached.fingerprint !== fingerprint) throw new IdempotencyConflictError({ idempotencyKey })
      log({ level: 'info', msg: 'prepare: returning the batch already signed for this key', chain, idempotencyKey })
      return cached.txs
    }
    // Memoised before the first await, so a concurrent prepare with the same key waits for this one.
    const txs = signBatch(calls, idempotencyKey)
    remember(idempotencyKey, { fingerprint, txs })
    txs.catch(() => prepared.delete(idempotencyKey))
    return txs
  }

  async function signBatch(planned: readonly Call[], idempotencyKey: string): Promise<PreparedTx[]> {
    const { treasury } = params
    const multiSend = treasury?.multiSend
    // Through a Safe a batch is one MultiSend transaction (atomic, one nonce); a lone call is wrapped as it is.
    const calls = !treasury
      ? planned
      : planned.length > 1 && multiSend
        ? [wrapBatchForRole(planned, { ...treasury, multiSend })]
        : planned.map((c) => wrapForRole(c, treasury))
    if (treasury) {
      const needed = planned.reduce((sum, c) => sum + c.value, 0n)
      const held = needed > 0n ? await rpc(() => client.getBalance({ address: treasury.safe })) : 0n
      if (held < needed)
        throw new InsufficientFundsError({ cause: new Error(`the Safe ${treasury.safe} holds ${held} wei < ${needed} wei the calls send`) })
    }
    const gasLimits = await simulate(calls, planned)
    const [baseFeePerGas, priorityHex, balance] = await Promise.all([
      nextBaseFee(),
      rpc(() => client.request({ method: 'eth_maxPriorityFeePerGas' })),
      rpc(() => client.getBalance({ address })),
    ])
    const maxPriorityFeePerGas = BigInt(priorityHex)
    const maxFeePerGas = 2n * baseFeePerGas + maxPriorityFeePerGas
    const worstCost = calls.reduce((sum, c, i) => sum + c.value + gasLimits[i]! * maxFeePerGas, 0n)
    if (balance < worstCost) {
      throw new InsufficientFundsError({ cause: new Error(`balance ${balance} wei < worst-case cost ${worstCost} wei`) })
    }

    const reserved = await nonces.reserve({ count: calls.length })
    let txs: PreparedTx[]
    try {
      txs = await Promise.all(
        calls.map(async (call, index) => {
          const nonce = reserved[index]!
          const gas = gasLimits[index]!
          const raw = await account.signTransaction({
            chainId,
            type: 'eip1559',
            nonce,
            to: call.to,
            data: call.data,
            value: call.value,
            gas,
            maxFeePerGas,
            maxPriorityFeePerGas,
          })
          return {
            idempotencyKey,
            index,
            chainId,
            from: address,
            nonce,
            hash: keccak256(raw),
            raw,
            gasLimit: gas.toString(),
            maxFeePerGas: maxFeePerGas.toString(),
            maxPriorityFeePerGas: maxPriorityFeePerGas.toString(),
            description: call.description,
          }
        }),
      )
    } catch (err) {
      await nonces.release(reserved)
      throw mapError(err)
    }
    log({ level: 'info', msg: 'prepare: signed batch', chain, idempotencyKey, nonces: reserved, hashes: txs.map((t) => t.hash) })
    return txs
  }

  /**
   * The base fee our transactions will meet: the pending block's where the node reports one (it
   * already includes this block's EIP-1559 adjustment and any operator override), never less than
   * the latest block's.
   */
  async function nextBaseFee(): Promise<bigint> {
    const [latest, pending] = await Promise.all([
      rpc(() => client.getBlock({ blockTag: 'latest' })),
      client.getBlock({ blockTag: 'pending' }).catch(() => null),
    ])
    if (latest.baseFeePerGas === null) throw new InvalidTransactionError({ reason: `chain ${chainId} has no EIP-1559 base fee` })
    const pendingFee = pending?.baseFeePerGas ?? 0n
    return pendingFee > latest.baseFeePerGas ? pendingFee : latest.baseFeePerGas
  }

  /** One eth_simulateV1 over the whole batch: call i sees the state left by calls 0..i-1 (approve → swap). */
  async function simulate(calls: readonly Call[], planned: readonly Call[] = calls): Promise<bigint[]> {
    const { results } = await rpc(() =>
      client.simulateCalls({ account: address, calls: calls.map((c) => ({ to: c.to, data: c.data, value: c.value })) }),
    )
    if (results.length !== calls.length) {
      throw new InvalidTransactionError({ reason: `simulation returned ${results.length} results for ${calls.length} calls` })
    }
    const failed = results.findIndex((r) => r.status !== 'success')
    if (failed >= 0) await refuse(failed, results[failed]!, planned, calls)
    return results.map((r) => gasLimitFor(r.gasUsed, gasMarginBps))
  }

  /** Throws the error that says why call `index` of a simulated batch failed. */
  async function refuse(
    failed: number,
    r: { data?: unknown; error?: unknown },
    planned: readonly Call[],
    sent: readonly Call[],
  ): Promise<never> {
    const { treasury } = params
    // A batch sent as one MultiSend transaction fails as a whole: its calls are told apart below.
    const batched = sent.length !== planned.length
    let index = failed
    let revertData = typeof r.data === 'string' ? (r.data as Hex) : undefined
    const roles = treasury ? decodeRolesRevert(revertData) : undefined
    let description = (batched ? sent[failed] : planned[failed])!.description
    if (roles && treasury && roles.kind !== 'inner-call-failed') {
      const reason = describeRolesRevert(roles, treasury.roleKey)
      const kind = roles.kind === 'other' ? 'condition' : roles.kind
      throw new PermissionDeniedError({ index, description, reason, kind, cause: r.error })
    }
    if (roles && treasury) {
      // The role allowed it and the Safe's own call failed; Roles keeps only "failed", so the same
      // calls are simulated as the Safe to read the venue's reason (slippage, deadline, ...).
      const upTo = batched ? planned.length : index + 1
      const asSafe = await rpc(() =>
        client.simulateCalls({
          account: treasury.safe,
          calls: planned.slice(0, upTo).map((c) => ({ to: c.to, data: c.data, value: c.value })),
        }),
      ).catch(() => undefined)
      const innerIndex = batched ? (asSafe?.results.findIndex((x) => x.status !== 'success') ?? -1) : index
      const inner = innerIndex >= 0 ? asSafe?.results[innerIndex] : undefined
      if (inner && inner.status !== 'success' && typeof inner.data === 'string') {
        revertData = inner.data
        if (batched) {
          index = innerIndex
          description = planned[innerIndex]!.description
        }
      }
    }
    throw new SimulationRevertedError({
      index,
      description,
      reason:
        decodeRevertReason(revertData) ?? (roles && treasury ? describeRolesRevert(roles, treasury.roleKey) : 'reverted without a reason'),
      revertData,
      cause: r.error,
    })
  }

  function remember(key: string, entry: { fingerprint: string; txs: Promise<PreparedTx[]> }) {
    prepared.set(key, entry)
    if (prepared.size > idempotencyCacheSize) prepared.delete(prepared.keys().next().value!)
  }

  async function submit(
    input: PreparedTx,
    opts: { signal?: AbortSignal; via?: Submitter; reprice?: RepricePolicy } = {},
  ): Promise<SubmittedTx> {
    const tx = await checkPrepared(input)
    const via = opts.via ?? submitter
    const route = { route: via.manifest.id }
    const known = await receiptOf(tx.hash)
    if (known) return settle(tx, known, { ...route, attempts: 1 })

    const latest = await rpc(() => client.getTransactionCount({ address, blockTag: 'latest' }))
    if (latest > tx.nonce) return settleConsumedNonce(tx, latest, opts.reprice)
    if (latest < tx.nonce) {
      // Sent behind a nonce that is neither mined nor pending, it would wait forever: fail now, nothing sent.
      const pending = await rpc(() => client.getTransactionCount({ address, blockTag: 'pending' }))
      if (pending < tx.nonce) throw new NonceGapError({ nonce: tx.nonce, latestNonce: latest, pendingNonce: pending })
    }

    const sentAtBlock = await rpc(() => client.getBlockNumber({ cacheTime: 0 }))
    const versions: PreparedTx[] = [tx]
    try {
      await via.send({ chainId, raw: tx.raw, hash: tx.hash })
      log({
        level: 'info',
        msg: 'submit: broadcast',
        chain,
        route: route.route,
        idempotencyKey: tx.idempotencyKey,
        nonce: tx.nonce,
        hash: tx.hash,
      })
    } catch (err) {
      const mapped = mapError(err)
      if (mapped instanceof NonceTooLowError) {
        // Mined in the meantime, by us or by someone else: the receipts decide which.
        return settleConsumedNonce(tx, await rpc(() => client.getTransactionCount({ address, blockTag: 'latest' })), opts.reprice)
      }
      if (mapped instanceof NonceConflictError && opts.reprice) {
        // A replacement sent by an earlier run of this send holds the nonce: wait for whichever version it is.
        versions.push(...(await laterVersions(tx, opts.reprice)))
        log({ level: 'info', msg: 'submit: an earlier fee version holds the nonce', chain, nonce: tx.nonce })
      } else if (mapped instanceof FeeTooLowError && opts.reprice) {
        // The base fee rose past the fee cap since signing: the pool will not hold it; re-pricing starts now.
        log({ level: 'info', msg: 'submit: fee cap below the base fee, re-pricing', chain, nonce: tx.nonce })
      } else if (!(mapped instanceof AlreadyKnownError)) throw mapped
      else log({ level: 'info', msg: 'submit: node already has the transaction', chain, hash: tx.hash })
    }
    const mined = await waitForReceipt(tx, versions, { signal: opts.signal, via, reprice: opts.reprice, sentAtBlock })
    return settle(mined.version, mined.receipt, { ...route, attempts: mined.attempts, sentAtBlock: sentAtBlock.toString() })
  }

  /** Every replacement of `tx` the budget allows, in order: what an earlier run may have sent. */
  async function laterVersions(tx: PreparedTx, reprice: RepricePolicy): Promise<PreparedTx[]> {
    const out: PreparedTx[] = []
    for (let k = 1; k < maxFeeVersions; k++) {
      const fees = replacementFees(feesOf(tx), k, reprice.maxFeePerGas)
      if (!fees) break
      out.push(await resign(tx, fees))
    }
    return out
  }

  /**
   * Polls for a receipt of any version until one comes, the nonce is taken by another transaction,
   * the chain's timeout passes (retryable) or `signal` aborts (retryable: a worker shutting down must
   * not hold its activities for minutes; the same bytes are rebroadcast by the next attempt). With
   * `reprice`, every `afterBlocks` blocks without a receipt the transaction is replaced at higher
   * fees, as long as the fee cap stays within the budget.
   */
  async function waitForReceipt(
    first: PreparedTx,
    versions: PreparedTx[],
    o: { signal: AbortSignal | undefined; via: Submitter; reprice: RepricePolicy | undefined; sentAtBlock: bigint },
  ): Promise<{ receipt: TransactionReceipt; version: PreparedTx; attempts: number }> {
    const deadline = Date.now() + receiptTimeoutMs
    let delayMs = 100
    // The fee level of the next replacement; a version the pool refused (its cap under the base fee) still used its level.
    let level = versions.length
    // A first send the pool refused is re-priced at once.
    let nextBumpAt = o.reprice ? (versions.length === 0 ? o.sentAtBlock : o.sentAtBlock + BigInt(o.reprice.afterBlocks)) : null
    for (let poll = 1; ; poll++) {
      const mined = await minedVersion(versions)
      if (mined) return { ...mined, attempts: level }
      if (poll % 4 === 0) {
        const latest = await rpc(() => client.getTransactionCount({ address, blockTag: 'latest' }))
        if (latest > first.nonce) {
          // Mined between the two reads, or displaced by another transaction with our nonce.
          const last = await minedVersion(versions)
          if (last) return { ...last, attempts: level }
          throw new NonceConsumedError({ nonce: first.nonce, hash: first.hash, latestNonce: latest })
        }
      }
      if (nextBumpAt !== null && o.reprice) {
        const block = await rpc(() => client.getBlockNumber({ cacheTime: 0 }))
        if (block >= nextBumpAt) {
          const fees = replacementFees(feesOf(first), Math.max(level, 1), o.reprice.maxFeePerGas)
          if (fees) {
            const next = await resign(first, fees)
            level = Math.max(level, 1) + 1
            if (await sendReplacement(next, o.via)) versions.push(next)
            nextBumpAt = block + BigInt(o.reprice.afterBlocks)
          } else {
            log({ level: 'warn', msg: 'submit: stuck at the highest fee the budget allows', chain, nonce: first.nonce })
            nextBumpAt = null
          }
        }
      }
      if (o.signal?.aborted) throw new SubmitAbortedError({ hash: first.hash })
      const left = deadline - Date.now()
      if (left <= 0) throw new ReceiptTimeoutError({ hash: (versions.at(-1) ?? first).hash, timeoutMs: receiptTimeoutMs })
      await sleep(Math.min(delayMs, left), o.signal)
      delayMs = Math.min(delayMs * 2, receiptPollMs)
    }
  }

  /** Broadcasts a replacement; false when the pool will not take it (the original was mined meanwhile, or it is underpriced). */
  async function sendReplacement(next: PreparedTx, via: Submitter): Promise<boolean> {
    try {
      await via.send({ chainId, raw: next.raw, hash: next.hash })
    } catch (err) {
      const mapped = mapError(err)
      if (mapped instanceof AlreadyKnownError) return true
      // Mined meanwhile, underpriced against what holds the nonce, or still under the base fee: the next level may do.
      if (mapped instanceof NonceTooLowError || mapped instanceof NonceConflictError || mapped instanceof FeeTooLowError) return false
      throw mapped
    }
    log({
      level: 'info',
      msg: 'submit: replaced a stuck transaction',
      chain,
      nonce: next.nonce,
      hash: next.hash,
      maxFeePerGas: next.maxFeePerGas,
      maxPriorityFeePerGas: next.maxPriorityFeePerGas,
    })
    return true
  }

  async function minedVersion(versions: readonly PreparedTx[]): Promise<{ receipt: TransactionReceipt; version: PreparedTx } | null> {
    for (const version of versions) {
      const receipt = await receiptOf(version.hash)
      if (receipt) return { receipt, version }
    }
    return null
  }

  async function submitBundle(
    input: readonly PreparedTx[],
    opts: { relay: BundleRelay; policy: BundlePolicy; signal?: AbortSignal; startBlock?: bigint; onProgress?: (p: BundleProgress) => void },
  ): Promise<BundleOutcome> {
    if (input.length === 0) throw new InvalidTransactionError({ reason: 'empty bundle: a bundle needs at least one transaction' })
    const txs: PreparedTx[] = []
    for (const t of input) txs.push(await checkPrepared(t))
    const head = txs[0]!
    for (const [i, t] of txs.entries()) {
      if (t.nonce !== head.nonce + i)
        throw new InvalidTransactionError({
          reason: `bundle nonces must be consecutive: transaction ${i} has ${t.nonce}, expected ${head.nonce + i}`,
        })
    }
    const { relay, policy } = opts
    const uuid = replacementUuidOf(head.idempotencyKey)
    const route = { route: relay.manifest.id }
    const versions = new Map<number, Promise<PreparedTx[]>>()
    const version = (k: number): Promise<PreparedTx[]> => {
      let v = versions.get(k)
      if (!v) {
        v =
          k === 0
            ? Promise.resolve(txs)
            : Promise.all(
                txs.map((t) =>
                  resign(
                    t,
                    bundleAttemptFees(feesOf(t), k, { stepBps: policy.feeStepBps, maxPriorityFeePerGas: policy.maxPriorityFeePerGas }),
                  ),
                ),
              )
        versions.set(k, v)
      }
      return v
    }
    const maxAttempts = policy.deadlineBlocks + 1
    /** The version whose transactions were all mined, looked for among every attempt that may have gone out. */
    const landed = async (upTo: number): Promise<{ attempt: number; outcomes: SubmittedTx[] } | null> => {
      for (let k = 0; k < upTo; k++) {
        const v = await version(k)
        if (!(await receiptOf(v[0]!.hash))) continue
        const outcomes: SubmittedTx[] = []
        for (const t of v) {
          const r = await receiptOf(t.hash)
          if (!r) throw new InvalidTransactionError({ reason: `bundle attempt ${k} was mined in part: ${t.hash} has no receipt` })
          outcomes.push(settle(t, r, { ...route, attempts: k + 1 }))
        }
        return { attempt: k, outcomes }
      }
      return null
    }

    const latestNonce = await rpc(() => client.getTransactionCount({ address, blockTag: 'latest' }))
    if (latestNonce > head.nonce) {
      // An earlier run of this send may have landed before it could record it.
      const found = await landed(maxAttempts)
      if (found) return { status: 'included', outcomes: found.outcomes, attempts: found.attempt + 1, startBlock: opts.startBlock ?? 0n }
      throw new NonceConsumedError({ nonce: head.nonce, hash: head.hash, latestNonce })
    }
    if (latestNonce < head.nonce) {
      const pending = await rpc(() => client.getTransactionCount({ address, blockTag: 'pending' }))
      if (pending < head.nonce) throw new NonceGapError({ nonce: head.nonce, latestNonce, pendingNonce: pending })
    }

    let block = await rpc(() => client.getBlockNumber({ cacheTime: 0 }))
    const startBlock = opts.startBlock ?? block
    const deadlineBlock = startBlock + BigInt(policy.deadlineBlocks)
    let attempt = Number(block - startBlock)
    for (; block + 1n <= deadlineBlock; attempt++) {
      const targetBlock = block + 1n
      const v = await version(Math.min(attempt, maxAttempts - 1))
      const raws = v.map((t) => t.raw)
      const sim = await relay.simulate({ raws, targetBlock })
      if (!sim.ok) {
        await relay.cancel({ replacementUuid: uuid })
        throw new SimulationRevertedError({ index: sim.index, description: v[sim.index]?.description ?? '', reason: sim.reason })
      }
      const { bundleHash } = await relay.send({ raws, targetBlock, replacementUuid: uuid })
      log({
        level: 'info',
        msg: 'submit: bundle sent',
        chain,
        route: route.route,
        idempotencyKey: head.idempotencyKey,
        targetBlock,
        bundleHash,
      })
      opts.onProgress?.({ startBlock, attempt, targetBlock, bundleHash })
      block = await waitForBlock(targetBlock, opts.signal)
      const mined = await receiptOf(v[0]!.hash)
      if (mined) {
        const outcomes: SubmittedTx[] = []
        for (const t of v) {
          const r = t === v[0] ? mined : await receiptOf(t.hash)
          if (!r) throw new InvalidTransactionError({ reason: `bundle was mined in part: ${t.hash} has no receipt` })
          outcomes.push(settle(t, r, { ...route, attempts: attempt + 1, sentAtBlock: startBlock.toString() }))
        }
        return { status: 'included', outcomes, attempts: attempt + 1, startBlock }
      }
    }
    await relay.cancel({ replacementUuid: uuid })
    // Every attempt targeted a block that has passed: either one landed, or none ever can.
    const found = await landed(maxAttempts)
    if (found) return { status: 'included', outcomes: found.outcomes, attempts: found.attempt + 1, startBlock }
    const nonceNow = await rpc(() => client.getTransactionCount({ address, blockTag: 'latest' }))
    if (nonceNow > head.nonce) throw new NonceConsumedError({ nonce: head.nonce, hash: head.hash, latestNonce: nonceNow })
    return {
      status: 'deadline',
      attempts: attempt,
      startBlock,
      deadlineBlock,
      last: await version(Math.max(0, Math.min(attempt, maxAttempts) - 1)),
    }
  }

  /** Resolves with the chain's block number once it reaches `target`; a chain that stops making blocks ends in a retryable timeout. */
  async function waitForBlock(target: bigint, signal: AbortSignal | undefined): Promise<bigint> {
    let last = await rpc(() => client.getBlockNumber({ cacheTime: 0 }))
    let lastChangeMs = Date.now()
    while (last < target) {
      if (signal?.aborted) throw new SubmitAbortedError({ hash: '0x' })
      if (Date.now() - lastChangeMs > receiptTimeoutMs) throw new ReceiptTimeoutError({ hash: '0x', timeoutMs: receiptTimeoutMs })
      await sleep(blockPollMs, signal)
      const now = await rpc(() => client.getBlockNumber({ cacheTime: 0 }))
      if (now !== last) lastChangeMs = Date.now()
      last = now
    }
    return last
  }

  /** The same transaction (nonce, gas, call) signed again with other fees; the same fees give the same bytes. */
  async function resign(tx: PreparedTx, fees: Fees): Promise<PreparedTx> {
    const d = parseTransaction(tx.raw)
    const raw = await account.signTransaction({
      chainId,
      type: 'eip1559',
      nonce: tx.nonce,
      to: d.to ?? null,
      data: d.data,
      value: d.value ?? 0n,
      gas: d.gas,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    })
    return {
      ...tx,
      raw,
      hash: keccak256(raw),
      maxFeePerGas: fees.maxFeePerGas.toString(),
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
    }
  }

  async function prepareCancel(p: {
    nonce: number
    idempotencyKey: string
    replacing?: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }
  }): Promise<PreparedTx> {
    const [baseFeePerGas, priorityHex] = await Promise.all([
      nextBaseFee(),
      rpc(() => client.request({ method: 'eth_maxPriorityFeePerGas' })),
    ])
    const bump = (fee: bigint) => (fee * 9n + 7n) / 8n + 1n
    let maxPriorityFeePerGas = BigInt(priorityHex)
    let maxFeePerGas = 2n * baseFeePerGas + maxPriorityFeePerGas
    if (p.replacing) {
      // A replacement must raise both caps (geth's price bump is 10 %; 12.5 % + 1 wei clears it everywhere).
      maxPriorityFeePerGas = maxBigint(maxPriorityFeePerGas, bump(p.replacing.maxPriorityFeePerGas))
      maxFeePerGas = maxBigint(maxFeePerGas, bump(p.replacing.maxFeePerGas), maxPriorityFeePerGas)
    }
    const description = `cancel nonce ${p.nonce}: zero-value transfer to self`
    const raw = await account.signTransaction({
      chainId,
      type: 'eip1559',
      nonce: p.nonce,
      to: address,
      value: 0n,
      gas: 21_000n,
      maxFeePerGas,
      maxPriorityFeePerGas,
    })
    log({ level: 'info', msg: 'prepare: signed a cancel', chain, nonce: p.nonce, idempotencyKey: p.idempotencyKey })
    return {
      idempotencyKey: p.idempotencyKey,
      index: 0,
      chainId,
      from: address,
      nonce: p.nonce,
      hash: keccak256(raw),
      raw,
      gasLimit: '21000',
      maxFeePerGas: maxFeePerGas.toString(),
      maxPriorityFeePerGas: maxPriorityFeePerGas.toString(),
      description,
    }
  }

  async function readNonces(): Promise<{ latest: number; pending: number }> {
    const [latest, pending] = await Promise.all([
      rpc(() => client.getTransactionCount({ address, blockTag: 'latest' })),
      rpc(() => client.getTransactionCount({ address, blockTag: 'pending' })),
    ])
    return { latest, pending }
  }

  async function receipt(hash: Hex): Promise<SubmittedTx | null> {
    const r = await receiptOf(hash)
    if (!r) return null
    return {
      idempotencyKey: '',
      index: 0,
      hash,
      status: r.status === 'success' ? 'success' : 'reverted',
      blockNumber: r.blockNumber.toString(),
      gasUsed: r.gasUsed.toString(),
      effectiveGasPrice: r.effectiveGasPrice.toString(),
    }
  }

  async function settleConsumedNonce(tx: PreparedTx, latestNonce: number, reprice?: RepricePolicy): Promise<SubmittedTx> {
    // The nonce may have been consumed by our own transaction (or a replacement of it) between the two reads.
    const versions = reprice ? [tx, ...(await laterVersions(tx, reprice))] : [tx]
    const mined = await minedVersion(versions)
    if (mined) return settle(mined.version, mined.receipt)
    log({ level: 'warn', msg: 'submit: nonce consumed by another transaction', chain, nonce: tx.nonce, hash: tx.hash })
    throw new NonceConsumedError({ nonce: tx.nonce, hash: tx.hash, latestNonce })
  }

  function settle(
    tx: PreparedTx,
    receipt: TransactionReceipt,
    how: { route?: string; attempts?: number; sentAtBlock?: string } = {},
  ): SubmittedTx {
    const result: SubmittedTx = {
      ...how,
      idempotencyKey: tx.idempotencyKey,
      index: tx.index,
      hash: tx.hash,
      status: receipt.status === 'success' ? 'success' : 'reverted',
      blockNumber: receipt.blockNumber.toString(),
      gasUsed: receipt.gasUsed.toString(),
      effectiveGasPrice: receipt.effectiveGasPrice.toString(),
    }
    log({ level: 'info', msg: 'submit: mined', chain, hash: tx.hash, status: result.status, blockNumber: result.blockNumber })
    if (result.status === 'reverted') throw new TxRevertedError({ receipt: result })
    return result
  }

  async function receiptOf(hash: Hex): Promise<TransactionReceipt | null> {
    try {
      return await client.getTransactionReceipt({ hash })
    } catch (err) {
      if (err instanceof TransactionReceiptNotFoundError) return null
      throw mapError(err)
    }
  }

  /** The prepared record must be ours, for this chain, and its bytes must match its hash and nonce. */
  async function checkPrepared(input: PreparedTx): Promise<PreparedTx> {
    const p = parseInput(preparedTxSchema, input, 'prepared transaction')
    const tx: PreparedTx = {
      ...p,
      gasLimit: String(p.gasLimit),
      maxFeePerGas: String(p.maxFeePerGas),
      maxPriorityFeePerGas: String(p.maxPriorityFeePerGas),
    }
    if (tx.chainId !== chainId) throw new InvalidTransactionError({ reason: `prepared for chain ${tx.chainId}, executor is on ${chainId}` })
    if (tx.from !== address) throw new InvalidTransactionError({ reason: `prepared for signer ${tx.from}, executor signs as ${address}` })
    if (keccak256(tx.raw) !== tx.hash.toLowerCase())
      throw new InvalidTransactionError({ reason: 'raw bytes do not hash to the recorded hash' })
    let decoded: ReturnType<typeof parseTransaction>
    let signer: Address
    try {
      decoded = parseTransaction(tx.raw)
      signer = await recoverTransactionAddress({
        serializedTransaction: tx.raw as Parameters<typeof recoverTransactionAddress>[0]['serializedTransaction'],
      })
    } catch (err) {
      throw new InvalidTransactionError({ reason: `raw bytes are not a signed transaction (${mapError(err).shortMessage})` })
    }
    if (decoded.nonce !== tx.nonce || decoded.chainId !== chainId || getAddress(signer) !== address) {
      throw new InvalidTransactionError({ reason: 'raw bytes disagree with the recorded nonce, chain or signer' })
    }
    return tx
  }

  return {
    chain,
    chainId,
    address,
    treasury: params.treasury ? getAddress(params.treasury.safe) : address,
    prepare,
    submit,
    submitBundle,
    prepareCancel,
    readNonces,
    receipt,
    resyncNonces: () => nonces.resync(),
  }
}

const feesOf = (tx: PreparedTx): Fees => ({ maxFeePerGas: BigInt(tx.maxFeePerGas), maxPriorityFeePerGas: BigInt(tx.maxPriorityFeePerGas) })

/** Gas limit for a call from its simulated gasUsed: rounded up, never below the 21000 intrinsic floor. */
export function gasLimitFor(gasUsed: bigint, marginBps: number): bigint {
  const scaled = gasUsed * BigInt(10_000 + marginBps)
  const limit = (scaled + 9_999n) / 10_000n
  return limit < 21_000n ? 21_000n : limit
}

/** Resolves after `ms`, or early when `signal` aborts (the caller then sees `signal.aborted`). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
  })
}

async function rpc<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    throw mapError(err)
  }
}
