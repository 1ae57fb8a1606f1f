import { afterAll, expect, it } from 'vitest'
import { startRuntime } from '../../src/app/runtime'
import { AppConfig } from '../../src/core/config/app-config'
import type { Logger } from '../../src/core/ports/logger'
import { tempDir } from '../fixtures/store/engine'
import { until } from '../helpers/mqtt-harness'
import { TEST_SCRYPT } from '../../src/adapters/identity/node-crypto'
import { openApi } from '../helpers/login'

const files = tempDir('demo-templates')
afterAll(files.cleanup)
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent }

it('the simulated plant seeds its model as template instances, which round-trip through export and import and instantiate like any template', async () => {
  // the file adds a template of its own beside the demo's; the demo's tree stays the seeded one
  const config = AppConfig.parse({
    demo: { enabled: true, opcuaPort: 0, mqttPort: 0 },
    templates: [{ id: 'flowmeter', name: 'Flow meter', attributes: [{ name: 'Flow', dataType: 'number', unit: 'm³/h', binding: { kind: 'opcua', connection: 'demo-opcua', nodeId: 'ns=1;s={line}.{asset}.Flow' } }] }],
  })
  const rt = await startRuntime({ config, dataDir: files.path('data'), logger: silent, host: 'test', version: '0.0.0-test', validateResults: true, scrypt: TEST_SCRYPT })
  const api = await openApi(rt)
  try {
    const templates = (await api.call('model.templates.list', {})).items
    expect(templates.map((t) => [t.id, t.instanceCount])).toEqual([
      ['centrifugal-pump', 4], ['energy-meter', 4], ['environment-sensor', 3], ['flowmeter', 0], ['tank', 4], ['valve', 4],
    ])
    const { asset, attribute } = await api.call('model.resolve', { path: 'Demo plant/Line1/EM101/Power' })
    expect(asset).toMatchObject({ templateId: 'energy-meter', description: 'EM101 energy meter (Pump101 feeder)' })
    expect(attribute?.binding).toEqual({ kind: 'mqtt', connection: 'demo-mqtt', topic: 'plantdeck/demo/line1/meters/EM101', path: 'power.total' })

    // every instance's attributes reach a value through what the demo connections already collect: none is left
    // uncollected, the calculated ones evaluate, the capacity is a constant
    const equipment = (await api.call('model.search', { query: 'Demo', limit: 500 })).items.filter((a) => a.templateId !== null && a.templateId !== 'flowmeter')
    expect(equipment).toHaveLength(19)
    const states = async () => Object.values((await api.call('model.live', { ids: equipment.map((a) => a.id) })).assets).flat()
    await until(async () => (await states()).every((a) => a.state === 'live' || a.state === 'calculated' || a.state === 'constant'), 30_000, 'every demo attribute live')
    const live = await states()
    // each one a signal the demo's configuration already collects (none auto-collected: the patterns name what is served)
    const configured = new Set(rt.demo!.config.connections.flatMap((c) => c.signals.map((x) => x.id)))
    expect(live.filter((a) => a.state === 'live' && !configured.has(a.signal ?? '')).map((a) => `${a.name} ${a.signal}`)).toEqual([])
    expect(live.filter((a) => a.state === 'live')).toHaveLength(configured.size)
    expect(live.filter((a) => a.state === 'calculated').map((a) => a.name).sort()).toEqual([...Array(4).fill('ApparentPower'), ...Array(4).fill('PowerFactor'), ...Array(4).fill('State'), ...Array(4).fill('Volume')])
    await until(async () => (await states()).filter((a) => a.state === 'calculated').every((a) => a.value !== undefined && a.value !== null), 30_000, 'calculated values')

    // the whole model, calculated attributes and constants included, imports back as it is
    const doc = await api.call('model.export', {})
    const report = await api.call('model.import', { text: JSON.stringify(doc), mode: 'by-id', dryRun: true })
    expect([report.create.length, report.delete.length]).toEqual([0, 0])

    // a demo template instantiated by hand fills its patterns for the new asset
    const line2 = await api.call('model.resolve', { path: 'Demo plant/Line2' })
    const made = await api.call('model.instantiate', { template: 'tank', parent: line2.asset.id, names: ['Tank203'], kind: 'tank' })
    expect(made.assets[0]?.attributes.find((a) => a.name === 'Level')?.binding).toEqual({ kind: 'opcua', connection: 'demo-opcua', nodeId: 'ns=1;s=Line2.Tank203.Level' })
  } finally {
    api.close()
    await rt.stop()
  }
}, 60_000)
