import { utils, Wallet } from 'ethers'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { verifySignature } from './verifySignature.ts'

// Anvil's public test keys 1 and 2.
const authKey = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'
const otherKey = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a'
const body = '{"method":"eth_sendBundle","params":[{"txs":["0x02"],"blockNumber":"0x10"}],"id":42,"jsonrpc":"2.0"}'

describe('verifySignature', () => {
  test('accepts the header the Flashbots client makes (ethers signMessage(utils.id(body)))', async () => {
    const wallet = new Wallet(authKey)
    const header = `${wallet.address}:${await wallet.signMessage(utils.id(body))}`
    expect(await verifySignature({ header, body })).toEqual({ status: 'valid', signer: wallet.address })
  })

  test('refuses a signature over another body', async () => {
    const wallet = new Wallet(authKey)
    const header = `${wallet.address}:${await wallet.signMessage(utils.id(`${body} `))}`
    expect(await verifySignature({ header, body })).toMatchObject({ status: 'invalid', reason: expect.stringContaining('signer mismatch') })
  })

  test('refuses when the header names another address than the signer', async () => {
    const signature = await new Wallet(authKey).signMessage(utils.id(body))
    const header = `${privateKeyToAccount(otherKey).address}:${signature}`
    expect(await verifySignature({ header, body })).toMatchObject({ status: 'invalid', reason: expect.stringContaining('signer mismatch') })
  })

  test('names the problem when the header is missing or malformed', async () => {
    expect(await verifySignature({ header: undefined, body })).toEqual({
      status: 'invalid',
      reason: 'missing X-Flashbots-Signature header',
    })
    expect(await verifySignature({ header: 'nocolon', body })).toMatchObject({ reason: expect.stringContaining('<address>:<signature>') })
    expect(await verifySignature({ header: '0x12:0x34', body })).toMatchObject({ reason: expect.stringContaining('is not an address') })
    const address = new Wallet(authKey).address
    expect(await verifySignature({ header: `${address}:0x1234`, body })).toMatchObject({ reason: expect.stringContaining('65 hex bytes') })
  })
})
