import { describe, expect, it } from 'vitest'
import { backoffDelay } from './backoff'
import { apiUrl } from './ws-url'

describe('apiUrl', () => {
  it('follows the page scheme and host', () => {
    expect(apiUrl({ protocol: 'http:', host: 'localhost:8080' })).toBe('ws://localhost:8080/api')
    expect(apiUrl({ protocol: 'https:', host: 'plant.example' })).toBe('wss://plant.example/api')
  })
  it('never carries a token (the server set a cookie for it)', () => {
    expect(apiUrl({ protocol: 'http:', host: '[::1]:6042' })).toBe('ws://[::1]:6042/api')
  })
})

describe('backoffDelay', () => {
  it('doubles from 0.5 s to a 10 s ceiling', () => {
    const mid = () => 0.5
    expect([1, 2, 3, 4, 5, 6, 10].map((a) => backoffDelay(a, mid))).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000])
  })
  it('jitters by ±25 %', () => {
    expect(backoffDelay(3, () => 0)).toBe(1500)
    expect(backoffDelay(3, () => 1)).toBe(2500)
  })
})
