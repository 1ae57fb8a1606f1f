import { describe, expect, it } from 'vitest'
import { TopicTree } from './topic-tree'

const enc = (s: string) => new TextEncoder().encode(s)

describe('TopicTree', () => {
  it('pages one level with subtree counts, last payload preview and retained flag', () => {
    const t = new TopicTree({ previewBytes: 4 })
    t.record('site/a/t1', enc('12.5'), false, 1000)
    t.record('site/a/t1', enc('13.25'), true, 2000)
    t.record('site/a/t2', enc('1'), false, 2000)
    t.record('site/b', enc('{"x":1}'), false, 2000)
    expect(t.page('', 0, 10, 2000).entries).toEqual([{ name: 'site', path: 'site', topics: 3, messages: 4, hasChildren: true }])
    const site = t.page('site', 0, 10, 2000)
    expect(site.entries.map((e) => [e.name, e.topics, e.messages])).toEqual([
      ['a', 2, 3],
      ['b', 1, 1],
    ])
    expect(site.entries[1]!.last).toMatchObject({ count: 1, retained: false, preview: '{"x"', truncated: true, bytes: 7 })
    expect(t.page('site/a', 0, 1, 2000)).toMatchObject({ total: 2, entries: [{ name: 't1', last: { count: 2, retained: true, preview: '13.2' } }] })
    expect(new TextDecoder().decode(t.payload('site/a/t1')!.payload)).toBe('13.25')
  })

  it('stays bounded with a million distinct topics: the rest are only counted', () => {
    const t = new TopicTree({ maxTopics: 10_000 })
    const p = enc('1')
    let refused = 0
    for (let i = 0; i < 1_000_000; i++) if (!t.record(`flood/${i % 1000}/${i}`, p, false, 0)) refused++
    expect(t.size).toBe(10_000)
    expect(refused).toBe(990_000)
    expect(t.page('', 0, 10, 0)).toMatchObject({ tracked: 10_000, untracked: 990_000 })
  })

  it('keeps payloads whole up to keepBytes and within the byte budget', () => {
    const t = new TopicTree({ keepBytes: 100, budgetBytes: 250, previewBytes: 10 })
    for (let i = 0; i < 5; i++) t.record(`big/${i}`, new Uint8Array(5 * 1024 * 1024), false, 0)
    const kept = [0, 1, 2, 3, 4].map((i) => t.payload(`big/${i}`)!.payload.byteLength)
    expect(kept).toEqual([100, 100, 10, 10, 10])
    expect(t.payload('big/0')).toMatchObject({ bytes: 5 * 1024 * 1024, truncated: true })
  })

  it('survives topics far too deep for recursion', () => {
    const t = new TopicTree()
    t.record('/'.repeat(50_000), enc('x'), false, 0)
    expect(t.page('', 0, 10, 0).entries[0]).toMatchObject({ topics: 1, messages: 1 })
  })
})
