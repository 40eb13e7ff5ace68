import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Abi, type Address, encodeDeployData, getContractAddress, type Hex } from 'viem'
import type { z } from 'zod'
import type { ChainKey, DevnetManifest } from '../../types.ts'
import { packageDir } from '../artifacts.ts'
import { chainProfiles } from '../constants.ts'
import type { DevnetAccounts, DevnetClients } from '../devnetClients.ts'
import { createTxSender, waitForReceipts } from '../txSender.ts'
import { rfqSectionSchema } from './schemas.ts'

/** The published SwapERC20 (npm @airswap/swap-erc20), whose EIP-712 orders AirSwap's RFQ makers sign. */
export function swapErc20Artifact(): { abi: Abi; bytecode: Hex } {
  const path = join(packageDir('@airswap/swap-erc20'), 'build', 'contracts', 'SwapERC20.sol', 'SwapERC20.json')
  return JSON.parse(readFileSync(path, 'utf8')) as { abi: Abi; bytecode: Hex }
}

/** AirSwap's mainnet settings: a 7 bp protocol fee on each side of the contract, paid by the signer; no staking bonus. */
export const rfqParams = { protocolFee: 7, protocolFeeLight: 7 } as const

/** One maker process of the devnet: where it answers RFQs, whose key signs its orders, and its pid (a process-group leader). */
export type RfqMakerEntry = { id: string; url: string; address: Address; pid: number }

export type RfqSection = {
  protocolFee: number
  chains: Partial<Record<ChainKey, { swapErc20: Address }>>
  /** The makers quoting on every chain, as started by the devnet. */
  makers: RfqMakerEntry[]
}

/** What `deployRfq` puts on chain: the section without its makers. */
export type RfqDeployment = Omit<RfqSection, 'makers'>

// The schema reads exactly this type (an old manifest's missing makers read as none).
rfqSectionSchema satisfies z.ZodType<RfqSection, unknown>

/** Deploys SwapERC20 on every devnet chain, its fees collected by the deployer. */
export async function deployRfq(p: {
  manifest: DevnetManifest
  clients: Record<ChainKey, DevnetClients>
  accounts: DevnetAccounts
}): Promise<RfqDeployment> {
  const { abi, bytecode } = swapErc20Artifact()
  const keys = Object.keys(p.manifest.chains) as ChainKey[]
  const chains = await Promise.all(
    keys.map(async (key) => {
      const { publicClient } = p.clients[key]
      const profile = chainProfiles[key]
      const deployer = await createTxSender({
        client: publicClient,
        account: p.accounts.deployer,
        maxFeePerGasWei: profile.baseFeeWei * 3n + profile.priorityFeeWei,
        priorityFeeWei: profile.priorityFeeWei,
      })
      const args = [BigInt(rfqParams.protocolFee), BigInt(rfqParams.protocolFeeLight), p.accounts.deployer.address, 0n, 0n]
      const tx = await deployer.send({ data: encodeDeployData({ abi, bytecode, args }), label: 'SwapERC20', gas: 6_000_000n })
      await waitForReceipts({ client: publicClient, txs: [tx] })
      return [key, { swapErc20: getContractAddress({ from: deployer.address, nonce: BigInt(tx.nonce) }) }] as const
    }),
  )
  return { protocolFee: rfqParams.protocolFee, chains: Object.fromEntries(chains) }
}

/** The manifest's RFQ section; null on a devnet started before RFQ, `makers: []` on one started before the maker services. */
export function readRfqSection(manifest: DevnetManifest): RfqSection | null {
  const raw = manifest.options?.rfq
  return raw === undefined ? null : rfqSectionSchema.parse(raw)
}

/** Pids of the RFQ maker processes recorded in a manifest. */
export const rfqMakerPids = (manifest: DevnetManifest): number[] => readRfqSection(manifest)?.makers.map((m) => m.pid) ?? []
