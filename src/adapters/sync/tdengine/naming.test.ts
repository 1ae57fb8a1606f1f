import { describe, expect, it } from 'vitest'
import { childTableName, MAX_TABLE_NAME, superTableName } from './naming'

describe('TDengine child table names', () => {
  it('keeps a plain id as it is, after the type letter', () => {
    expect(childTableName('pump_201_speed', 'number')).toBe('n_pump_201_speed')
    expect(childTableName('valve_open', 'boolean')).toBe('b_valve_open')
    expect(childTableName('mode', 'string')).toBe('s_mode')
  })

  it('sanitizes every other character, never a dot, and adds a hash of the whole id', () => {
    const name = childTableName('opcua:plant/ns=2;s=Line2.Pump201.Speed', 'number')
    expect(name).toMatch(/^n_opcua_plant_ns_2_s_Line2_Pump201_Speed_h[0-9a-f]{12}$/)
    expect(name).not.toContain('.')
  })

  it('gives ids that sanitize alike different tables (the hash suffix)', () => {
    const a = childTableName('line2.pump', 'number')
    const b = childTableName('line2/pump', 'number')
    const c = childTableName('line2_pump', 'number')
    expect(new Set([a, b, c]).size).toBe(3)
  })

  it('keeps case apart (Pump and pump are different signals; SQL quotes the names)', () => {
    expect(childTableName('Pump', 'number')).not.toBe(childTableName('pump', 'number'))
  })

  it('is deterministic and at most 192 bytes for the longest ids', () => {
    const long = `mqtt/${'plant/line/'.repeat(25)}x`
    const n1 = childTableName(long, 'number')
    expect(n1).toBe(childTableName(long, 'number'))
    expect(Buffer.byteLength(n1)).toBeLessThanOrEqual(MAX_TABLE_NAME)
    expect(n1).toMatch(/^[A-Za-z0-9_]+$/)
    const plainLong = 'a'.repeat(250)
    const n2 = childTableName(plainLong, 'number')
    expect(Buffer.byteLength(n2)).toBeLessThanOrEqual(MAX_TABLE_NAME)
    expect(n2).not.toBe(childTableName('a'.repeat(251), 'number'))
  })

  it('names a different table when the type changes', () => {
    expect(childTableName('x', 'number')).not.toBe(childTableName('x', 'string'))
  })

  it('names one supertable per value type', () => {
    expect(['number', 'boolean', 'string'].map((t) => superTableName('plantdeck', t as 'number'))).toEqual(['plantdeck_double', 'plantdeck_bool', 'plantdeck_text'])
  })
})
