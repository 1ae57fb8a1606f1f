import { afterEach, describe, expect, it } from 'vitest'
import type { AssetAttribute } from '../../shared/contract/asset-model'
import { startModelApi } from '../testing/model-api'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const setup = () => startModelApi(cleanups)
const codeOf = (p: Promise<unknown>) => p.then(() => 'no error', (e: { code: string }) => e.code)
const opcua = (nodeId: string): AssetAttribute['binding'] => ({ kind: 'opcua', connection: 'plc', nodeId })
const speed: AssetAttribute = { name: 'Speed', dataType: 'number', unit: 'rpm', binding: opcua('ns=2;s={line}.{asset}.Speed') }
const running: AssetAttribute = { name: 'Running', dataType: 'boolean', binding: opcua('ns=2;s={line}.{asset}.Run') }

async function plantWithLine() {
  const s = await setup()
  const site = await s.api.call('model.create', { parent: null, name: 'Site', kind: 'site' })
  const line = await s.api.call('model.create', { parent: site.id, name: 'L2', kind: 'line' })
  await s.api.call('model.templates.create', { id: 'pump', name: 'Pump', attributes: [running, speed] })
  return { ...s, site, line }
}

describe('templates through the API (model.templates.*, model.instantiate) on a real application database', () => {
  it('creates and derives templates; an asset naming a missing template, a missing base and a cycle are model.bad_template', async () => {
    const { api } = await plantWithLine()
    const c = await api.call('model.templates.create', { name: 'Centrifugal pump', base: 'pump', attributes: [{ name: 'Flow', dataType: 'number', unit: 'm3/h' }] })
    expect(await api.call('model.templates.get', { id: c.id })).toEqual({ ...c, description: '' })
    expect((await api.call('model.templates.list', {})).items.map((t) => [t.name, t.base])).toEqual([
      ['Centrifugal pump', 'pump'],
      ['Pump', null],
    ])
    expect(await codeOf(api.call('model.templates.create', { name: 'X', base: 'nope', attributes: [] }))).toBe('model.bad_template')
    expect(await codeOf(api.call('model.templates.update', { id: 'pump', base: c.id }))).toBe('model.bad_template')
    expect(await codeOf(api.call('model.templates.create', { name: 'Y', attributes: [{ ...speed, binding: opcua('ns=2;s={asset') }] }))).toBe('model.bad_binding')
    expect(await codeOf(api.call('model.create', { parent: null, name: 'P', kind: 'equipment', templateId: 'nope' }))).toBe('model.bad_template')
    expect(await codeOf(api.call('model.templates.get', { id: 'nope' }))).toBe('model.unknown')
  })

  it('instantiates 40 pumps in one call and one change, each bound to its own address; one undo removes them all', async () => {
    const { api, line, seen } = await plantWithLine()
    const names = Array.from({ length: 40 }, (_, i) => `P-${String(i + 1).padStart(2, '0')}`)
    const before = seen.length
    const r = await api.call('model.instantiate', { template: 'pump', parent: line.id, names })
    expect(r.assets).toHaveLength(40)
    const nodeIds = r.assets.map((a) => a.attributes.find((x) => x.name === 'Speed')!.binding!['nodeId'])
    expect(new Set(nodeIds).size).toBe(40)
    expect(nodeIds[0]).toBe('ns=2;s=L2.P-01.Speed')
    expect(r.assets.every((a) => a.templateId === 'pump' && a.kind === 'equipment' && a.path.startsWith('Site/L2/P-'))).toBe(true)
    expect(seen.slice(before).map((e) => e.op)).toEqual(['instantiate'])
    expect((await api.call('model.changes', { limit: 1 })).items[0]).toMatchObject({ id: r.change, op: 'instantiate', afterCount: 40, beforeCount: 0 })
    expect((await api.call('model.templates.list', {})).items[0]!.instanceCount).toBe(40)
    await api.call('model.undo', {})
    expect((await api.call('model.children', { parent: line.id })).items).toEqual([])
  })

  it('refuses the whole call when one pattern cannot be filled, a name repeats or is taken: nothing half-made', async () => {
    const { api, site, line } = await plantWithLine()
    const changes = (await api.call('model.changes', {})).items.length
    // directly under the site there is no {line}
    expect(await codeOf(api.call('model.instantiate', { template: 'pump', parent: site.id, names: ['P-1'] }))).toBe('model.bad_binding')
    expect(await codeOf(api.call('model.instantiate', { template: 'pump', parent: line.id, names: ['P-1', 'P-2', 'P-1'] }))).toBe('model.name_taken')
    await api.call('model.create', { parent: line.id, name: 'P-3', kind: 'equipment' })
    expect(await codeOf(api.call('model.instantiate', { template: 'pump', parent: line.id, names: ['P-1', 'P-2', 'P-3'] }))).toBe('model.name_taken')
    expect(await codeOf(api.call('model.instantiate', { template: 'nope', parent: line.id, names: ['P-1'] }))).toBe('model.unknown')
    expect((await api.call('model.children', { parent: line.id })).items.map((c) => c.name)).toEqual(['P-3'])
    expect((await api.call('model.children', { parent: site.id })).items.map((c) => c.name)).toEqual(['L2'])
    expect((await api.call('model.changes', {})).items).toHaveLength(changes + 1)
  })

  it('previews a template change over its instances (and a derived template\'s), then applies it in one change; hand-added attributes are kept; undo restores', async () => {
    const { api, line } = await plantWithLine()
    await api.call('model.templates.create', { id: 'big', name: 'Big pump', base: 'pump', attributes: [{ name: 'Flow', dataType: 'number' }] })
    const [p1, p2] = (await api.call('model.instantiate', { template: 'pump', parent: line.id, names: ['P-1', 'P-2'] })).assets
    const [b1] = (await api.call('model.instantiate', { template: 'big', parent: line.id, names: ['B-1'] })).assets
    const note: AssetAttribute = { name: 'Note', dataType: 'string', binding: { kind: 'constant', value: 'by hand' } }
    await api.call('model.update', { id: p1!.id, attributes: [...p1!.attributes, note] })
    const change = { id: 'pump', attributes: [{ ...speed, unit: '1/min', binding: opcua('ns=3;s={asset}.Speed') }, { name: 'Current', dataType: 'number' as const, unit: 'A' }] }
    const preview = await api.call('model.templates.preview', change)
    expect(preview.instanceCount).toBe(3)
    expect(preview.instances.map((i) => [i.path, i.added, i.removed, i.changed])).toEqual([
      ['Site/L2/P-1', ['Current'], ['Running'], { Speed: ['unit', 'binding'] }],
      ['Site/L2/P-2', ['Current'], ['Running'], { Speed: ['unit', 'binding'] }],
      ['Site/L2/B-1', ['Current'], ['Running'], { Speed: ['unit', 'binding'] }],
    ])
    expect(await api.call('model.get', { id: p2!.id })).toEqual(p2) // a preview changes nothing
    const done = await api.call('model.templates.apply', change)
    expect(done.instances).toHaveLength(3)
    const after = await api.call('model.get', { id: p1!.id })
    expect(after.attributes.map((a) => a.name)).toEqual(['Speed', 'Current', 'Note'])
    expect(after.attributes[0]!.binding).toEqual(opcua('ns=3;s=P-1.Speed'))
    expect((await api.call('model.get', { id: b1!.id })).attributes.map((a) => a.name)).toEqual(['Speed', 'Current', 'Flow'])
    expect((await api.call('model.templates.get', { id: 'pump' })).attributes.map((a) => a.name)).toEqual(['Speed', 'Current'])
    expect((await api.call('model.templates.preview', change)).instanceCount).toBe(0)
    const entry = (await api.call('model.changes', { limit: 1 })).items[0]!
    expect([entry.op, entry.beforeCount, entry.afterCount, entry.templates?.before[0]?.attributes.length]).toEqual(['template.apply', 3, 3, 2])
    await api.call('model.undo', {})
    expect((await api.call('model.get', { id: p1!.id })).attributes.map((a) => a.name)).toEqual(['Running', 'Speed', 'Note'])
    expect(await api.call('model.get', { id: p2!.id })).toEqual(p2)
    expect((await api.call('model.templates.get', { id: 'pump' })).attributes).toEqual([running, speed])
  })

  it('delete answers its instances first, is refused with instances, and detaches them only when asked', async () => {
    const { api, line } = await plantWithLine()
    const [p1] = (await api.call('model.instantiate', { template: 'pump', parent: line.id, names: ['P-1'] })).assets
    const ask = await api.call('model.templates.delete', { id: 'pump' })
    expect(ask).toMatchObject({ deleted: false, instanceCount: 1, instances: [{ id: p1!.id, path: 'Site/L2/P-1' }], change: null })
    expect(await codeOf(api.call('model.templates.delete', { id: 'pump', confirm: true }))).toBe('model.template_in_use')
    const done = await api.call('model.templates.delete', { id: 'pump', confirm: true, detach: true })
    expect(done.deleted).toBe(true)
    expect(await api.call('model.get', { id: p1!.id })).toEqual({ ...p1, templateId: null })
    expect(await codeOf(api.call('model.templates.get', { id: 'pump' }))).toBe('model.unknown')
    await api.call('model.undo', {})
    expect(await api.call('model.get', { id: p1!.id })).toEqual(p1)
  })
})
