import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createOrderERC20, createOrderERC20Signature, ProtocolIds } from '@airswap/utils'
import { type Address, type Chain, createWalletClient, custom, type Hex, type PublicClient, parseAbi, type Transport } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { bsmPrice } from '../../../agent/risk/blackScholes.ts'
import { type SviParams, sviTotalVariance } from '../../../agent/risk/svi.ts'
import { knobsPatchSchema } from './schemas.ts'

/**
 * A market maker standing in for AirSwap's RFQ makers: it answers the RFQ-ERC20 protocol over
 * HTTP JSON-RPC (`getProtocols`, `getSignerSideOrderERC20`) with EIP-712 orders for the SwapERC20
 * contract of the chain each request names (`chainId`, `swapContract`), signed with its own key, the
 * same on every chain. It bids for the oTokens keel sells and asks for those keel buys back
 * (`getSenderSideOrderERC20`, from what it holds): its own SVI smile at the option's expiry,
 * the chain's ETH price and time, a spread either side and an inventory skew (it bids less and asks
 * less the more it already holds). Knobs (POST /control) make it slow, stale, refuse or bid off-market.
 */

export type MakerKnobs = {
  /** Answer with a JSON-RPC error instead of an order. */
  refuse: boolean
  /** Wait this long before answering. */
  delayMs: number
  /** Sign an order that has already expired. */
  stale: boolean
  /** Bid this many bps below (ask this many above) its own price on top of the spread. */
  offMarketBps: number
  /** Renege: cancel each order's nonce on-chain right after signing it, so taking it reverts. */
  renege: boolean
}

/** One chain the maker quotes on. */
export type MakerChain = {
  chainId: number
  client: PublicClient<Transport, Chain>
  swapContract: Address
  /** USDC on the chain: the only token this maker pays with. */
  usdc: Address
  /** Chainlink-compatible ETH/USD feed (8 decimals). */
  feed: Address
}

export type MakerConfig = {
  id: string
  key: Hex
  chains: readonly MakerChain[]
  /** Its smile: SVI on log-moneyness, the same for every expiry in total variance per year. */
  svi: SviParams
  spreadBps: number
  /** Bps less per oToken of the same series already held (inventory skew). */
  skewBpsPerOption: number
  /** Seconds an order stays valid. */
  validitySec: number
}

const otokenAbi = parseAbi([
  'function getOtokenDetails() view returns (address, address, address, uint256, uint256, bool)',
  'function balanceOf(address) view returns (uint256)',
])
const feedAbi = parseAbi(['function latestRoundData() view returns (uint80, int256, uint256, uint256, uint80)'])
const swapAbi = parseAbi(['function protocolFee() view returns (uint256)'])
const cancelAbi = parseAbi(['function cancel(uint256[] nonces)'])
const allowanceAbi = parseAbi([
  'function allowance(address owner, address spender) view returns (uint256)',
  'function approve(address spender, uint256 amount) returns (bool)',
])

export type Maker = {
  id: string
  url: string
  address: Address
  knobs: MakerKnobs
  /** What the maker would bid for `amountE8` of `otoken` on `chainId` now (USDC base units), before knobs. */
  price(p: { chainId: number; otoken: Address; amountE8: bigint }): Promise<bigint>
  close(): Promise<void>
}

/** A JSON-RPC error the maker answers with; RFQ makers use -336xx for "no order". */
type RpcError = { code: number; message: string }
const noOrder = (message: string): RpcError => ({ code: -33601, message })

/** Starts the maker's HTTP server on `port` (0 or omitted: one the OS picks) of 127.0.0.1. */
export async function startMaker(config: MakerConfig, opts: { port?: number; log?: (line: string) => void } = {}): Promise<Maker> {
  const account = privateKeyToAccount(config.key)
  const knobs: MakerKnobs = { refuse: false, delayMs: 0, stale: false, offMarketBps: 0, renege: false }
  let nonce = BigInt(Date.now())
  const log = opts.log ?? (() => {})

  const chainById = (chainId: number): MakerChain => {
    const chain = config.chains.find((c) => c.chainId === chainId)
    if (!chain) throw noOrder(`no market on chain ${chainId}`)
    return chain
  }
  /** The chain a request is for: its `chainId` and `swapContract` must name one this maker quotes on. */
  const chainOf = (params: Record<string, string>): MakerChain => {
    const chain = chainById(Number(params.chainId))
    if (params.swapContract?.toLowerCase() !== chain.swapContract.toLowerCase()) throw noOrder('unknown swap contract')
    return chain
  }

  /** Its model value of one oToken (USD) and how many it holds. */
  const value = async (chain: MakerChain, otoken: Address): Promise<{ model: number; held: bigint }> => {
    const { client } = chain
    const [, , , strikeE8, expiry, isPut] = await client.readContract({ address: otoken, abi: otokenAbi, functionName: 'getOtokenDetails' })
    const [[, spotE8], block, held] = await Promise.all([
      client.readContract({ address: chain.feed, abi: feedAbi, functionName: 'latestRoundData' }),
      client.getBlock(),
      client.readContract({ address: otoken, abi: otokenAbi, functionName: 'balanceOf', args: [account.address] }),
    ])
    const timeYears = Number(expiry - block.timestamp) / (365 * 86_400)
    if (timeYears <= 0) return { model: 0, held }
    const spot = Number(spotE8) / 1e8
    const strike = Number(strikeE8) / 1e8
    const vol = Math.sqrt(sviTotalVariance(config.svi, Math.log(strike / spot)))
    return { model: bsmPrice({ kind: isPut ? 'put' : 'call', spot, strike, timeYears, vol, rate: 0 }), held }
  }
  const usdcFor = (perOption: number, amountE8: bigint, roundUp: boolean): bigint => {
    const units = (perOption * 1e6 * Number(amountE8)) / 1e8
    return BigInt(roundUp ? Math.ceil(units) : Math.floor(units))
  }

  /** What it would pay for `amountE8` of `otoken` (its bid): model less spread, less more the more it already holds. */
  const bid = async (chain: MakerChain, otoken: Address, amountE8: bigint): Promise<bigint> => {
    const { model, held } = await value(chain, otoken)
    const perOption = model * (1 - (config.spreadBps + config.skewBpsPerOption * (Number(held) / 1e8)) / 10_000)
    return perOption <= 0 ? 0n : usdcFor(perOption, amountE8, false)
  }

  /** What it asks to sell `amountE8` of `otoken` it holds: model plus spread, less the more it holds. */
  const ask = async (chain: MakerChain, otoken: Address, amountE8: bigint): Promise<bigint> => {
    const [{ model, held }, fee] = await Promise.all([
      value(chain, otoken),
      chain.client.readContract({ address: chain.swapContract, abi: swapAbi, functionName: 'protocolFee' }),
    ])
    // The signer pays SwapERC20's fee in the token it gives: it needs the amount and the fee.
    const needed = amountE8 + (amountE8 * fee) / 10_000n
    if (held < needed) throw noOrder(`holds ${held} of this token, needs ${needed} with the fee`)
    const perOption = model * (1 + (config.spreadBps - config.skewBpsPerOption * (Number(held) / 1e8)) / 10_000)
    if (perOption <= 0) throw noOrder('no ask for this token')
    return usdcFor(perOption, amountE8, true)
  }

  const sign = async (p: {
    chain: MakerChain
    senderWallet: string
    signerToken: string
    signerAmount: bigint
    senderToken: string
    senderAmount: bigint
  }) => {
    const { client, swapContract, chainId } = p.chain
    const [block, protocolFee] = await Promise.all([
      client.getBlock(),
      client.readContract({ address: swapContract, abi: swapAbi, functionName: 'protocolFee' }),
    ])
    nonce += 1n
    const orderNonce = nonce
    const unsigned = createOrderERC20({
      nonce: orderNonce.toString(),
      expiry: (knobs.stale ? block.timestamp - 1n : block.timestamp + BigInt(config.validitySec)).toString(),
      signerWallet: account.address,
      signerToken: p.signerToken,
      signerAmount: p.signerAmount.toString(),
      protocolFee: protocolFee.toString(),
      senderWallet: p.senderWallet,
      senderToken: p.senderToken,
      senderAmount: p.senderAmount.toString(),
    })
    const signature = await createOrderERC20Signature(unsigned, config.key, swapContract, chainId)
    if (knobs.renege) {
      // A maker that backs out: its nonce is used up before the taker can send the order.
      const wallet = createWalletClient({ account, chain: client.chain, transport: custom({ request: client.request }) })
      const hash = await wallet.writeContract({ address: swapContract, abi: cancelAbi, functionName: 'cancel', args: [[orderNonce]] })
      await client.waitForTransactionReceipt({ hash, pollingInterval: 100 })
      log(`reneged on order ${orderNonce} on chain ${chainId}`)
    }
    const { protocolFee: _fee, ...order } = unsigned
    return { ...order, ...signature, v: String(signature.v) }
  }

  /** The chain of a request the maker answers at all: quoting, on a chain it knows, against that chain's USDC. */
  const check = (params: Record<string, string>, usdcSide: 'signerToken' | 'senderToken'): MakerChain => {
    if (knobs.refuse) throw { code: -33604, message: 'not quoting' } satisfies RpcError
    const chain = chainOf(params)
    if (params[usdcSide]?.toLowerCase() !== chain.usdc.toLowerCase()) throw noOrder('this maker trades against USDC only')
    return chain
  }

  /** A bid: keel (sender) gives `senderAmount` oTokens, the maker (signer) pays USDC. */
  const quote = async (params: Record<string, string>) => {
    const chain = check(params, 'signerToken')
    const senderAmount = BigInt(params.senderAmount ?? '0')
    const price = await bid(chain, params.senderToken as Address, senderAmount)
    const signerAmount = (price * BigInt(10_000 - knobs.offMarketBps)) / 10_000n
    if (signerAmount <= 0n) throw noOrder('no bid for this token')
    return sign({
      chain,
      senderWallet: params.senderWallet!,
      signerToken: chain.usdc,
      signerAmount,
      senderToken: params.senderToken!,
      senderAmount,
    })
  }

  /** An ask: the maker (signer) gives `signerAmount` oTokens, keel (sender) pays USDC. */
  const quoteAsk = async (params: Record<string, string>) => {
    const chain = check(params, 'senderToken')
    const signerAmount = BigInt(params.signerAmount ?? '0')
    const asked = await ask(chain, params.signerToken as Address, signerAmount)
    const senderAmount = (asked * BigInt(10_000 + knobs.offMarketBps)) / 10_000n
    await allowSwap(chain, params.signerToken as Address)
    return sign({
      chain,
      senderWallet: params.senderWallet!,
      signerToken: params.signerToken!,
      signerAmount,
      senderToken: chain.usdc,
      senderAmount,
    })
  }

  /** What it sells must be pullable by SwapERC20: a maker approves each oToken once, the first time it asks for it. */
  const allowSwap = async (chain: MakerChain, token: Address) => {
    const { client, swapContract } = chain
    const allowed = await client.readContract({
      address: token,
      abi: allowanceAbi,
      functionName: 'allowance',
      args: [account.address, swapContract],
    })
    if (allowed >= 2n ** 255n) return
    const wallet = createWalletClient({ account, chain: client.chain, transport: custom({ request: client.request }) })
    const hash = await wallet.writeContract({
      address: token,
      abi: allowanceAbi,
      functionName: 'approve',
      args: [swapContract, 2n ** 256n - 1n],
    })
    await client.waitForTransactionReceipt({ hash, pollingInterval: 100 })
  }

  const methods: Record<string, (params: Record<string, string>) => Promise<unknown>> = {
    getProtocols: async () => [{ name: ProtocolIds.RequestForQuoteERC20, version: '2.0.0' }],
    getSignerSideOrderERC20: quote,
    getSenderSideOrderERC20: quoteAsk,
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => reply(res, 500, { error: String(err) }))
  })
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req)
    // The process's own pid: whoever started it can tell its maker from another one on a reused port.
    if (req.url === '/health') return reply(res, 200, { id: config.id, address: account.address, pid: process.pid })
    if (req.url === '/control') return control(res, body)
    const call = JSON.parse(body) as { id: unknown; method: string; params: Record<string, string> }
    if (knobs.delayMs > 0) await new Promise((r) => setTimeout(r, knobs.delayMs))
    const method = methods[call.method]
    if (!method) return reply(res, 200, { jsonrpc: '2.0', id: call.id, error: { code: -32601, message: `no method ${call.method}` } })
    try {
      reply(res, 200, { jsonrpc: '2.0', id: call.id, result: await method(call.params) })
      if (call.method !== 'getProtocols') log(`${call.method} on chain ${call.params.chainId}: signed an order`)
    } catch (err) {
      const e = err as { code?: number; message?: string }
      reply(res, 200, { jsonrpc: '2.0', id: call.id, error: { code: e.code ?? -32603, message: e.message ?? String(err) } })
      log(`${call.method} on chain ${call.params?.chainId}: refused (${e.message ?? String(err)})`)
    }
  }
  /** POST /control with a partial set of knobs sets them; any call answers with the knobs now. */
  const control = (res: ServerResponse, body: string) => {
    const patch = knobsPatchSchema.safeParse(JSON.parse(body || '{}'))
    if (!patch.success) return reply(res, 400, { error: patch.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) })
    Object.assign(knobs, patch.data)
    if (Object.keys(patch.data).length > 0) log(`knobs now ${JSON.stringify(knobs)}`)
    return reply(res, 200, knobs)
  }
  // A port taken meanwhile fails the start instead of leaving a maker that never answers.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  return {
    id: config.id,
    url: `http://127.0.0.1:${port}/`,
    address: account.address,
    knobs,
    price: (p) => bid(chainById(p.chainId), p.otoken, p.amountE8),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let data = ''
    req.on('data', (c: Buffer) => {
      data += c.toString()
    })
    req.on('end', () => resolve(data))
    req.on('error', reject)
  })

const reply = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}
