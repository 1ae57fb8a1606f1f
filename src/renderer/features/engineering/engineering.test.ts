import { describe, expect, it } from 'vitest'
import type { CertificateEntry } from '../../../shared/contract'
import { applyPage, emptyBrowse, markError, markLoading, OBJECTS, setExpanded, visibleRows } from './browse-tree'
import { certStatus, commonName, formatThumbprint, sortCertificates, waitsForCertificate } from './certificates'
import { draftMapping, jsonNodes, parseJson } from './json-fields'
import { mappingChanges } from './mqtt/mapping-changes'

const cert = (thumbprint: string, status: CertificateEntry['status'], subject: string, expired = false): CertificateEntry => ({
  thumbprint,
  status,
  subject,
  issuer: subject,
  validFrom: 0,
  validTo: 1,
  expired,
  selfSigned: true,
  hosts: [],
})

describe('certificates', () => {
  it('puts pending first and shows expired over trust', () => {
    const list = [cert('a', 'trusted', 'CN=A'), cert('b', 'pending', 'CN=B'), cert('c', 'trusted', 'CN=C', true), cert('d', 'rejected', 'CN=D')]
    expect(sortCertificates(list).map((c) => c.thumbprint)).toEqual(['b', 'c', 'd', 'a'])
    expect(certStatus(list[2]!)).toBe('expired')
  })
  it('formats thumbprints and names', () => {
    expect(formatThumbprint('92f89cbec38a')).toBe('92F8 9CBE C38A')
    expect(commonName('C=FR, O=Sterfive, CN=Plantdeck demo plant@vm')).toBe('Plantdeck demo plant@vm')
    expect(commonName('O=x')).toBe('O=x')
  })
  it('knows a connection waiting for a certificate', () => {
    expect(waitsForCertificate({ kind: 'opcua', health: 'error', reason: 'server certificate not trusted (pending review)' })).toBe(true)
    expect(waitsForCertificate({ kind: 'opcua', health: 'error', reason: 'Certificate 92f8 is not trusted' })).toBe(true)
    expect(waitsForCertificate({ kind: 'opcua', health: 'error', reason: 'connection refused' })).toBe(false)
    expect(waitsForCertificate({ kind: 'opcua', health: 'connected', reason: 'certificate not trusted' })).toBe(false)
  })
})

const child = (nodeId: string, nodeClass: 'Object' | 'Variable' | 'Method' = 'Object') => ({ nodeId, browseName: nodeId, displayName: nodeId, nodeClass })

describe('browse tree', () => {
  it('shows pages lazily, appends a continuation and offers "load more"', () => {
    let s = markLoading(emptyBrowse(), OBJECTS)
    expect(visibleRows(s).map((r) => r.kind)).toEqual(['loading'])
    s = applyPage(s, OBJECTS, { nodeId: OBJECTS, children: [child('a'), child('b')], continuationPoint: 'cp' }, false)
    expect(visibleRows(s).map((r) => r.kind)).toEqual(['node', 'node', 'more'])
    s = applyPage(s, OBJECTS, { nodeId: OBJECTS, children: [child('b'), child('c', 'Method')] }, true)
    const rows = visibleRows(s)
    expect(rows.map((r) => (r.kind === 'node' ? r.id : r.kind))).toEqual(['a', 'b', 'c'])
    expect(rows[2]).toMatchObject({ expandable: false })
  })
  it('opens children under their parent, marks empty nodes as leaves and shows errors in place', () => {
    let s = applyPage(emptyBrowse(), OBJECTS, { nodeId: OBJECTS, children: [child('a'), child('b')] }, false)
    s = setExpanded(s, 'a', true)
    s = applyPage(s, 'a', { nodeId: 'a', children: [child('a1', 'Variable')] }, false)
    s = applyPage(s, 'a1', { nodeId: 'a1', children: [] }, false)
    s = markError(setExpanded(s, 'b', true), 'b', { code: 'collector.unavailable', message: 'x' })
    const rows = visibleRows(s)
    expect(rows.map((r) => `${r.kind}:${r.level}`)).toEqual(['node:1', 'node:2', 'node:1', 'error:2'])
    expect(rows[1]).toMatchObject({ id: 'a1', expandable: false })
  })
  it('never loops on a reference cycle', () => {
    let s = applyPage(emptyBrowse(), OBJECTS, { nodeId: OBJECTS, children: [child('a')] }, false)
    s = setExpanded(setExpanded(s, 'a', true), 'b', true)
    s = applyPage(s, 'a', { nodeId: 'a', children: [child('b')] }, false)
    s = applyPage(s, 'b', { nodeId: 'b', children: [child('a')] }, false)
    const rows = visibleRows(s)
    expect(rows).toHaveLength(3)
    expect(rows[2]).toMatchObject({ id: 'a', expandable: false })
  })
})

describe('json fields', () => {
  it('lists every field with a path the mapping understands', () => {
    const p = parseJson('{"ts":1,"power":{"l1":0.4},"ok":true,"r":[{"v":"x"}],"a.b":1}')
    expect(p.ok).toBe(true)
    const nodes = jsonNodes(p.ok ? p.value : undefined)
    expect(nodes.map((n) => `${n.path}:${n.dataType ?? '-'}`)).toEqual(['ts:number', 'power:-', 'power.l1:number', 'ok:boolean', 'r:-', 'r[0]:-', 'r[0].v:string'])
    expect(parseJson('not json').ok).toBe(false)
    expect(jsonNodes(Array.from({ length: 5000 }, (_, i) => i), 100)).toHaveLength(100)
  })
  it('prefills a unique signal id, name, type and a unit guess', () => {
    const taken = new Set(['demo-mqtt/EM101.power.total', 'demo-mqtt/EM101.power.total-2'])
    expect(draftMapping('demo-mqtt', 'plantdeck/demo/line1/meters/EM101', 'power.total', 1.2, taken)).toEqual({
      id: 'demo-mqtt/EM101.power.total-3',
      name: 'EM101 power.total',
      topic: 'plantdeck/demo/line1/meters/EM101',
      path: 'power.total',
      dataType: 'number',
      unit: 'kW',
    })
    expect(draftMapping('m', 'a/b c', 'on', true, new Set())).toMatchObject({ id: 'm/b_c.on', dataType: 'boolean', unit: '' })
  })
})

describe('mappingChanges (the edit dialog sends only what changed)', () => {
  const m = { id: 'c/p', name: 'Power', dataType: 'number' as const, topic: 'a/b', path: 'power.total', unit: 'kW' }
  const same = { name: 'Power', path: 'power.total', dataType: 'number' as const, unit: 'kW' }
  it('nothing changed: nothing to send', () => {
    expect(mappingChanges(m, same)).toBeUndefined()
    expect(mappingChanges(m, { ...same, name: '  ' })).toBeUndefined() // an emptied name is not a change
  })
  it('changed fields only; an emptied unit or path is removed', () => {
    expect(mappingChanges(m, { ...same, unit: 'MW ' })).toEqual({ unit: 'MW' })
    expect(mappingChanges(m, { ...same, unit: '', path: '' })).toEqual({ unit: null, path: null })
    expect(mappingChanges(m, { ...same, name: 'Total power', dataType: 'string' })).toEqual({ name: 'Total power', dataType: 'string' })
  })
  it('a Sparkplug mapping has no path to change', () => {
    expect(mappingChanges({ ...m, path: undefined, metric: 'Power' }, { ...same, path: 'x' })).toBeUndefined()
  })
})
