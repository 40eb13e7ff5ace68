/**
 * Which maker's bid to take for an option keel sells: the highest premium net of the gas the sale
 * costs, and only if it is no further below keel's own model price than the mandate's maximum
 * discount. Every bid left out says why.
 */
export type BidIn = { maker: string; status: 'ok'; signerAmount: bigint } | { maker: string; status: 'refused' | 'invalid'; reason: string }

export type BidChoice =
  | { status: 'take'; maker: string; premium: bigint; netPremium: bigint; rejected: { maker: string; reason: string }[] }
  | { status: 'none'; rejected: { maker: string; reason: string }[] }

export function chooseBid(p: {
  bids: readonly BidIn[]
  /** keel's model price of what is sold, USDC base units. */
  modelPremium: bigint
  maxDiscountBps: number
  /** Gas the sale costs, USDC base units. */
  gasCostUsdc: bigint
}): BidChoice {
  const floor = (p.modelPremium * BigInt(10_000 - p.maxDiscountBps)) / 10_000n
  const rejected: { maker: string; reason: string }[] = []
  let best: { maker: string; premium: bigint; netPremium: bigint } | null = null
  for (const b of p.bids) {
    if (b.status !== 'ok') {
      rejected.push({ maker: b.maker, reason: `${b.status}: ${b.reason}` })
      continue
    }
    const net = b.signerAmount - p.gasCostUsdc
    if (net < floor) {
      rejected.push({
        maker: b.maker,
        reason: `bid ${b.signerAmount} less gas ${p.gasCostUsdc} is below ${floor} (model ${p.modelPremium} less ${p.maxDiscountBps} bp)`,
      })
      continue
    }
    if (!best || net > best.netPremium || (net === best.netPremium && b.maker < best.maker)) {
      if (best) rejected.push({ maker: best.maker, reason: 'a better bid was taken' })
      best = { maker: b.maker, premium: b.signerAmount, netPremium: net }
    } else rejected.push({ maker: b.maker, reason: 'a better bid was taken' })
  }
  return best ? { status: 'take', ...best, rejected } : { status: 'none', rejected }
}

/**
 * Which maker's ask to take to buy options back: the lowest price plus the gas of the purchase,
 * and only if it is no further above keel's model price than the mandate's maximum discount.
 */
export function chooseAsk(p: {
  asks: readonly (
    | { maker: string; status: 'ok'; senderAmount: bigint }
    | { maker: string; status: 'refused' | 'invalid'; reason: string }
  )[]
  modelPrice: bigint
  maxDiscountBps: number
  gasCostUsdc: bigint
}):
  | { status: 'take'; maker: string; price: bigint; grossPrice: bigint; rejected: { maker: string; reason: string }[] }
  | { status: 'none'; rejected: { maker: string; reason: string }[] } {
  const ceiling = (p.modelPrice * BigInt(10_000 + p.maxDiscountBps)) / 10_000n
  const rejected: { maker: string; reason: string }[] = []
  let best: { maker: string; price: bigint; grossPrice: bigint } | null = null
  for (const a of p.asks) {
    if (a.status !== 'ok') {
      rejected.push({ maker: a.maker, reason: `${a.status}: ${a.reason}` })
      continue
    }
    const gross = a.senderAmount + p.gasCostUsdc
    if (gross > ceiling) {
      rejected.push({
        maker: a.maker,
        reason: `ask ${a.senderAmount} plus gas ${p.gasCostUsdc} is above ${ceiling} (model ${p.modelPrice} plus ${p.maxDiscountBps} bp)`,
      })
      continue
    }
    if (!best || gross < best.grossPrice || (gross === best.grossPrice && a.maker < best.maker)) {
      if (best) rejected.push({ maker: best.maker, reason: 'a cheaper ask was taken' })
      best = { maker: a.maker, price: a.senderAmount, grossPrice: gross }
    } else rejected.push({ maker: a.maker, reason: 'a cheaper ask was taken' })
  }
  return best ? { status: 'take', ...best, rejected } : { status: 'none', rejected }
}
