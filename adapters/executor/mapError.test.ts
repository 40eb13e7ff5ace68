import {
  encodeErrorResult,
  HttpRequestError,
  LimitExceededRpcError,
  parseAbi,
  RpcRequestError,
  TimeoutError,
  TransactionRejectedRpcError,
  WaitForTransactionReceiptTimeoutError,
} from 'viem'
import { describe, expect, test } from 'vitest'
import { InvalidInputError } from '../../agent/errors.ts'
import {
  AlreadyKnownError,
  ExecutionRevertedError,
  InsufficientFundsError,
  NonceConflictError,
  NonceTooLowError,
  ReceiptTimeoutError,
  RpcUnavailableError,
  UnknownRpcError,
} from './errors.ts'
import { decodeRevertReason, mapError } from './mapError.ts'

const url = 'https://user:hunter2@rpc.example/v2/SECRETKEY'
const body = { method: 'eth_sendRawTransaction', params: ['0x02'] }
const nodeError = (code: number, message: string, data?: string) =>
  new TransactionRejectedRpcError(new RpcRequestError({ body, url, error: { code, message, ...(data ? { data } : {}) } }))

const tooLittleReceived = encodeErrorResult({ abi: parseAbi(['error Error(string)']), errorName: 'Error', args: ['Too little received'] })

describe('mapError', () => {
  test.each([
    ['a request timeout', new TimeoutError({ body, url }), RpcUnavailableError, true],
    ['a refused connection', new HttpRequestError({ body, url, details: 'fetch failed' }), RpcUnavailableError, true],
    ['an HTTP 503', new HttpRequestError({ body, url, status: 503 }), RpcUnavailableError, true],
    ['an HTTP 429', new HttpRequestError({ body, url, status: 429 }), RpcUnavailableError, true],
    [
      'a rate-limit RPC error',
      new LimitExceededRpcError(new RpcRequestError({ body, url, error: { code: -32005, message: 'limit' } })),
      RpcUnavailableError,
      true,
    ],
    ['a receipt wait timeout', new WaitForTransactionReceiptTimeoutError({ hash: '0x01' }), ReceiptTimeoutError, true],
    ['a replacement underpriced answer', nodeError(-32003, 'replacement transaction underpriced'), NonceConflictError, true],
    ['insufficient funds', nodeError(-32003, 'Insufficient funds for gas * price + value'), InsufficientFundsError, false],
    ['nonce too low', nodeError(-32003, 'nonce too low'), NonceTooLowError, false],
    ['anvil already imported', nodeError(-32003, 'transaction already imported'), AlreadyKnownError, false],
    ['geth already known', nodeError(-32000, 'already known'), AlreadyKnownError, false],
    ['an HTTP 400', new HttpRequestError({ body, url, status: 400 }), UnknownRpcError, false],
    ['a plain Error', new Error('boom'), UnknownRpcError, false],
  ])('maps %s to its typed error', (_, raw, type, retryable) => {
    const mapped = mapError(raw)
    expect(mapped).toBeInstanceOf(type)
    expect(mapped.retryable).toBe(retryable)
    expect(mapped.cause).toBe(raw)
  })

  test('decodes the revert reason when the node reports execution reverted', () => {
    const mapped = mapError(new RpcRequestError({ body, url, error: { code: 3, message: 'execution reverted', data: tooLittleReceived } }))
    expect(mapped).toBeInstanceOf(ExecutionRevertedError)
    expect((mapped as ExecutionRevertedError).reason).toBe('Too little received')
    expect(mapped.retryable).toBe(false)
  })

  test('passes keel errors through unchanged', () => {
    const err = new InvalidInputError({ what: 'x', issues: [] })
    expect(mapError(err)).toBe(err)
  })

  test('keeps RPC URLs and credentials out of the mapped message', () => {
    const mapped = mapError(new HttpRequestError({ body, url, status: 502, details: 'bad gateway' }))
    expect(mapped.message).not.toContain('hunter2')
    expect(mapped.message).not.toContain('SECRETKEY')
    expect(mapped.details).toBe('bad gateway')
  })
})

describe('decodeRevertReason', () => {
  test('returns the Error(string) reason when the data is a standard revert', () => {
    expect(decodeRevertReason(tooLittleReceived)).toBe('Too little received')
  })

  test('returns the panic code when the data is a Panic(uint256)', () => {
    const data = encodeErrorResult({ abi: parseAbi(['error Panic(uint256)']), errorName: 'Panic', args: [0x11n] })
    expect(decodeRevertReason(data)).toBe('panic 17')
  })

  test('returns undefined when there is no data', () => {
    expect(decodeRevertReason('0x')).toBeUndefined()
  })
})
