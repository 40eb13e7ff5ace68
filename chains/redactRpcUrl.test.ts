import { describe, expect, test } from 'vitest'
import { redactRpcUrl } from './redactRpcUrl.ts'

describe('redactRpcUrl', () => {
  test('drops user and password when the URL carries basic auth', () => {
    expect(redactRpcUrl('https://alice:s3cret@rpc.example.org:8545/eth')).toBe('https://rpc.example.org:8545/eth')
  })

  test('drops the query string and fragment when they carry keys', () => {
    expect(redactRpcUrl('https://rpc.example.org/eth?apikey=abc123&x=1#frag')).toBe('https://rpc.example.org/eth')
  })

  test('masks an Infura-style project id in the path', () => {
    expect(redactRpcUrl('https://mainnet.infura.io/v3/9aa3d95b3bc440fa88ea12eaa4456161')).toBe('https://mainnet.infura.io/v3/***')
  })

  test('masks an Alchemy-style key and keeps the route', () => {
    expect(redactRpcUrl('https://arb-mainnet.g.alchemy.com/v2/aB3dE_fG7hI-jK9lMn0pQ')).toBe('https://arb-mainnet.g.alchemy.com/v2/***')
  })

  test('masks a short mixed key when it has letters and digits', () => {
    expect(redactRpcUrl('https://node.example.org/rpc/k3y9abc12xyz/')).toBe('https://node.example.org/rpc/***/')
  })

  test('keeps a plain local URL unchanged when it has nothing secret', () => {
    expect(redactRpcUrl('http://127.0.0.1:40123')).toBe('http://127.0.0.1:40123')
  })

  test('returns a placeholder when the input is not a URL', () => {
    expect(redactRpcUrl('not a url with key 9aa3d95b3bc440fa88ea12eaa4456161')).toBe('<invalid url>')
  })
})
