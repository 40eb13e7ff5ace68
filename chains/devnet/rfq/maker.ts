import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createOrderERC20, createOrderERC20Signature, ProtocolIds } from '@airswap/utils'
import { type Address, type Chain, type Hex, type PublicClient, parseAbi, type Transport } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { bsmPrice } from '../../../agent/risk/blackScholes.ts'
import { type SviParams, sviTotalVariance } from '../../../agent/risk/svi.ts'

/**
 * A market maker standing in for AirSwap's RFQ makers: it answers the RFQ-ERC20 protocol over
 * HTTP JSON-RPC (`getProtocols`, `getSignerSideOrderERC20`) with EIP-712 orders for the SwapERC20
 * contract, signed with its own key. It bids for the oTokens keel sells: its own SVI smile at the
 * option's expiry, the chain's ETH price and time, less a spread and an inventory skew (it bids
 * less the more it already holds). Knobs (POST /control) make it slow, stale, refuse or bid off-market.
 */

export type MakerKnobs = {
  /** Answer with a JSON-RPC error instead of an order. */
  refuse: boolean
  /** Wait this long before answering. */
  delayMs: number
  /** Sign an order that has already expired. */
  stale: boolean
  /** Bid this many bps below its own price on top of the spread. */
  offMarketBps: number
}

export type MakerConfig = {
  id: string
  key: Hex
  client: PublicClient<Transport, Chain>
  swapContract: Address
  /** USDC on the chain: the only token this maker pays with. */
  usdc: Address
  /** Chainlink-compatible ETH/USD feed (8 decimals). */
  feed: Address
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

export type Maker = {
  id: string
  url: string
  address: Address
  knobs: MakerKnobs
  /** What the maker would bid for `amountE8` of `otoken` now (USDC base units), before knobs. */
  price(otoken: Address, amountE8: bigint): Promise<bigint>
  close(): Promise<void>
}

export async function startMaker(config: MakerConfig, opts: { port?: number } = {}): Promise<Maker> {
  const account = privateKeyToAccount(config.key)
  const knobs: MakerKnobs = { refuse: false, delayMs: 0, stale: false, offMarketBps: 0 }
  let nonce = BigInt(Date.now())
  const { client } = config

  const price = async (otoken: Address, amountE8: bigint): Promise<bigint> => {
    const [, , , strikeE8, expiry, isPut] = await client.readContract({ address: otoken, abi: otokenAbi, functionName: 'getOtokenDetails' })
    const [[, spotE8], block, held] = await Promise.all([
      client.readContract({ address: config.feed, abi: feedAbi, functionName: 'latestRoundData' }),
      client.getBlock(),
      client.readContract({ address: otoken, abi: otokenAbi, functionName: 'balanceOf', args: [account.address] }),
    ])
    const timeYears = Number(expiry - block.timestamp) / (365 * 86_400)
    if (timeYears <= 0) return 0n
    const spot = Number(spotE8) / 1e8
    const strike = Number(strikeE8) / 1e8
    const vol = Math.sqrt(sviTotalVariance(config.svi, Math.log(strike / spot)))
    const model = bsmPrice({ kind: isPut ? 'put' : 'call', spot, strike, timeYears, vol, rate: 0 })
    const skewBps = config.skewBpsPerOption * (Number(held) / 1e8)
    const perOption = model * (1 - (config.spreadBps + skewBps) / 10_000)
    const usdc = Math.floor(perOption * 1e6) * Number(amountE8)
    return perOption <= 0 ? 0n : BigInt(Math.floor(usdc / 1e8))
  }

  const quote = async (params: Record<string, string>) => {
    if (knobs.refuse) throw { code: -33604, message: 'not quoting' }
    if (params.swapContract?.toLowerCase() !== config.swapContract.toLowerCase()) throw { code: -33601, message: 'unknown swap contract' }
    if (params.signerToken?.toLowerCase() !== config.usdc.toLowerCase()) throw { code: -33601, message: 'this maker pays in USDC only' }
    const senderAmount = BigInt(params.senderAmount ?? '0')
    const bid = await price(params.senderToken as Address, senderAmount)
    const signerAmount = (bid * BigInt(10_000 - knobs.offMarketBps)) / 10_000n
    if (signerAmount <= 0n) throw { code: -33601, message: 'no bid for this token' }
    const [block, protocolFee] = await Promise.all([
      client.getBlock(),
      client.readContract({ address: config.swapContract, abi: swapAbi, functionName: 'protocolFee' }),
    ])
    nonce += 1n
    const unsigned = createOrderERC20({
      nonce: nonce.toString(),
      expiry: (knobs.stale ? block.timestamp - 1n : block.timestamp + BigInt(config.validitySec)).toString(),
      signerWallet: account.address,
      signerToken: config.usdc,
      signerAmount: signerAmount.toString(),
      protocolFee: protocolFee.toString(),
      senderWallet: params.senderWallet,
      senderToken: params.senderToken,
      senderAmount: senderAmount.toString(),
    })
    const signature = await createOrderERC20Signature(unsigned, config.key, config.swapContract, Number(params.chainId))
    const { protocolFee: _fee, ...order } = unsigned
    return { ...order, ...signature, v: String(signature.v) }
  }

  const methods: Record<string, (params: Record<string, string>) => Promise<unknown>> = {
    getProtocols: async () => [{ name: ProtocolIds.RequestForQuoteERC20, version: '2.0.0' }],
    getSignerSideOrderERC20: quote,
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => reply(res, 500, { error: String(err) }))
  })
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req)
    if (req.url === '/control') {
      Object.assign(knobs, JSON.parse(body || '{}') as Partial<MakerKnobs>)
      return reply(res, 200, knobs)
    }
    const call = JSON.parse(body) as { id: unknown; method: string; params: Record<string, string> }
    if (knobs.delayMs > 0) await new Promise((r) => setTimeout(r, knobs.delayMs))
    const method = methods[call.method]
    if (!method) return reply(res, 200, { jsonrpc: '2.0', id: call.id, error: { code: -32601, message: `no method ${call.method}` } })
    try {
      reply(res, 200, { jsonrpc: '2.0', id: call.id, result: await method(call.params) })
    } catch (err) {
      const e = err as { code?: number; message?: string }
      reply(res, 200, { jsonrpc: '2.0', id: call.id, error: { code: e.code ?? -32603, message: e.message ?? String(err) } })
    }
  }
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    id: config.id,
    url: `http://127.0.0.1:${port}/`,
    address: account.address,
    knobs,
    price,
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
