import { describe, expect, it } from 'vitest'
import { EMPTY_FILTER, resultClass, toFilter, valueText, verifyText } from './audit-view'

describe('the audit view\'s pure parts', () => {
  it('turns typed filters into the API\'s: blanks left out, failed as its flag, bad times ignored', () => {
    expect(toFilter(EMPTY_FILTER)).toEqual({})
    expect(toFilter({ ...EMPTY_FILTER, user: ' erin ', action: 'raw.', target: 'Pump', result: 'failed', from: '2026-12-07T01:00', to: 'nonsense' })).toEqual({
      user: 'erin',
      action: 'raw.',
      target: 'Pump',
      failed: true,
      from: new Date('2026-12-07T01:00').getTime(),
    })
    expect(toFilter({ ...EMPTY_FILTER, result: 'audit.write_failed' })).toEqual({ result: 'audit.write_failed' })
  })

  it('reads results and values', () => {
    expect([resultClass('ok'), resultClass('success'), resultClass('pending'), resultClass('opcua.bad_value')]).toEqual(['ok', 'ok', 'pending', 'failed'])
    expect(valueText({ oldValue: 70, newValue: 55 })).toBe('70 → 55')
    expect(valueText({ newValue: { a: 1 } })).toBe('{"a":1}')
    expect(valueText({ oldValue: 'x' })).toBe('was x')
    expect(valueText({})).toBe('')
  })

  it('says what the chain check found', () => {
    expect(verifyText({ ok: true, records: 1200, head: { id: 1200, hash: 'ab'.repeat(32) }, anchor: { id: 1200, hash: 'ab'.repeat(32) }, broken: null, at: 0 })).toBe(`Chain intact: 1,200 records checked · head #1200 ${'ab'.repeat(8)}…`)
    expect(verifyText({ ok: true, records: 0, head: null, anchor: null, broken: null, at: 0 })).toMatch(/no anchor/)
    expect(verifyText({ ok: false, records: 4, head: { id: 4, hash: 'x' }, anchor: null, broken: { id: 5, reason: 'hash_mismatch', message: 'record 5 does not match its hash (edited)' }, at: 0 })).toBe(
      'Chain broken at #5 (hash mismatch): record 5 does not match its hash (edited)',
    )
  })
})
