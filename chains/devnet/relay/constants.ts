/** Milliseconds between Ethereum blocks the devnet builder mines by default: short, so suites stay fast, yet long enough for a bundle round trip to the relay under load. */
export const defaultEthereumBlockMs = 500

/** How long a relay process gets to answer its health check after it is spawned. */
export const relayStartTimeoutMs = 15_000

/** The devnet builder's identity in bundle stats (a fixed made-up BLS public key: 48 bytes). */
export const builderPubkey = `0x${'a1'.repeat(48)}`
