import {
  type Address,
  type Chain,
  decodeFunctionResult,
  encodeFunctionData,
  type Hex,
  type PublicClient,
  parseGwei,
  serializeTransaction,
  type Transport,
} from 'viem'
import { getChainMeta } from './registry.ts'
import type { ChainKey } from './types.ts'

/** OP stack's GasPriceOracle predeploy. */
export const GAS_PRICE_ORACLE_ADDRESS: Address = '0x420000000000000000000000000000000000000F'
/** Arbitrum's NodeInterface: a virtual contract on Nitro nodes, reached with eth_call. */
export const NODE_INTERFACE_ADDRESS: Address = '0x00000000000000000000000000000000000000C8'

/** The part of GasPriceOracle keel reads. */
export const gasPriceOracleAbi = [
  {
    type: 'function',
    name: 'getL1Fee',
    stateMutability: 'view',
    inputs: [{ name: '_data', type: 'bytes' }],
    outputs: [{ name: '', type: 'uint256' }],
  },
] as const

export const nodeInterfaceAbi = [
  {
    type: 'function',
    name: 'gasEstimateL1Component',
    stateMutability: 'payable',
    inputs: [
      { name: 'to', type: 'address' },
      { name: 'contractCreation', type: 'bool' },
      { name: 'data', type: 'bytes' },
    ],
    outputs: [
      { name: 'gasEstimateForL1', type: 'uint64' },
      { name: 'baseFee', type: 'uint256' },
      { name: 'l1BaseFeeEstimate', type: 'uint256' },
    ],
  },
] as const

/** A transaction keel plans to send; fee fields absent take the stub values OP's tooling prices with. */
export type PlannedTx = {
  to: Address
  data: Hex
  value?: bigint
  nonce?: number
  gas?: bigint
  maxFeePerGas?: bigint
  maxPriorityFeePerGas?: bigint
}

/**
 * The unsigned EIP-1559 serialization `getL1Fee` prices (the contract adds the signature's 68
 * bytes itself). Fields the plan does not fix get viem's `estimateL1Fee` stubs (nonce 1, 300k gas,
 * 5 gwei cap, 1 gwei tip): they move the size by a byte or two, the calldata does the rest.
 */
export function unsignedTxForL1Fee(p: { chainId: number; tx: PlannedTx }): Hex {
  const { tx } = p
  return serializeTransaction({
    type: 'eip1559',
    chainId: p.chainId,
    to: tx.to,
    data: tx.data,
    value: tx.value ?? 0n,
    nonce: tx.nonce ?? 1,
    gas: tx.gas ?? 300_000n,
    maxFeePerGas: tx.maxFeePerGas ?? parseGwei('5'),
    maxPriorityFeePerGas: tx.maxPriorityFeePerGas ?? parseGwei('1'),
  })
}

/** What Arbitrum's NodeInterface answers for a planned tx: L1 cost as L2 gas, the L2 base fee, the L1 price per unit. */
export async function readArbitrumL1Component(p: {
  client: PublicClient<Transport, Chain>
  tx: PlannedTx
  blockNumber?: bigint
}): Promise<{ gasEstimateForL1: bigint; baseFeeWei: bigint; l1BaseFeeEstimateWei: bigint }> {
  const { data } = await p.client.call({
    to: NODE_INTERFACE_ADDRESS,
    data: encodeFunctionData({ abi: nodeInterfaceAbi, functionName: 'gasEstimateL1Component', args: [p.tx.to, false, p.tx.data] }),
    ...(p.blockNumber === undefined ? {} : { blockNumber: p.blockNumber }),
  })
  const [gasEstimateForL1, baseFeeWei, l1BaseFeeEstimateWei] = decodeFunctionResult({
    abi: nodeInterfaceAbi,
    functionName: 'gasEstimateL1Component',
    data: data ?? '0x',
  })
  return { gasEstimateForL1, baseFeeWei, l1BaseFeeEstimateWei }
}

/**
 * The L1 data fee in wei a planned transaction pays on `chain` on top of its execution gas, read
 * the way the chain's own tooling reads it: 0 on an L1; OP stack: GasPriceOracle.getL1Fee over the
 * unsigned serialized tx; Arbitrum: NodeInterface.gasEstimateL1Component's L2 gas times the L2 base fee.
 */
export async function l1DataFeeWei(p: {
  chain: ChainKey
  client: PublicClient<Transport, Chain>
  tx: PlannedTx
  blockNumber?: bigint
}): Promise<bigint> {
  const meta = getChainMeta(p.chain)
  const at = p.blockNumber === undefined ? {} : { blockNumber: p.blockNumber }
  switch (meta.l1FeeModel) {
    case 'none':
      return 0n
    case 'op-stack':
      return p.client.readContract({
        address: GAS_PRICE_ORACLE_ADDRESS,
        abi: gasPriceOracleAbi,
        functionName: 'getL1Fee',
        args: [unsignedTxForL1Fee({ chainId: meta.chain.id, tx: p.tx })],
        ...at,
      })
    case 'arbitrum-nitro': {
      const r = await readArbitrumL1Component({ client: p.client, tx: p.tx, ...at })
      return r.gasEstimateForL1 * r.baseFeeWei
    }
  }
}
