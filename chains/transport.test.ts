import { createServer } from 'node:net'
import { describe, expect, test } from 'vitest'
import { RpcUnreachableError } from './errors.ts'
import { checkChainReachable, createChainClients } from './transport.ts'

async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

describe('checkChainReachable', () => {
  test('throws RpcUnreachableError naming the chain and a credential-free URL when no endpoint answers', async () => {
    const port = await closedPort()
    const secretUrl = `http://alice:hunter2@127.0.0.1:${port}/v2/9aa3d95b3bc440fa88ea12eaa4456161?apikey=topsecret`
    const clients = createChainClients({ key: 'arbitrum', rpcUrls: [secretUrl], timeoutMs: 2_000 })
    const err = await checkChainReachable(clients).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RpcUnreachableError)
    const typed = err as RpcUnreachableError
    expect(typed.name).toBe('Chains.RpcUnreachableError')
    expect(typed.chain).toBe('arbitrum')
    expect(typed.shortMessage).toBe(`Chain arbitrum is unreachable at http://127.0.0.1:${port}`)
    const everything = JSON.stringify([typed.message, typed.details, String(typed.cause), (typed.cause as Error).message])
    for (const secret of ['alice', 'hunter2', '9aa3d95b3bc440fa88ea12eaa4456161', 'topsecret', 'apikey', '/v2']) {
      expect(everything).not.toContain(secret)
    }
  })
})

describe('createChainClients', () => {
  test('uses the viem chain of the key when no override is given', () => {
    const clients = createChainClients({ key: 'base', rpcUrls: ['http://127.0.0.1:1'] })
    expect(clients.publicClient.chain.id).toBe(8453)
    expect(clients.redactedUrls).toEqual(['http://127.0.0.1:1'])
  })
})
