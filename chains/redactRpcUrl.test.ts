import { describe, expect, test } from 'vitest'
import { createRedactor, redactRpcUrl, redactUrlsIn } from './redactRpcUrl.ts'

describe('redactRpcUrl', () => {
  test('keeps scheme, host and port only when the URL carries basic auth, a path and a query', () => {
    expect(redactRpcUrl('https://alice:s3cret@rpc.example.org:8545/v3/key?apikey=key#frag')).toBe('https://rpc.example.org:8545')
  })

  test('drops a path that looks like a plain word, since any path may be a key', () => {
    expect(redactRpcUrl('http://127.0.0.1:8545/opensesame')).toBe('http://127.0.0.1:8545')
  })

  test('keeps a plain local URL unchanged when it has nothing after the port', () => {
    expect(redactRpcUrl('http://127.0.0.1:40123')).toBe('http://127.0.0.1:40123')
  })

  test('returns a placeholder when the input is not a URL', () => {
    expect(redactRpcUrl('not a url with key 9aa3d95b3bc440fa88ea12eaa4456161')).toBe('<invalid url>')
  })
})

describe('redactUrlsIn', () => {
  test('cuts every URL in a viem-style message to its origin when it has a path and query', () => {
    const text =
      'HTTP request failed.\n\nStatus: 503\nURL: http://127.0.0.1:9999/v3/opensesame?apikey=opensesame\nRequest body: {"method":"eth_call"}'
    const out = redactUrlsIn(text)
    expect(out).not.toContain('opensesame')
    expect(out).toContain('URL: http://127.0.0.1:9999/…')
    expect(out).toContain('Status: 503')
  })

  test('leaves text without URLs unchanged', () => {
    expect(redactUrlsIn('nonce too low: next nonce 5, tx nonce 4')).toBe('nonce too low: next nonce 5, tx nonce 4')
  })

  test('handles several URLs and quotes around them', () => {
    expect(redactUrlsIn(`"https://a.example/k1" and (wss://b.example:443/ws/k2)`)).toBe(`"https://a.example/…" and (wss://b.example/…)`)
  })
})

describe('createRedactor', () => {
  const redact = createRedactor(['http://bob:hunter22@127.0.0.1:9999/v3/opensesame?apikey=sesame-key-1'])

  test('masks credential fragments of configured URLs when they appear without the URL', () => {
    const out = redact('upstream refused project opensesame (apikey=sesame-key-1); user bob:hunter22')
    expect(out).not.toContain('opensesame')
    expect(out).not.toContain('sesame-key-1')
    expect(out).not.toContain('hunter22')
  })

  test('masks URL-encoded fragments as they were decoded by a server', () => {
    const r = createRedactor(['https://rpc.example/k?token=a%2Fb%3Dc123'])
    expect(r('token a/b=c123 rejected')).toBe('token *** rejected')
  })

  test('does not mask short path words that are ordinary text', () => {
    expect(createRedactor(['https://rpc.example/v3/abcdefghij'])('v3 of the API')).toBe('v3 of the API')
  })
})
