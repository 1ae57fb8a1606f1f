import { describe, expect, it } from 'vitest'
import { ExportDocument } from '../../shared/contract/asset-model'
import { readDocument } from './fast-document'

/** A document using every field the schema has, with keys out of the schema's order and keys zod drops. */
function base(): Record<string, unknown> {
  return {
    junk: 1,
    assets: [
      { path: 'Site', attributes: [], references: [], parent: null, templateId: null, kind: 'site', description: '', name: 'Site', id: 'site', extra: { a: 1 } },
      {
        id: 'p1',
        name: 'P-1',
        description: 'pump',
        kind: 'equipment',
        templateId: 'pump',
        parent: 'site',
        references: ['site', 'view'],
        attributes: [
          {
            binding: { nodeId: 'ns=2;s=P1.Flow', kind: 'opcua', connection: 'plc', nested: { deep: [1, 2] } },
            writable: true,
            expectedIntervalMs: 1000,
            limits: { lolo: 1, hi: 90, hihi: 95 },
            enumeration: { '1': 'Running', '0': 'Stopped', b: 'x' },
            decimals: 2,
            range: { max: 100, min: -1.5 },
            unit: 'm3/h',
            dataType: 'number',
            name: 'Flow',
          },
          { name: 'Mode', dataType: 'string', unit: '' },
          { name: 'On', dataType: 'boolean', binding: { kind: 'constant', value: true } },
        ],
      },
    ],
    templates: [
      { attributes: [{ dataType: 'number', name: 'Flow', limits: {} }], base: null, description: 'd', name: 'Pump', id: 'pump' },
      { id: 'big', name: 'Big pump', description: '', base: 'pump', attributes: [] },
    ],
    version: 2,
    format: 'plantdeck.asset-model',
  }
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T

/** Every place in the document: [parent container, key]. */
function places(v: unknown, out: [Record<string | number, unknown>, string | number][] = []) {
  if (typeof v === 'object' && v !== null) {
    for (const k of Object.keys(v)) {
      const key = Array.isArray(v) ? Number(k) : k
      out.push([v as Record<string | number, unknown>, key])
      places((v as Record<string, unknown>)[k], out)
    }
  }
  return out
}

const values: unknown[] = [null, 0, -1, 1.5, 16, 2 ** 60, 1e308, true, '', ' x', 'x ', 'a/b', 'x'.repeat(51), 'x'.repeat(101), 'x'.repeat(201), '😀'.repeat(30), '😀'.repeat(101), [], ['x'], {}, { kind: 'constant' }, 'number', 'boolean', 'text']

/** The document with one change: a value replaced, a key removed, a key added. */
function* mutations(base: () => Record<string, unknown>): Generator<unknown> {
  const n = places(base()).length
  for (let i = 0; i < n; i++) {
    for (const v of values) {
      const d = base()
      const [holder, key] = places(d)[i]!
      holder[key] = clone(v)
      yield d
    }
    const d = base()
    const [holder, key] = places(d)[i]!
    if (Array.isArray(holder)) holder.splice(key as number, 1)
    else delete holder[key]
    yield d
    const e = base()
    const [h2, k2] = places(e)[i]!
    const target = h2[k2]
    if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
      ;(target as Record<string, unknown>).unknownKey = 1
      yield e
      yield JSON.parse(JSON.stringify(e).replace('"unknownKey":1', '"__proto__":{"x":1}'))
    }
  }
}

describe('the fast document reader against the schema', () => {
  it('reads a well-formed document exactly as zod does: same value, same key order', () => {
    const d = base()
    const z = ExportDocument.parse(d)
    const fast = readDocument(d)
    expect(fast).toBeDefined()
    expect(JSON.stringify(fast)).toBe(JSON.stringify(z))
    // a document already in the schema's order (as exported) is taken as it is, not copied
    const exported = JSON.parse(JSON.stringify(z)) as ExportDocument
    const again = readDocument(exported)!
    expect(again.assets[1]!.attributes).toBe(exported.assets[1]!.attributes)
    expect(JSON.stringify(again)).toBe(JSON.stringify(z))
  })

  // keys out of order (the reader copies) and in the schema's order, as an export has them (it takes the input as it is)
  const inOrder = () => clone(ExportDocument.parse(base())) as unknown as Record<string, unknown>
  it.each([
    ['keys out of order', base],
    ['keys in order', inOrder],
  ])('never accepts what zod refuses, and where it accepts, builds what zod builds (%s)', (_, base) => {
    let accepted = 0
    let refused = 0
    let deferred = 0
    let total = 0
    for (const m of mutations(base)) {
      total++
      const z = ExportDocument.safeParse(m)
      const fast = readDocument(m)
      if (fast === undefined) {
        if (z.success) deferred++
        else refused++
        continue
      }
      expect(z.success, JSON.stringify(m)).toBe(true)
      expect(JSON.stringify(fast)).toBe(JSON.stringify(z.data))
      accepted++
    }
    expect(total).toBeGreaterThan(1800)
    // both kinds happen, and the fast reader hands few valid documents to zod (only its conservative cases)
    expect(accepted).toBeGreaterThan(200)
    expect(refused).toBeGreaterThan(1000)
    expect(deferred).toBeLessThan(accepted / 10)
  })
})
