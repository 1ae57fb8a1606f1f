import { describe, expect, it } from 'vitest'
import { backoffDelay } from './backoff'
import { apiUrl, resolveToken, TOKEN_KEY } from './ws-url'

const memory = () => {
  const m = new Map<string, string>()
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m }
}

describe('apiUrl', () => {
  it('follows the page scheme and host', () => {
    expect(apiUrl({ protocol: 'http:', host: 'localhost:8080' })).toBe('ws://localhost:8080/api')
    expect(apiUrl({ protocol: 'https:', host: 'plant.example' })).toBe('wss://plant.example/api')
  })
  it('passes the token on, escaped', () => {
    expect(apiUrl({ protocol: 'http:', host: 'h' }, 'a b&c')).toBe('ws://h/api?token=a%20b%26c')
  })
})

describe('resolveToken', () => {
  it('takes the token from the URL and remembers it for reloads', () => {
    const s = memory()
    expect(resolveToken('?token=abc', s)).toBe('abc')
    expect(s.m.get(TOKEN_KEY)).toBe('abc')
    expect(resolveToken('', s)).toBe('abc')
  })
  it('is null without a token and survives a broken storage', () => {
    expect(resolveToken('', memory())).toBeNull()
    const broken = {
      getItem: () => {
        throw new Error('denied')
      },
      setItem: () => {
        throw new Error('denied')
      },
    }
    expect(resolveToken('?token=t', broken)).toBe('t')
    expect(resolveToken('', broken)).toBeNull()
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
