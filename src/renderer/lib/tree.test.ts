import { describe, expect, it } from 'vitest'
import type { AssetNode } from '../../shared/model'
import { allSignals, ancestorsOf, attributeOf, faceplateGroups, findByPrefix, indexTree, liveSignals, treeKey, visibleNodes } from './tree'

const n = (id: string, children: AssetNode[] = [], signals: string[] = []): AssetNode => ({
  id,
  name: id[0]!.toUpperCase() + id.slice(1),
  kind: 'folder',
  signals: signals.map((s, i) => ({ attribute: `A${i}`, signal: s })),
  children,
})
const root = n('site', [n('line1', [n('tank1', [], ['t1/level', 't1/temp']), n('pump1', [], ['p1/run'])]), n('line2', [n('tank2', [], ['t2/level'])])])

describe('tree index', () => {
  it('finds ancestors root first', () => {
    const idx = indexTree(root)
    expect(ancestorsOf('tank1', idx)).toEqual(['site', 'line1'])
    expect(ancestorsOf('site', idx)).toEqual([])
    expect(idx.byId.get('pump1')?.name).toBe('Pump1')
  })
  it('collects every signal once', () => {
    expect(allSignals(root).sort()).toEqual(['p1/run', 't1/level', 't1/temp', 't2/level'])
  })
})

describe('visibleNodes', () => {
  it('shows children of expanded nodes only, with ARIA level, position and set size', () => {
    const rows = visibleNodes(root, { site: true, line1: true })
    expect(rows.map((r) => r.node.id)).toEqual(['site', 'line1', 'tank1', 'pump1', 'line2'])
    const pump = rows[3]!
    expect([pump.level, pump.posInSet, pump.setSize, pump.parentId]).toEqual([3, 2, 2, 'line1'])
    expect(rows[4]).toMatchObject({ expandable: true, expanded: false })
    expect(rows[2]).toMatchObject({ expandable: false, expanded: false })
  })
})

describe('treeKey', () => {
  const rows = visibleNodes(root, { site: true, line1: true })
  it('moves with up/down/home/end and clamps at the ends', () => {
    expect(treeKey('ArrowDown', rows, 'line1')).toEqual({ type: 'focus', id: 'tank1' })
    expect(treeKey('ArrowUp', rows, 'site')).toEqual({ type: 'focus', id: 'site' })
    expect(treeKey('ArrowDown', rows, 'line2')).toEqual({ type: 'focus', id: 'line2' })
    expect(treeKey('End', rows, 'site')).toEqual({ type: 'focus', id: 'line2' })
    expect(treeKey('Home', rows, 'line2')).toEqual({ type: 'focus', id: 'site' })
  })
  it('opens, enters, closes and leaves with right/left', () => {
    expect(treeKey('ArrowRight', rows, 'line2')).toEqual({ type: 'expand', id: 'line2' })
    expect(treeKey('ArrowRight', rows, 'line1')).toEqual({ type: 'focus', id: 'tank1' })
    expect(treeKey('ArrowRight', rows, 'tank1')).toEqual({ type: 'none' })
    expect(treeKey('ArrowLeft', rows, 'line1')).toEqual({ type: 'collapse', id: 'line1' })
    expect(treeKey('ArrowLeft', rows, 'pump1')).toEqual({ type: 'focus', id: 'line1' })
    expect(treeKey('ArrowLeft', visibleNodes(root, {}), 'site')).toEqual({ type: 'none' })
  })
  it('selects with Enter or Space, expands siblings with *', () => {
    expect(treeKey('Enter', rows, 'pump1')).toEqual({ type: 'select', id: 'pump1' })
    expect(treeKey(' ', rows, 'pump1')).toEqual({ type: 'select', id: 'pump1' })
    expect(treeKey('*', rows, 'line1')).toEqual({ type: 'expandSiblings', ids: ['line2'] })
    expect(treeKey('x', rows, 'line1')).toEqual({ type: 'none' })
  })
  it('starts from the first row when nothing is focused', () => {
    expect(treeKey('ArrowDown', rows, undefined)).toEqual({ type: 'focus', id: 'line1' })
    expect(treeKey('ArrowDown', [], undefined)).toEqual({ type: 'none' })
  })
  it('type-ahead finds the next match after the focused row, wrapping', () => {
    expect(findByPrefix(rows, 'site', 'l')).toBe('line1')
    expect(findByPrefix(rows, 'line1', 'l')).toBe('line2')
    expect(findByPrefix(rows, 'line2', 'l')).toBe('line1')
    expect(findByPrefix(rows, 'site', 'zz')).toBeUndefined()
  })
})

describe('faceplate content and subscriptions', () => {
  it('groups own signals and direct children with signals; lists the rest as containers', () => {
    const line1 = root.children[0]!
    const { groups, containers } = faceplateGroups(line1)
    expect(groups.map((g) => g.asset.id)).toEqual(['tank1', 'pump1'])
    expect(containers).toEqual([])
    expect(faceplateGroups(root).containers.map((c) => c.id)).toEqual(['line1', 'line2'])
  })
  it('subscribes to what is shown plus the trended signal, without duplicates', () => {
    const line1 = root.children[0]!
    expect(liveSignals(line1, 't2/level')).toEqual(['t1/level', 't1/temp', 'p1/run', 't2/level'])
    expect(liveSignals(line1, 't1/level')).toEqual(['t1/level', 't1/temp', 'p1/run'])
    expect(liveSignals(undefined, undefined)).toEqual([])
    expect(liveSignals(line1, undefined, 2)).toHaveLength(2)
  })
  it('names a signal by its attribute on the asset', () => {
    const tank1 = root.children[0]!.children[0]!
    expect(attributeOf(tank1, 't1/temp')).toBe('A1')
    expect(attributeOf(tank1, 'x/y')).toBe('x/y')
  })
})
