/**
 * Records the histories the replay test runs against. Run with `npm run histories:record [basic|operator|transfers|funded|book]`
 * after an intended change to workflow code, and commit the files next to the older ones (keep
 * those: they stand for runs started by earlier code); the replay test proves current code
 * replays them all.
 *
 * - `basic` (portfolioWorkflow.json, rebalanceWorkflow.json): observes, hedges after a shock in
 *   several capped hedges, is paused, refuses a bad mandate update and resumes; plus its first
 *   hedge child. portfolioWorkflow-before-follow-ups.json was recorded by this scenario before the
 *   `follow-up-hedges` patch.
 * - `transfers` (portfolioWorkflow-transfers.json, transferWorkflow-*.json): USDC over LayerZero, WETH over
 *   Across (unwrapped on delivery, wrapped back by the transfer), then a stop.
 * - `funded` (portfolioWorkflow-funded.json): Ethereum holds too little WETH for a hedge that is
 *   cheapest there; the plan moves WETH over Across first and the hedge waits for it
 *   (`funded-hedges`), then a stop.
 * - `book` (portfolioWorkflow-book.json, rollWorkflow.json, buyBackWorkflow.json,
 *   optionSettlementWorkflow.json): an option book (`option-book`): a covered call proposed and
 *   approved (approveRoll), sold by RFQ; near expiry at the strike the gamma floor buys part back;
 *   after expiry the price is posted, the vault settled and the next roll proposed; then a stop.
 * - `operator` (portfolioWorkflow-operator.json, rebalanceWorkflow-settle-unsent.json,
 *   settlementWorkflow.json, preflightWorkflow.json): the shapes added by issue 6, through an RPC
 *   proxy in front of Base: a hedge in slices (`sliced-hedges`), a send that ends in doubt and is
 *   settled by unblocking, a definite refusal mid-batch whose unsent nonces the saga cancels
 *   (`settle-unsent`), an update confirmed by the operator, a preflight, and a stop.
 */
import { writeFileSync } from 'node:fs'
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js'
import { createWalletClient, erc20Abi, type Hex, http, parseTransaction } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { devnetAccounts } from '../../chains/devnet/devnetClients.ts'
import { portfolioControls, runPreflight, startPortfolio, waitForStatus } from '../../temporal/client.ts'
import type { PortfolioStatus } from '../../workflows/portfolioWorkflow.ts'
import { startRpcProxy } from '../fixtures/rpcProxy.ts'
import { ethTarget, type Stack, startAndObserve, startStack, testMandate } from '../fixtures/stack.ts'

const outDir = new URL('./histories/', import.meta.url)
const projectRoot = new URL('../../', import.meta.url).pathname

async function save(stack: Stack, files: readonly (readonly [string, string])[]): Promise<void> {
  for (const [file, id] of files) {
    const history = await stack.client.workflow.getHandle(id).fetchHistory()
    // Stack traces of the SDK's own failures name this checkout's paths; they do not belong in the repo.
    const text = JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)
      .split(projectRoot)
      .join('<project>/')
    writeFileSync(new URL(file, outDir), `${text}\n`)
    console.log(`recorded ${id} → test/replay/histories/${file} (${history.events?.length} events)`)
  }
}

async function recordBasic(): Promise<void> {
  const stack = await startStack({ name: 'record', seed: 3 })
  try {
    await stack.startWorkers()
    const target = ethTarget((await stack.exposure()).deltaWei)
    // A 30 ETH cap makes the shock's hedge need follow-ups within one cycle (the `follow-up-hedges` patch).
    const mandate = testMandate({ portfolio: 'recorded', treasury: stack.treasury, targetEth: target, bandEth: '10' })
    mandate.hedge = { ...mandate.hedge, maxHedgeSizeEth: '30' }
    const { controls } = await startAndObserve(stack, mandate)
    const first = await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted >= 1 })
    await stack.sim.shock({ pct: -4 })
    await controls.wake()
    const hedged = await waitForStatus({
      status: controls.status,
      done: (s) => s.hedges.length >= 2 && s.cyclesCompleted > first.cyclesCompleted,
    })
    await controls.pause('recording')
    await controls.updateMandate({ ...hedged.mandate, delta: { targetEth: '1', bandEth: '-1' } }).catch(() => undefined)
    await controls.resume()
    await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted > hedged.cyclesCompleted })
    await controls.handle.terminate('recorded')
    await save(stack, [
      ['portfolioWorkflow.json', controls.handle.workflowId],
      ['rebalanceWorkflow.json', hedged.hedges[0]!.id],
    ])
  } finally {
    await stack.stop()
  }
}

async function recordOperator(): Promise<void> {
  const stack = await startStack({ name: 'record-ops', seed: 3 })
  const proxy = await startRpcProxy({ upstream: stack.manifest.chains.base.rpcUrl, secret: 'recording' })
  try {
    await stack.startWorkers({ rpcUrls: { base: proxy.url } })
    const baseDelta = (await stack.exposure()).chains.find((c) => c.chain === 'base')!.deltaWei
    const mandate = testMandate({ portfolio: 'recorded-ops', treasury: stack.treasury, targetEth: ethTarget(baseDelta), bandEth: '5' })
    mandate.chains = { base: { treasury: stack.treasury } }
    mandate.hedge = { ...mandate.hedge, maxSlippageBps: 7 }
    const preflight = await runPreflight({ client: stack.client, mandate, taskQueuePrefix: stack.taskQueuePrefix })
    if (preflight.issues.length > 0) throw new Error(`preflight refused the recording mandate: ${JSON.stringify(preflight.issues)}`)
    await startPortfolio({ client: stack.client, mandate, taskQueuePrefix: stack.taskQueuePrefix, submitAttempts: 2 })
    const controls = portfolioControls(stack.client, mandate.portfolio)
    const cycle = async (after: number): Promise<PortfolioStatus> => {
      await controls.wake()
      return waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted > after })
    }
    let s = await waitForStatus({ status: controls.status, done: (x) => x.cyclesCompleted >= 1 })

    // Slices: a 4 % move that Base's pool cannot take whole within 7 bp.
    await stack.sim.shock({ pct: -4 })
    s = await cycle(s.cyclesCompleted)
    if (!s.hedges.some((h) => h.slice)) throw new Error('expected a slice')

    // In doubt: every send refused, the chain blocked, then settled by unblocking.
    proxy.setFault({ kind: 'refuse', methods: ['eth_sendRawTransaction'] })
    s = await cycle(s.cyclesCompleted)
    if (s.blockedChains.length === 0) throw new Error('expected base to be blocked')
    proxy.setFault({ kind: 'none' })
    const unblockedAt = (await controls.clearBlockedChain('base')).cyclesCompleted
    // Unblocking wakes the loop; let that cycle finish before the next fault.
    s = await waitForStatus({ status: controls.status, done: (x) => x.cyclesCompleted > unblockedAt && (x.inFlight ?? []).length === 0 })

    // A definite refusal of the first send of a batch: the saga cancels the nonces it will not send.
    await revokeRouterAllowance(stack)
    await stack.sim.shock({ pct: -2 })
    proxy.setFault({
      kind: 'rpc-error',
      methods: ['eth_sendRawTransaction'],
      when: (params) =>
        parseTransaction(params[0] as Hex).to?.toLowerCase() !== stack.manifest.chains.base.contracts.swapRouter.toLowerCase(),
      error: { code: -32000, message: 'insufficient funds for gas * price + value' },
    })
    s = await cycle(s.cyclesCompleted)
    const refused = s.hedges.find((h) => h.status === 'failed' && h.reason?.includes('InsufficientFunds'))
    proxy.setFault({ kind: 'none' })

    // An update that needs confirmation, previewed and confirmed; then a stop.
    const moved = {
      ...s.mandate,
      delta: { ...s.mandate.delta, targetEth: ethTarget(BigInt(s.lastObservation!.deltaWei) - 20n * 10n ** 18n) },
    }
    await controls.previewUpdate(moved)
    await controls.updateMandate(moved, { confirmed: true })
    await controls.stop('recorded')
    await controls.handle.result()

    const settlement = `settle-${mandate.portfolio}-base-1`
    const preflights: string[] = []
    for await (const wf of stack.client.workflow.list({ query: "WorkflowType = 'preflightWorkflow'" })) preflights.push(wf.workflowId)
    await save(stack, [
      ['portfolioWorkflow-operator.json', controls.handle.workflowId],
      ['settlementWorkflow.json', settlement],
      ['preflightWorkflow.json', preflights[0]!],
      ...(refused ? ([['rebalanceWorkflow-settle-unsent.json', refused.id]] as const) : []),
    ])
    if (!refused) throw new Error('expected a hedge refused mid-batch (was an approve needed?)')
  } finally {
    await proxy.close()
    await stack.stop()
  }
}

/** No allowance left to the router, so the next hedge is a batch: approve, then swap. */
async function revokeRouterAllowance(stack: Stack): Promise<void> {
  const c = stack.manifest.chains.base
  const wallet = createWalletClient({ account: privateKeyToAccount(stack.manifest.devKeys.treasury), transport: http(c.rpcUrl) })
  const client = stack.chains.base.publicClient
  for (const token of [c.contracts.weth, c.contracts.usdc]) {
    const hash = await wallet.writeContract({
      chain: client.chain,
      address: token,
      abi: erc20Abi,
      functionName: 'approve',
      args: [c.contracts.swapRouter, 0n],
    })
    await client.waitForTransactionReceipt({ hash, pollingInterval: 100 })
  }
}

/** A portfolio that moves USDC over LayerZero and WETH over Across (wrapped on arrival), and the transfers' own histories. */
async function recordTransfers(): Promise<void> {
  const stack = await startStack({ name: 'record-moves', seed: 3 })
  try {
    await stack.startWorkers()
    const target = ethTarget((await stack.exposure()).deltaWei)
    const mandate = testMandate({ portfolio: 'recorded-moves', treasury: stack.treasury, targetEth: target, bandEth: '50' })
    const { controls } = await startAndObserve(stack, mandate)
    await waitForStatus({ status: controls.status, done: (s) => s.cyclesCompleted >= 1 })
    const settled = (n: number) => (s: PortfolioStatus) => (s.transfers ?? []).filter((t) => t.state === 'delivered').length >= n
    await controls.requestTransfer({ asset: 'USDC', from: 'arbitrum', to: 'base', amount: '1000000000', bridge: 'layerzero-v2-oft' })
    await waitForStatus({ status: controls.status, done: settled(1) })
    await controls.requestTransfer({
      asset: 'WETH',
      from: 'base',
      to: 'ethereum',
      amount: (3n * 10n ** 18n).toString(),
      bridge: 'across-v3',
    })
    const s = await waitForStatus({ status: controls.status, done: settled(2) })
    await controls.stop('recorded')
    await controls.handle.result()
    const [lz, across] = s.transfers!
    await save(stack, [
      ['portfolioWorkflow-transfers.json', controls.handle.workflowId],
      ['transferWorkflow-layerzero.json', lz!.id],
      ['transferWorkflow-across-weth.json', across!.id],
    ])
  } finally {
    await stack.stop()
  }
}

/** A hedge funded by a transfer: WETH moved to Ethereum over Across first, the swap after it arrived. */
async function recordFunded(): Promise<void> {
  const stack = await startStack({ name: 'record-funded', seed: 3 })
  try {
    // Before keel holds the treasury key: leave Ethereum 5 WETH.
    const { publicClient } = stack.chains.ethereum
    const wallet = createWalletClient({
      account: devnetAccounts().treasury,
      chain: publicClient.chain,
      transport: http(stack.manifest.chains.ethereum.rpcUrl),
    })
    const held = (await stack.balances('ethereum')).weth
    const hash = await wallet.writeContract({
      address: stack.manifest.chains.ethereum.contracts.weth,
      abi: erc20Abi,
      functionName: 'transfer',
      args: ['0x000000000000000000000000000000000000dEaD', held - 5n * 10n ** 18n],
    })
    await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 100 })
    await stack.startWorkers()
    const delta = (await stack.exposure()).deltaWei
    const mandate = testMandate({
      portfolio: 'recorded-funded',
      treasury: stack.treasury,
      targetEth: ethTarget(delta - 40n * 10n ** 18n),
      bandEth: '5',
      capital: { chains: {}, maxCostBps: 30, bridges: ['across-v3'], fundHedges: { maxDelaySec: 45 } },
    })
    mandate.hedge = { ...mandate.hedge, maxSlippageBps: 30 }
    const { controls } = await startAndObserve(stack, mandate)
    await waitForStatus({ status: controls.status, done: (s) => s.hedges.some((h) => h.fundedBy?.length) })
    await waitForStatus({ status: controls.status, done: (s) => s.lastObservation?.insideBand === true })
    await controls.stop('recorded')
    await controls.handle.result()
    await save(stack, [['portfolioWorkflow-funded.json', controls.handle.workflowId]])
  } finally {
    await stack.stop()
  }
}

async function recordBook(): Promise<void> {
  const stack = await startStack({ name: 'record-book', seed: 3 })
  try {
    await stack.startWorkers()
    const target = ethTarget((await stack.exposure()).deltaWei)
    const mandate = testMandate({
      portfolio: 'recorded-book',
      treasury: stack.treasury,
      targetEth: target,
      bandEth: '1000',
      loop: { intervalSec: 60 },
      options: {
        chains: ['arbitrum'],
        strategies: [
          {
            kind: 'covered-call',
            sizeEth: '10',
            callDelta: 0.25,
            expiry: { weekday: 'friday' },
            minPremiumUsdc: '1',
            maxDiscountBps: 1000,
            approval: { required: true, deadlineSec: 3600, onTimeout: 'skip' },
          },
        ],
        objectives: { gammaFloor: -0.02, vegaLimitUsdc: '100000', thetaTargetUsdcPerDay: '1' },
        mark: { svi: { a: 0.46, b: 0.05, rho: -0.3, m: 0, sigma: 0.2 } },
        hedgePolicy: 'band',
      },
    })
    const { controls } = await startAndObserve(stack, mandate)
    const rolls = (s: PortfolioStatus) => s.rolls ?? []
    const proposed = await waitForStatus({ status: controls.status, done: (s) => rolls(s).some((r) => r.status === 'awaiting-approval') })
    const roll = rolls(proposed)[0]!
    await controls.approveRoll(roll.id, true, 'recorder')
    await waitForStatus({ status: controls.status, done: (s) => rolls(s)[0]?.status === 'sold' })
    // A day before expiry at the strike: the gamma floor buys part of the short back.
    const client = stack.chains.arbitrum.publicClient
    const strike = Number(BigInt(roll.proposal.series.strikeE8) / 10n ** 8n)
    const expiry = Number(roll.proposal.series.expirySec)
    let now = Number((await client.getBlock()).timestamp)
    await stack.sim.shock({ pct: (strike / (Number(stack.sim.priceE8()) / 1e8) - 1) * 100, advanceSec: expiry - now - 86_400 })
    await controls.wake()
    const bought = await waitForStatus({
      status: controls.status,
      done: (s) => s.lastGammaFloor?.outcome?.status === 'bought',
      what: 'a buy-back (the gamma floor decision is in status.lastGammaFloor)',
    }).catch(async (err: Error) => Promise.reject(new Error(`${err.message}: ${JSON.stringify((await controls.status()).lastGammaFloor)}`)))
    const buyBackId = bought.lastGammaFloor!.outcome!.id
    // Past expiry: the price is posted; past the dispute period: the vault is settled and the next roll proposed.
    now = Number((await client.getBlock()).timestamp)
    await stack.sim.shock({ pct: 3, advanceSec: expiry + 3_600 - now })
    await controls.wake()
    await waitForStatus({
      status: controls.status,
      done: (s) => s.lastDecision.includes('post-expiry-price') || rolls(s)[0]?.status === 'settled',
    })
    await stack.sim.shock({ pct: 0, advanceSec: 3_600 })
    await controls.wake()
    const settled = await waitForStatus({ status: controls.status, done: (s) => rolls(s)[0]?.status === 'settled' && rolls(s).length >= 2 })
    await controls.stop('recorded')
    await controls.handle.result()
    const settleId = `recorded-book-option-${settled.optionSeq}-settle-vault`
    await save(stack, [
      ['portfolioWorkflow-book.json', controls.handle.workflowId],
      ['rollWorkflow.json', roll.id],
      ['buyBackWorkflow.json', buyBackId],
      ['optionSettlementWorkflow.json', settleId],
    ])
  } finally {
    await stack.stop()
  }
}

const which = process.argv[2] ?? 'basic'
const scenarios: Record<string, () => Promise<void>> = {
  basic: recordBasic,
  operator: recordOperator,
  transfers: recordTransfers,
  funded: recordFunded,
  book: recordBook,
}
const run = scenarios[which]
if (!run) {
  console.error(`unknown scenario "${which}" (expected ${Object.keys(scenarios).join(' or ')})`)
  process.exit(2)
}
run().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
