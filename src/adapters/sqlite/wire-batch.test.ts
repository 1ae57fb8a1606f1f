import { describe, expect, it } from 'vitest'
import type { Sample } from '../../shared/model'
import { sampleAt } from '../store-engine/columns'
import { SignalGrouper } from './group-by-signal'
import { type SignalRef, encodeBatch, filterBatch, fromLogRow, toLogParams } from './wire-batch'

const refs = new Map<string, SignalRef>([
  ['w/n', { id: 3, dataType: 'number' }],
  ['w/s', { id: 1, dataType: 'string' }],
  ['w/b', { id: 300, dataType: 'boolean' }],
])
const NOW = Date.UTC(2025, 0, 1)
const samples: Sample[] = [
  { signal: 'w/n', ts: NOW, value: 1.5, quality: 'good' },
  { signal: 'w/s', ts: NOW, value: 'RUN', quality: 'good', status: 'Good' },
  { signal: 'w/x', ts: NOW, value: 1, quality: 'good' },
  { signal: 'w/b', ts: NOW + 1, value: true, quality: 'uncertain' },
  { signal: 'w/n', ts: NOW - 5, value: NaN, quality: 'good' },
  { signal: 'w/s', ts: NOW + 2, value: 'STOP', quality: 'bad' },
  { signal: 'w/n', ts: NOW + 3, value: 'oops', quality: 'good' },
]

describe('wire batches', () => {
  it('packs valid samples into columns and counts the rest', () => {
    const { batch, counts, rejected } = encodeBatch(samples, refs, NOW, 1000)
    expect(batch.n).toBe(5)
    expect([...batch.sig.subarray(0, 5)]).toEqual([3, 1, 300, 3, 1])
    expect(batch.texts).toEqual(['RUN', 'STOP'])
    expect(batch.statusAt).toEqual([1, 3])
    expect(batch.statuses).toEqual(['Good', 'NaN'])
    expect(counts).toEqual({ unknownSignal: 1, wrongType: 1, nonFinite: 1 })
    expect(rejected).toBe(2)
  })

  it('survives the log table and filtering with strings and statuses in place', () => {
    const { batch } = encodeBatch(samples, refs, NOW, 1000)
    const [n, sig, ts, num, flags, extra] = toLogParams(batch)
    const back = fromLogRow({ seq: 1, n, sig: sig.slice(), ts: ts.slice(), num: num.slice(), flags: flags.slice(), extra })
    filterBatch(back, (i) => i !== 0)
    expect(back.n).toBe(4)
    expect(back.texts).toEqual(['RUN', 'STOP'])
    expect(back.statusAt).toEqual([0, 2])
  })

  it('groups by signal in arrival order, strings and statuses following their samples', () => {
    const a = encodeBatch(samples, refs, NOW, 1000).batch
    const b = encodeBatch([{ signal: 'w/s', ts: NOW - 9, value: 'IDLE', quality: 'good', status: 'Late' }], refs, NOW, 1000).batch
    const grouper = new SignalGrouper([a, b])
    expect(grouper.step(Infinity)).toBe(true)
    const frozen = grouper.result()
    expect(frozen.size).toBe(6)
    expect(frozen.signals()).toEqual([1, 3, 300])
    const s = frozen.get(1)
    expect(s && [0, 1, 2].map((i) => sampleAt('w/s', s, i))).toEqual([
      { signal: 'w/s', ts: NOW, value: 'RUN', quality: 'good', status: 'Good' },
      { signal: 'w/s', ts: NOW + 2, value: 'STOP', quality: 'bad' },
      { signal: 'w/s', ts: NOW - 9, value: 'IDLE', quality: 'good', status: 'Late' },
    ])
    const n = frozen.get(3)
    expect(n && [0, 1].map((i) => sampleAt('w/n', n, i).status)).toEqual([undefined, 'NaN'])
  })
})
