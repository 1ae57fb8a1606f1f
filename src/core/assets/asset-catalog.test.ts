import { describe, expect, it } from 'vitest'
import { PlantConfig } from '../config/schema'
import { AssetCatalog } from './asset-catalog'

const plant = PlantConfig.parse({
  connections: [{ id: 'm', kind: 'mqtt', name: 'Meters', url: 'mqtt://x', signals: [
    { id: 'm/a', name: 'A', topic: 't/a' },
    { id: 'm/b', name: 'B', topic: 't/b' },
  ] }],
  assets: { id: 'plant', name: 'Plant', kind: 'site', signals: [], children: [
    { id: 'l2', name: 'Line2', kind: 'line', signals: [], children: [{ id: 'p201', name: 'Pump201', kind: 'pump', signals: [{ attribute: 'Flow', signal: 'm/a' }], children: [] }] },
    { id: 'all', name: 'All pumps', kind: 'folder', signals: [{ attribute: 'P201 flow', signal: 'm/a' }], children: [] },
  ] },
})

describe('AssetCatalog', () => {
  it("indexes each placed signal's path (the first place that shows it), and places and relabels through the index", () => {
    const c = new AssetCatalog(plant)
    expect(c.pathOf('m/a')).toBe('Plant/Line2/Pump201/Flow')
    expect(c.placed('m/b')).toBe(false)
    c.place({ id: 'm:mqtt-mappings', name: 'm (mapped)' }, [{ attribute: 'B', signal: 'm/b' }])
    expect(c.placed('m/b')).toBe(true)
    expect(c.pathOf('m/b')).toBe('Plant/m (mapped)/B')
    c.place({ id: 'm:mqtt-mappings', name: 'm (mapped)' }, [{ attribute: 'C', signal: 'm/c' }])
    expect(c.root.children.filter((n) => n.id === 'm:mqtt-mappings')).toHaveLength(1)
    c.relabel('m/a', 'Flow', 'Outlet flow')
    expect(c.pathOf('m/a')).toBe('Plant/Line2/Pump201/Outlet flow')
    expect(c.root.children[0]!.children[0]!.signals[0]!.attribute).toBe('Outlet flow')
  })
})
