import { type Address, encodeAbiParameters, encodePacked, getAddress, type Hex, keccak256, pad, slice } from 'viem'

/** The SpokePool's `V3RelayData`: what identifies one deposit on its destination. */
export type RelayData = {
  depositor: Hex
  recipient: Hex
  exclusiveRelayer: Hex
  inputToken: Hex
  outputToken: Hex
  inputAmount: bigint
  outputAmount: bigint
  originChainId: bigint
  depositId: bigint
  fillDeadline: number
  exclusivityDeadline: number
  message: Hex
}

/** The RelayData of a `FundsDeposited` event's arguments: everything but the origin chain, which the event's chain is. */
export const relayDataOf = (a: Omit<RelayData, 'originChainId'>, originChainId: bigint | number): RelayData => ({
  depositor: a.depositor,
  recipient: a.recipient,
  exclusiveRelayer: a.exclusiveRelayer,
  inputToken: a.inputToken,
  outputToken: a.outputToken,
  inputAmount: a.inputAmount,
  outputAmount: a.outputAmount,
  originChainId: BigInt(originChainId),
  depositId: a.depositId,
  fillDeadline: a.fillDeadline,
  exclusivityDeadline: a.exclusivityDeadline,
  message: a.message,
})

/** Across encodes EVM addresses as bytes32, left-padded. */
export const toBytes32 = (address: Address): Hex => pad(address, { size: 32 })
export const fromBytes32 = (word: Hex): Address => getAddress(slice(word, 12, 32))

const relayDataAbi = [
  {
    type: 'tuple',
    components: [
      { name: 'depositor', type: 'bytes32' },
      { name: 'recipient', type: 'bytes32' },
      { name: 'exclusiveRelayer', type: 'bytes32' },
      { name: 'inputToken', type: 'bytes32' },
      { name: 'outputToken', type: 'bytes32' },
      { name: 'inputAmount', type: 'uint256' },
      { name: 'outputAmount', type: 'uint256' },
      { name: 'originChainId', type: 'uint256' },
      { name: 'depositId', type: 'uint256' },
      { name: 'fillDeadline', type: 'uint32' },
      { name: 'exclusivityDeadline', type: 'uint32' },
      { name: 'message', type: 'bytes' },
    ],
  },
  { type: 'uint256' },
] as const

/** The SpokePool's `getV3RelayHash`: `keccak256(abi.encode(relayData, destinationChainId))`, the key of `fillStatuses`. */
export const relayHash = (p: { relayData: RelayData; destinationChainId: bigint }): Hex =>
  keccak256(encodeAbiParameters(relayDataAbi, [p.relayData, p.destinationChainId]))

/** The SpokePool's `getUnsafeDepositId`: `uint256(keccak256(abi.encodePacked(msgSender, depositor, depositNonce)))`. */
export const unsafeDepositId = (p: { msgSender: Address; depositor: Hex; depositNonce: bigint }): bigint =>
  BigInt(keccak256(encodePacked(['address', 'bytes32', 'uint256'], [p.msgSender, p.depositor, p.depositNonce])))
