import { describe, expect, it } from 'vitest'
import { commandValueText, outcomeText, parseCommandInput } from './command-text'

const sp = { input: 'number' as const, unit: '%', decimals: 1 }
const run = { input: 'state' as const, states: [{ key: '0', label: 'Stopped' }, { key: '1', label: 'Running' }] }

describe('command texts', () => {
  it('shows values with decimals and unit, states by label', () => {
    expect(commandValueText(82.54, sp)).toBe('82.5 %')
    expect(commandValueText(true, run)).toBe('Running')
    expect(commandValueText(null, sp)).toBe('unknown')
    expect(commandValueText(false, { input: 'none', labels: { '0': 'Stopped', '1': 'Running' } })).toBe('Stopped')
  })
  it('says each outcome plainly', () => {
    const base = { status: 'Good', value: 80, previous: 30, audited: true }
    expect(outcomeText({ ...base, outcome: 'success', readBack: 80 }, sp)).toBe('Success — read back 80.0 %')
    expect(outcomeText({ ...base, outcome: 'rejected', status: 'BadOutOfRange' }, sp)).toBe('Rejected: BadOutOfRange')
    expect(outcomeText({ ...base, outcome: 'mismatch', readBack: 50 }, sp)).toBe('Mismatch: read back 50.0 %, sent 80.0 %')
    expect(outcomeText({ ...base, outcome: 'timeout', status: 'no report within 800 ms' }, sp)).toBe('Timeout: no report within 800 ms')
  })
  it('reads the operator\'s input', () => {
    expect(parseCommandInput(' 42,5 ', sp)).toBe(42.5)
    expect(parseCommandInput('fast', sp)).toBe('fast') // the service refuses it with command.bad_value
    expect(parseCommandInput('', sp)).toBeUndefined()
    expect(parseCommandInput('1', run)).toBe('1')
    expect(parseCommandInput('', { input: 'none' })).toBeNull()
  })
})
