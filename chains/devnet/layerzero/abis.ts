import { parseAbi } from 'viem'

// What the devnet's deployment and its delivery service call, typed for viem. The full ABIs (with
// every custom error, for decoding refusals) come from the published and committed artifacts.

export const endpointAbi = parseAbi([
  'struct Origin { uint32 srcEid; bytes32 sender; uint64 nonce; }',
  'event PacketSent(bytes encodedPayload, bytes options, address sendLibrary)',
  'function registerLibrary(address lib)',
  'function setDefaultSendLibrary(uint32 eid, address lib)',
  'function setDefaultReceiveLibrary(uint32 eid, address lib, uint256 gracePeriod)',
  'function inboundPayloadHash(address receiver, uint32 srcEid, bytes32 sender, uint64 nonce) view returns (bytes32)',
  'function lazyInboundNonce(address receiver, uint32 srcEid, bytes32 sender) view returns (uint64)',
  'function lzReceive(Origin origin, address receiver, bytes32 guid, bytes message, bytes extraData) payable',
  'function lzReceiveAlert(Origin origin, address receiver, bytes32 guid, uint256 gas, uint256 value, bytes message, bytes extraData, bytes reason)',
])

export const messageLibAbi = parseAbi(['function validatePacket(bytes packetBytes)', 'function setWhitelistCaller(address caller)'])

export const oftAdminAbi = parseAbi([
  'struct EnforcedOptionParam { uint32 eid; uint16 msgType; bytes options; }',
  'function setPeer(uint32 eid, bytes32 peer)',
  'function setEnforcedOptions(EnforcedOptionParam[] params)',
])

export const usdcMinterAbi = parseAbi(['function setMinter(address minter, bool allowed)'])
