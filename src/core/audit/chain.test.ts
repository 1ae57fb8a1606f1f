import { describe, expect, it } from 'vitest'
import type { AuditEntryInput, AuditRecord } from '../ports/audit'
import { boundValue, canonicalJson, MAX_VALUE_CHARS, recordHash, seal, verifyChain } from './chain'

const entry = (i: number): AuditEntryInput => ({ action: 'raw.write', user: 'eng', from: 'ws 192.0.2.7', target: `demo-opcua ns=2;s=P${i}.Speed`, oldValue: i, newValue: i + 1, result: i % 2 ? 'pending' : 'ok' })

function chain(n: number): AuditRecord[] {
  const out: AuditRecord[] = []
  for (let i = 0; i < n; i++) {
    const last = out[out.length - 1]
    out.push(seal(last ? { id: last.id, hash: last.hash } : null, entry(i), 1_700_000_000_000 + i))
  }
  return out
}
const head = (rs: AuditRecord[]) => ({ id: rs[rs.length - 1]!.id, hash: rs[rs.length - 1]!.hash })

describe('the audit hash chain', () => {
  it('links each record to the one before, and a fresh chain verifies (with its anchor)', () => {
    const rs = chain(10)
    expect(rs[0]!.prevHash).toBe('')
    expect(rs[0]!.id).toBe(1)
    for (let i = 1; i < rs.length; i++) expect(rs[i]!.prevHash).toBe(rs[i - 1]!.hash)
    expect(rs[3]!.hash).toMatch(/^[0-9a-f]{64}$/)
    const v = verifyChain(rs, head(rs))
    expect(v).toEqual({ ok: true, records: 10, head: head(rs), anchor: head(rs), broken: null })
    expect(verifyChain([])).toMatchObject({ ok: true, records: 0, head: null })
  })

  it('detects an edited row: its hash no longer matches', () => {
    const rs = chain(10)
    rs[4] = { ...rs[4]!, newValue: 9999 }
    expect(verifyChain(rs).broken).toMatchObject({ id: 5, reason: 'hash_mismatch' })
    const rs2 = chain(10)
    rs2[6] = { ...rs2[6]!, user: 'someone-else' }
    expect(verifyChain(rs2).broken).toMatchObject({ id: 7, reason: 'hash_mismatch' })
  })

  it('detects an edited and rehashed row at the next one', () => {
    const rs = chain(10)
    const edited = { ...rs[4]!, result: 'ok', detail: 'nothing to see' }
    rs[4] = { ...edited, hash: recordHash(edited) }
    expect(verifyChain(rs).broken).toMatchObject({ id: 6, reason: 'prev_mismatch' })
  })

  it('detects a deleted row (an id gap), and a deleted first row', () => {
    const rs = chain(10)
    rs.splice(3, 1)
    expect(verifyChain(rs).broken).toMatchObject({ id: 4, reason: 'missing' })
    const rs2 = chain(5).slice(1)
    expect(verifyChain(rs2).broken).toMatchObject({ id: 1, reason: 'missing' })
  })

  it('detects a deleted row whose followers were renumbered, and an inserted row', () => {
    const rs = chain(10)
    rs.splice(3, 1)
    const renumbered = rs.map((r, i) => ({ ...r, id: i + 1 }))
    expect(verifyChain(renumbered).broken).toMatchObject({ id: 4, reason: 'hash_mismatch' })
    const ins = chain(10)
    const forged = seal({ id: ins[4]!.id, hash: ins[4]!.hash }, { ...entry(99), result: 'ok' }, 1)
    ins.splice(5, 0, forged)
    const shifted = ins.map((r, i) => ({ ...r, id: i + 1 }))
    // the forged record fits after #5, but #7 (the old #6) now carries a changed id under its old hash
    expect(verifyChain(shifted).broken).toMatchObject({ id: 7, reason: 'hash_mismatch' })
  })

  it('detects a cut tail through the anchor, and a chain rewritten under the anchor', () => {
    const rs = chain(10)
    const anchor = head(rs)
    expect(verifyChain(rs.slice(0, 7), anchor).broken).toMatchObject({ id: 8, reason: 'truncated' })
    expect(verifyChain([], anchor).broken).toMatchObject({ id: 1, reason: 'truncated' })
    // without the anchor a cut tail is a valid (shorter) chain: the documented limit
    expect(verifyChain(rs.slice(0, 7)).ok).toBe(true)
    // a lagging anchor (written before the last appends) is fine
    expect(verifyChain(rs, { id: 5, hash: rs[4]!.hash }).ok).toBe(true)
    // every record rewritten from #3 on, consistently, is caught where the anchor names one
    const rewritten = [...rs.slice(0, 2)]
    for (let i = 2; i < 10; i++) {
      const last = rewritten[rewritten.length - 1]!
      rewritten.push(seal({ id: last.id, hash: last.hash }, { ...entry(i), detail: 'rewritten' }, 1_700_000_000_000 + i))
    }
    expect(verifyChain(rewritten, anchor).broken).toMatchObject({ id: 10, reason: 'anchor_mismatch' })
  })

  it('hashes canonical JSON: key order does not matter, values do', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}')
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}')
    const a = seal(null, { ...entry(1), newValue: { x: 1, y: 2 } }, 5)
    const b = seal(null, { ...entry(1), newValue: { y: 2, x: 1 } }, 5)
    expect(a.hash).toBe(b.hash)
    expect(seal(null, { ...entry(1), newValue: { x: 1, y: 3 } }, 5).hash).not.toBe(a.hash)
  })

  it('bounds large and odd values: a long one is kept as its length, hash and head', () => {
    const big = 'x'.repeat(MAX_VALUE_CHARS * 3)
    expect(boundValue(big)).toMatchObject({ truncated: true, chars: big.length + 2, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(boundValue(10n)).toMatchObject({ unserializable: '10' })
    expect(boundValue({ d: new Date(0) })).toEqual({ d: '1970-01-01T00:00:00.000Z' })
    const r = seal(null, { ...entry(1), newValue: big, target: 't'.repeat(5000) }, 1)
    expect((r.target ?? '').length).toBe(2000)
    expect(verifyChain([r]).ok).toBe(true)
  })
})
