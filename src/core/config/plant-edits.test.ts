import { describe, expect, it } from 'vitest'
import { applyPlantEdits, emptyPlantEdits, recordEdit } from './plant-edits'
import type { MqttSignalConfig } from '../mqtt/mqtt-config'
import { PlantConfig } from './schema'

const plant = PlantConfig.parse({
  connections: [
    { id: 'm', kind: 'mqtt', name: 'M', url: 'mqtt://h', signals: [{ id: 'm/a', name: 'A', topic: 't/a' }, { id: 'm/b', name: 'B', topic: 't/b' }] },
    { id: 'ua', kind: 'opcua', name: 'UA', endpoint: 'opc.tcp://h:4840', signals: [{ id: 'ua/x', name: 'X', nodeId: 'ns=1;s=X' }] },
  ],
})
const [m, ua] = plant.connections
const sig = (id: string, over: Partial<MqttSignalConfig> = {}): MqttSignalConfig => ({ id, name: id, dataType: 'number', writable: false, topic: 't/new', ...over })

describe('runtime edits overlay', () => {
  it('records additions, changes and removals with as little as needed, and applies them on top of the base', () => {
    let e = recordEdit(emptyPlantEdits(), { connection: 'm', upsert: [sig('m/c')] }, m)
    e = recordEdit(e, { connection: 'm', upsert: [{ ...(m!.signals[0] as MqttSignalConfig), unit: 'kW' }] }, m)
    e = recordEdit(e, { connection: 'm', remove: ['m/b'] }, m)
    expect(e.connections.m).toEqual({ signals: [sig('m/c'), expect.objectContaining({ id: 'm/a', unit: 'kW' })], removed: ['m/b'] })
    const applied = applyPlantEdits(plant.connections, e)
    expect(applied.problems).toEqual([])
    expect(applied.connections[0]!.signals.map((s) => [s.id, s.unit])).toEqual([['m/a', 'kW'], ['m/c', undefined]])
    expect(applied.connections[1]).toBe(ua) // untouched connections are the same object

    // back to the base: no entry left
    e = recordEdit(e, { connection: 'm', remove: ['m/c'], upsert: [m!.signals[0]!, m!.signals[1]!] }, m)
    expect(e.connections).toEqual({})
  })

  it('skips an entry that would break its connection or take another connection’s signal id, and says why', () => {
    const wrongKind = recordEdit(emptyPlantEdits(), { connection: 'ua', upsert: [sig('ua/y')] }, ua)
    const r = applyPlantEdits(plant.connections, wrongKind)
    expect(r.connections[1]).toBe(ua)
    expect(r.problems[0]).toMatch(/^ua: /)
    const stolen = applyPlantEdits(plant.connections, recordEdit(emptyPlantEdits(), { connection: 'm', upsert: [sig('ua/x')] }, m))
    expect(stolen.connections[0]).toBe(m)
    expect(stolen.problems).toEqual(['m: signal "ua/x" belongs to connection "ua"'])
    expect(applyPlantEdits(plant.connections, recordEdit(emptyPlantEdits(), { connection: 'gone', upsert: [sig('gone/a')] }, undefined)).problems).toEqual([
      'gone: no such connection (its edits are kept, unused)',
    ])
  })
})
