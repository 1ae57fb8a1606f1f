import { describe, expect, it } from 'vitest'
import type { AssetSummary } from '../../../../shared/contract/asset-model'
import { bindingText } from './AssetDetails'
import { applyPage, emptyTree, idOf, markError, markLoading, setExpanded, TOP, visibleRows } from '../../../lib/model-tree'

const a = (id: string, path: string, hasChildren = false): AssetSummary => ({
  id, name: path.split('/').at(-1)!, description: '', kind: 'equipment', templateId: null, parent: null, path, attributeCount: 0, hasChildren, reference: false,
})
const shape = (s: ReturnType<typeof emptyTree>) => visibleRows(s).map((r) => (r.kind === 'asset' ? `${r.level}:${r.asset.path}` : `${r.level}:${r.kind}`))

describe('the asset model tree state', () => {
  it('pages a level: a "more" row while the API has a next page, one loading row (not a second "more") while it loads', () => {
    let s = applyPage(markLoading(emptyTree(), TOP), TOP, { items: [a('1', 'A'), a('2', 'B')], next: 'c1' }, false)
    expect(shape(s)).toEqual(['1:A', '1:B', '1:more'])
    s = markLoading(s, TOP)
    expect(shape(s)).toEqual(['1:A', '1:B', '1:loading'])
    s = applyPage(s, TOP, { items: [a('3', 'C')], next: null }, true)
    expect(shape(s)).toEqual(['1:A', '1:B', '1:C'])
  })

  it('expands a node below its own rows, keyed by parent so a referenced asset can show under two parents', () => {
    let s = applyPage(emptyTree(), TOP, { items: [a('1', 'Line2', true), a('2', 'Pumps', true)], next: null }, false)
    s = setExpanded(s, '/1', true)
    expect(shape(s)).toEqual(['1:Line2', '2:loading', '1:Pumps'])
    s = applyPage(s, '/1', { items: [a('p', 'Line2/P-201')], next: null }, false)
    s = applyPage(setExpanded(s, '/2', true), '/2', { items: [a('p', 'Line2/P-201')], next: null }, false)
    expect(shape(s)).toEqual(['1:Line2', '2:Line2/P-201', '1:Pumps', '2:Line2/P-201'])
    expect(new Set(visibleRows(s).map((r) => r.key)).size).toBe(4)
    expect(idOf('/2/p')).toBe('p')
  })

  it('shows a failed page as an error row with its code, keeping what was loaded', () => {
    let s = applyPage(emptyTree(), TOP, { items: [a('1', 'A')], next: 'c' }, false)
    s = markError(s, TOP, { code: 'rpc.timeout', message: 'no answer' })
    expect(shape(s)).toEqual(['1:A', '1:error'])
  })

  it('writes a binding as kind, connection, address', () => {
    expect(bindingText({ kind: 'opcua', connection: 'demo-opcua', nodeId: 'ns=1;s=Line2.P-201.Speed' })).toBe('opcua demo-opcua ns=1;s=Line2.P-201.Speed')
    expect(bindingText({ kind: 'constant', value: 3 })).toBe('constant 3')
    expect(bindingText(undefined)).toBe('—')
  })
})
