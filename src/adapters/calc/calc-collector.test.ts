import { describe, expect, it } from 'vitest'
import { PlantConfig } from '../../core/config/schema'
import { createCore } from '../../core/create-core'
import { silentLogger } from '../../core/ports/logger'
import { FakeCollector } from '../../core/testing/fake-collector'
import { MemorySampleStore } from '../memory-store/memory-sample-store'
import { lateLiveSource } from '../../app/drivers'
import { CalcCollector } from './calc-collector'

const T = 1_764_640_000_000
const config = {
  connections: [
    { id: 'm', kind: 'mqtt', name: 'Meters', url: 'mqtt://x', signals: [{ id: 'm/flow', name: 'Flow', topic: 't/f' }, { id: 'm/speed', name: 'Speed', topic: 't/s' }] },
    {
      id: 'calc',
      kind: 'calc',
      name: 'Calculated',
      signals: [
        { id: 'calc/high', name: 'High', dataType: 'boolean', expression: '{calc/per_rev} > 10' },
        { id: 'calc/per_rev', name: 'Flow per revolution', unit: 'l', expression: '{m/flow} / {m/speed} * 60' },
      ],
    },
  ],
}

describe('calculated signals', () => {
  it('follow their inputs in dependency order, with the newest input time and the worst input quality, and are stored like any signal', async () => {
    const plant = PlantConfig.parse(config)
    const store = new MemorySampleStore({ clock: { now: () => T + 60_000 } })
    const meters = new FakeCollector('m')
    const live = lateLiveSource()
    const calc = new CalcCollector({ config: plant.connections[1] as never, live: live.source, logger: silentLogger })
    const core = createCore({ plant, collectors: [meters, calc], store, info: { version: '1', host: 'test', demo: false } })
    live.attach(core.live)
    await core.start()
    const push = async (signal: string, ts: number, value: number, quality: 'good' | 'uncertain' = 'good') => {
      meters.push([{ signal, ts, value, quality }])
      await new Promise((r) => setImmediate(r))
    }
    await push('m/flow', T, 12)
    // one input only: no value yet, and it says which
    expect(core.live.get('calc/per_rev')).toMatchObject({ value: null, quality: 'bad', status: 'no value yet: m/speed' })
    await push('m/speed', T + 5, 60)
    expect(core.live.get('calc/per_rev')).toEqual({ signal: 'calc/per_rev', ts: T + 5, value: 12, quality: 'good' })
    expect(core.live.get('calc/high')).toEqual({ signal: 'calc/high', ts: T + 5, value: true, quality: 'good' })
    await push('m/flow', T + 10, 6, 'uncertain')
    expect(core.live.get('calc/per_rev')).toMatchObject({ ts: T + 10, value: 6, quality: 'uncertain' })
    expect(core.live.get('calc/high')).toMatchObject({ value: false, quality: 'uncertain' })
    await push('m/speed', T + 20, 0)
    expect(core.live.get('calc/per_rev')).toMatchObject({ value: null, quality: 'bad', status: expect.stringMatching(/division by zero/) })
    await core.stop()
    const stored = await store.queryRaw('calc/per_rev', 0, T + 60_000)
    expect(stored.v).toEqual([null, 12, 6, null])
    expect((await store.queryRaw('calc/high', 0, T + 60_000)).v).toEqual([null, true, false, null])
    await expect(calc.write({ signal: 'calc/high', value: true })).resolves.toMatchObject({ ok: false })
  })

  it('refuses a bad expression or calculations that read each other in a circle, at configuration', () => {
    const withSignals = (signals: unknown[]) => PlantConfig.safeParse({ connections: [{ id: 'c', kind: 'calc', name: 'C', signals }] })
    const bad = withSignals([{ id: 'c/a', name: 'A', expression: '{m/flow} *' }])
    expect(bad.success).toBe(false)
    expect(JSON.stringify(bad.error?.issues)).toMatch(/model\.bad_expression|unexpected end/)
    const circle = withSignals([
      { id: 'c/a', name: 'A', expression: '{c/b} + 1' },
      { id: 'c/b', name: 'B', expression: '{c/a} * 2' },
    ])
    expect(circle.success).toBe(false)
    expect(JSON.stringify(circle.error?.issues)).toMatch(/refer to themselves: c\/a -> c\/b -> c\/a/)
  })
})
