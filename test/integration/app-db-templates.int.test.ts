import { afterAll, describe, expect, it } from 'vitest'
import { openAppDb } from '../../src/adapters/app-db/sqlite-asset-store'
import type { AssetAttribute } from '../../src/shared/contract/asset-model'
import { tempDir } from '../fixtures/store/engine'
import { thrownCode } from '../../src/core/testing/error-text'

const files = tempDir('app-db-templates')
afterAll(files.cleanup)
let n = 0
const fresh = () => openAppDb({ path: files.path(`t${++n}.db`) })
const codeOf = thrownCode
const speed: AssetAttribute = { name: 'Speed', dataType: 'number', unit: 'rpm', binding: { kind: 'opcua', connection: 'plc', nodeId: 'ns=2;s={asset}.Speed' } }

describe('application database: templates stored (real files)', () => {
  it('creates and derives templates, keeps their ids across a restart, and refuses a missing base, a cycle and a taken name', () => {
    const path = files.path('restart.db')
    let db = openAppDb({ path })
    const pump = db.createTemplate({ id: 'pump', name: 'Pump', attributes: [speed] }, 't')
    const centrifugal = db.createTemplate({ name: 'Centrifugal pump', base: 'pump', attributes: [{ name: 'Flow', dataType: 'number', unit: 'm3/h' }] }, 't')
    expect(centrifugal.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(codeOf(() => db.createTemplate({ name: 'Orphan', base: 'nope', attributes: [] }, 't'))).toBe('model.bad_template')
    expect(codeOf(() => db.updateTemplate('pump', { base: centrifugal.id }, 't'))).toBe('model.bad_template')
    expect(codeOf(() => db.createTemplate({ name: 'Pump', attributes: [] }, 't'))).toBe('model.name_taken')
    expect(codeOf(() => db.updateTemplate('nope', { name: 'X' }, 't'))).toBe('model.unknown')
    // the refusals wrote nothing
    expect(db.changes({ limit: 10 }).map((c) => c.op)).toEqual(['template.create', 'template.create'])
    db.close()
    db = openAppDb({ path })
    expect(db.template('pump')).toEqual(pump)
    expect(db.template(centrifugal.id)).toEqual(centrifugal)
    expect(db.templates().map((t) => [t.name, t.base, t.instanceCount])).toEqual([
      ['Centrifugal pump', 'pump', 0],
      ['Pump', null, 0],
    ])
    db.close()
  })

  it('an asset\'s template must exist (model.bad_template), on create, update and in a plan', () => {
    const db = fresh()
    expect(codeOf(() => db.create({ parent: null, name: 'P', kind: 'equipment', templateId: 'nope' }, 't'))).toBe('model.bad_template')
    const a = db.create({ parent: null, name: 'P', kind: 'equipment' }, 't')
    expect(codeOf(() => db.update(a.id, { templateId: 'nope' }, 't'))).toBe('model.bad_template')
    expect(codeOf(() => db.apply({ put: [{ ...a, id: 'x', name: 'Q', templateId: 'nope' }], remove: [] }, 't', 'x'))).toBe('model.bad_template')
    expect(db.get(a.id)!.templateId).toBeNull()
    db.close()
  })

  it('refuses to delete a template with instances or derived templates; detach keeps the instances; undo brings it all back', () => {
    const db = fresh()
    const pump = db.createTemplate({ id: 'pump', name: 'Pump', attributes: [speed] }, 't')
    const a = db.create({ parent: null, name: 'P-1', kind: 'equipment', templateId: 'pump', attributes: [{ ...speed, binding: { kind: 'opcua', connection: 'plc', nodeId: 'ns=2;s=P-1.Speed' } }] }, 't')
    const derived = db.createTemplate({ id: 'big', name: 'Big pump', base: 'pump', attributes: [] }, 't')
    expect(codeOf(() => db.deleteTemplate('pump', false, 't'))).toBe('model.template_in_use')
    expect(codeOf(() => db.deleteTemplate('pump', true, 't'))).toBe('model.template_in_use') // derived: detach does not help
    db.deleteTemplate('big', false, 't')
    expect(codeOf(() => db.deleteTemplate('pump', false, 't'))).toBe('model.template_in_use')
    const { change } = db.deleteTemplate('pump', true, 't')
    expect(db.template('pump')).toBeUndefined()
    expect(db.get(a.id)).toEqual({ ...a, templateId: null })
    expect(db.changes({ limit: 1 })[0]).toMatchObject({ id: change, op: 'template.delete', templates: { before: [pump], after: [] } })
    expect(db.undo(2, 't').undone).toHaveLength(2)
    expect(db.template('pump')).toEqual(pump)
    expect(db.template('big')).toEqual(derived)
    expect(db.get(a.id)).toEqual(a)
    // newest first: the creation of "big", of P-1, then of "pump"
    db.undo(3, 't')
    expect([db.template('big'), db.get(a.id), db.template('pump')]).toEqual([undefined, undefined, undefined])
    db.close()
  })
})
