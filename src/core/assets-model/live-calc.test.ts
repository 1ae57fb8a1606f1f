import { describe, expect, it } from 'vitest'
import type { AssetAttribute } from '../../shared/contract/asset-model'
import { SignalId } from '../../shared/model'
import { calcSignalId, evaluateCalculated, planCalculated, type InputValue } from './live-calc'

const calc = (name: string, expression: string): AssetAttribute => ({ name, dataType: 'number', binding: { kind: 'calculated', expression } })
const num = (name: string): AssetAttribute => ({ name, dataType: 'number', binding: { kind: 'opcua', connection: 'ua', nodeId: `s=${name}` } })
const types = (attrs: AssetAttribute[]) => new Map(attrs.map((a) => [a.name, a.dataType]))

describe('calculated attributes, live', () => {
  it('gives each (asset, attribute) one valid, stable signal id; names that differ only in unsafe characters stay apart', () => {
    const a = calcSignalId('3f1c2a9e-0000-4000-8000-000000000001', 'Flow per rpm')
    const b = calcSignalId('3f1c2a9e-0000-4000-8000-000000000001', 'Flow_per rpm')
    expect(SignalId.safeParse(a).success).toBe(true)
    expect(a).toBe(calcSignalId('3f1c2a9e-0000-4000-8000-000000000001', 'Flow per rpm'))
    expect(a).not.toBe(b)
    expect(calcSignalId('x', 'Speed')).toBe('model/x/Speed')
    expect(SignalId.safeParse(calcSignalId('x', 'Ä'.repeat(300))).success).toBe(true)
  })

  it('plans: a cycle, a missing name, a parse error and whatever reads them are bad; the rest in order', () => {
    const attrs = [num('A'), calc('C', 'B2 + 1'), calc('B2', 'A * 2'), calc('D', 'E + 1'), calc('E', 'D'), calc('F', 'Nope'), calc('G', 'F + 1'), calc('H', 'A +')]
    const p = planCalculated(attrs)
    expect(p.order).toEqual(['B2', 'C'])
    expect(p.bad.get('D')).toMatch(/refer to themselves/)
    expect(p.bad.get('E')).toMatch(/refer to themselves/)
    expect(p.bad.get('F')).toMatch(/no attribute "Nope"/)
    expect(p.bad.get('G')).toMatch(/reads "F"/)
    expect(p.bad.has('H')).toBe(true)
  })

  it('evaluates: newest input time, worst quality; a bad input gives a bad result, a missing one none', () => {
    const attrs = [num('A'), num('B'), calc('Sum', 'A + B'), calc('Twice', 'Sum * 2'), { name: 'On', dataType: 'boolean', binding: { kind: 'calculated', expression: 'A' } } as AssetAttribute]
    const plan = planCalculated(attrs)
    const run = (values: Record<string, InputValue>) => evaluateCalculated(plan, types(attrs), (n) => values[n])
    const good = run({ A: { value: 2, quality: 'good', ts: 10 }, B: { value: 3, quality: 'uncertain', ts: 20 } })
    expect(good.get('Sum')).toEqual({ value: 5, quality: 'uncertain', ts: 20 })
    expect(good.get('Twice')).toEqual({ value: 10, quality: 'uncertain', ts: 20 })
    expect(good.get('On')).toEqual({ value: true, quality: 'good', ts: 10 })
    const bad = run({ A: { value: null, quality: 'bad', ts: 30 }, B: { value: 3, quality: 'good', ts: 20 } })
    expect(bad.get('Sum')).toMatchObject({ value: null, quality: 'bad', ts: 30, status: 'bad input: A' })
    expect(bad.get('Twice')).toMatchObject({ value: null, quality: 'bad' })
    const missing = run({ A: { value: 1, quality: 'good', ts: 1 } })
    expect(missing.has('Sum')).toBe(false)
    expect(missing.has('Twice')).toBe(false)
    expect(missing.get('On')).toMatchObject({ value: true })
  })
})
