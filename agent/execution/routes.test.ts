import { describe, expect, test } from 'vitest'
import { type MandateInput, parseMandate, safeParseMandate } from '../mandate/schema.ts'
import { routeFor, routesFor } from './routes.ts'

const base: MandateInput = {
  portfolio: 'treasury-main',
  chains: {
    ethereum: { treasury: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' },
    base: { treasury: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' },
  },
  delta: { targetEth: 0, bandEth: '5' },
  hedge: { maxSlippageBps: 50, maxGasCostUsdc: '25', maxHedgeSizeEth: '40' },
}

describe('routeFor', () => {
  test('Ethereum goes out as Flashbots bundles and L2s publicly when the mandate says nothing', () => {
    const m = parseMandate(base)
    expect(routeFor(m, 'ethereum')).toEqual({
      kind: 'flashbots',
      deadlineBlocks: 6,
      feeStepBps: 2500,
      maxPriorityFeePerGas: '5000000000',
      fallback: 'stop',
      reprice: { afterBlocks: 3, maxFeePerGas: '200000000000' },
    })
    expect(routeFor(m, 'base')).toEqual({ kind: 'public', reprice: { afterBlocks: 3, maxFeePerGas: '1000000000' } })
    expect(Object.keys(routesFor(m)).sort()).toEqual(['base', 'ethereum'])
  })

  test('takes the mandate’s routes, bundle budget and re-pricing cap, in wei', () => {
    const m = parseMandate({
      ...base,
      execution: {
        routes: { ethereum: 'public', base: 'private-rpc' },
        bundle: { deadlineBlocks: 3, maxPriorityFeeGwei: '1.5', fallback: 'public' },
        reprice: { afterBlocks: 2, maxFeeGwei: { base: '0.25' } },
      },
    })
    expect(routeFor(m, 'ethereum')).toEqual({ kind: 'public', reprice: { afterBlocks: 2, maxFeePerGas: '200000000000' } })
    expect(routeFor(m, 'base')).toEqual({ kind: 'private-rpc', reprice: { afterBlocks: 2, maxFeePerGas: '250000000' } })
    const bundles = parseMandate({ ...base, execution: { bundle: { maxPriorityFeeGwei: '1.5', fallback: 'public' } } })
    expect(routeFor(bundles, 'ethereum')).toMatchObject({ kind: 'flashbots', maxPriorityFeePerGas: '1500000000', fallback: 'public' })
  })

  test('refuses an unknown route and bundles off Ethereum, naming where', () => {
    const unknown = safeParseMandate({ ...base, execution: { routes: { ethereum: 'mev-blocker' } } })
    expect(unknown.ok).toBe(false)
    if (!unknown.ok) {
      expect(unknown.issues).toEqual([
        { path: 'execution.routes.ethereum', message: 'unknown route: expected flashbots, public or private-rpc (got "mev-blocker")' },
      ])
    }
    const l2 = safeParseMandate({ ...base, execution: { routes: { base: 'flashbots' } } })
    expect(l2.ok).toBe(false)
    if (!l2.ok) expect(l2.issues.map((i) => i.path)).toEqual(['execution.routes.base'])
    const fee = safeParseMandate({ ...base, execution: { bundle: { maxPriorityFeeGwei: '1e9' } } })
    expect(fee.ok).toBe(false)
    if (!fee.ok) expect(fee.issues.map((i) => i.path)).toEqual(['execution.bundle.maxPriorityFeeGwei'])
  })
})
