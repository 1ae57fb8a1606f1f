import { describe, expect, it } from 'vitest'
import type { SampleBatch } from '../../shared/model'
import { DurableBatcher } from './durable-batcher'

const s = (v: number) => ({ signal: 'a', ts: 1, value: v, quality: 'good' as const })
const tick = () => new Promise((r) => setImmediate(r))

function harness(maxBatch = 1000) {
  const batches: { batch: SampleBatch; resolve(): void; reject(e: Error): void }[] = []
  const failures: unknown[] = []
  const b = new DurableBatcher({
    maxBatch,
    maxInflight: 2,
    maxPending: 5,
    deliver: (batch) => new Promise<void>((resolve, reject) => batches.push({ batch, resolve, reject })),
    onFailure: (e) => failures.push(e),
  })
  return { b, batches, failures }
}

describe('DurableBatcher', () => {
  it('gathers one turn of messages into one batch and acks only after it is durable', async () => {
    const { b, batches } = harness()
    const acked: number[] = []
    b.add([s(1), s(2)], () => acked.push(1))
    b.add([], () => acked.push(2)) // a rejected message: acked in turn, without a delivery of its own
    b.add([s(3)], () => acked.push(3))
    await tick()
    expect(batches.map((x) => x.batch.map((y) => y.value))).toEqual([[1, 2, 3]])
    expect(acked).toEqual([])
    batches[0]!.resolve()
    await tick()
    expect(acked).toEqual([1, 2, 3])
  })

  it('acks in arrival order even when a later batch is durable first', async () => {
    const { b, batches } = harness(1)
    const acked: number[] = []
    b.add([s(1)], () => acked.push(1))
    b.add([s(2)], () => acked.push(2))
    batches[1]!.resolve()
    await tick()
    expect(acked).toEqual([])
    batches[0]!.resolve()
    await tick()
    expect(acked).toEqual([1, 2])
  })

  it('never acks a batch whose delivery failed, and reports it', async () => {
    const { b, batches, failures } = harness()
    const acked: number[] = []
    b.add([s(1)], () => acked.push(1))
    await tick()
    batches[0]!.reject(new Error('disk full'))
    await tick()
    b.add([s(2)], () => acked.push(2))
    await tick()
    batches[1]!.resolve()
    await tick()
    expect(acked).toEqual([2])
    expect(failures).toEqual([new Error('disk full')])
  })

  it('keeps gathering while the store is behind, and says when to stop reading', async () => {
    const { b, batches } = harness(1)
    b.add([s(1)])
    b.add([s(2)])
    for (let i = 3; i <= 8; i++) b.add([s(i)]) // two deliveries under way: the rest waits in one batch
    expect(batches).toHaveLength(2)
    expect(b.full).toBe(true)
    let room = false
    void b.room().then(() => (room = true))
    batches[0]!.resolve()
    await tick()
    expect(batches[2]!.batch.map((x) => x.value)).toEqual([3, 4, 5, 6, 7, 8])
    expect(room).toBe(true)
  })
})
