import { describe, expect, it } from 'vitest'
import { resolvePath } from './json-path'

describe('resolvePath', () => {
  const doc = { power: { total: 12.5, l1: 4 }, readings: [{ value: 1 }, { value: 2 }], m: [[1, 2], [3, 4]] }
  it.each([
    ['power.total', 12.5],
    ['power.l1', 4],
    ['readings[1].value', 2],
    ['m[1][0]', 3],
    ['power', { total: 12.5, l1: 4 }],
  ])('%s', (path, want) => expect(resolvePath(doc, path)).toEqual(want))

  it.each(['power.l9', 'readings[5].value', 'power[0]', 'constructor', '__proto__.x', 'a..b', 'x[y]'])('missing: %s', (path) => {
    expect(resolvePath(doc, path)).toBeUndefined()
  })
})
