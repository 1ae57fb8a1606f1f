import { describe, expect, it } from 'vitest'
import type { Asset, AssetAttribute } from '../../shared/contract/asset-model'
import type { EventPayload, PathCondition } from '../../shared/contract'
import type { ConnectionHealth, ConnectionState, Quality, Sample } from '../../shared/model'
import type { AssetStore } from '../ports/asset-store'
import { silentLogger } from '../ports/logger'
import { LiveValues } from '../signals/live-values'
import { ConditionTracker, judgeCondition, staleAfterMs } from './condition-tracker'
import type { CallContext } from '../../shared/rpc/server'
import { testPrincipal, testSession } from '../testing/call-context'

// The tracker with a fake clock, a fake model (only `subtree` is read) and real live values. Bindings name their
// signal directly (`signal`); `m` is an MQTT connection (periodic), `ua` an OPC UA one (reports by exception).

/** The tracker's own handler, called directly (a unit test: the RPC server's access checks are not under test here). */
const session = testSession(1)
const ctx: CallContext = { session, principal: testPrincipal('viewer') }

type Attr = Partial<AssetAttribute> & { name: string; signal?: string; conn?: string }
interface Node {
  id: string
  name: string
  parent: string | null
  attrs?: Attr[]
}

function harness(initial: Node[], o: { health?: ConnectionHealth } = {}) {
  let nodes = initial
  const clock = { t: 1_000_000, now: () => clock.t }
  const live = new LiveValues()
  const events: EventPayload<'conditions.changed'>[] = []
  const resolvable = new Set<string>()
  const states = new Map<string, ConnectionState>()
  const state = (id: string, health: ConnectionHealth, code?: string): ConnectionState => ({ id, kind: id === 'm' ? 'mqtt' : 'opcua', name: id, target: 'x', health, since: clock.t, ...(code ? { code } : {}) }) as ConnectionState
  states.set('m', state('m', o.health ?? 'connected'))
  states.set('ua', state('ua', o.health ?? 'connected'))
  const assets = (): Asset[] => {
    const byId = new Map(nodes.map((n) => [n.id, n]))
    const pathOf = (n: Node): string => (n.parent ? `${pathOf(byId.get(n.parent)!)}/${n.name}` : n.name)
    const depth = (n: Node): number => (n.parent ? 1 + depth(byId.get(n.parent)!) : 0)
    return [...nodes]
      .sort((a, b) => depth(a) - depth(b))
      .map((n) => ({
        id: n.id,
        parent: n.parent,
        name: n.name,
        path: pathOf(n),
        kind: 'x',
        description: '',
        templateId: null,
        references: [],
        attributes: (n.attrs ?? []).map(({ signal, conn, ...a }) => ({ dataType: 'number', ...a, ...(signal ? { binding: { kind: conn === 'ua' ? 'opcua' : conn === 'model' ? 'calculated' : 'mqtt', connection: conn ?? 'm', signal } } : {}) }) as AssetAttribute),
      })) as unknown as Asset[]
  }
  const store = { subtree: () => assets() } as unknown as AssetStore
  const tracker = new ConditionTracker({
    store,
    signalFor: (_id, at) => {
      const s = at.binding?.['signal'] as string | undefined
      return s !== undefined && (!s.startsWith('late/') || resolvable.has(s)) ? s : undefined
    },
    live,
    connections: () => [...states.values()],
    reportsByException: (kind) => kind === 'opcua',
    broadcast: (p) => events.push(p),
    clock,
    log: silentLogger,
  })
  tracker.start()
  tracker.stop() // the test drives tick and flush itself
  const sample = (signal: string, quality: Quality = 'good', value = 1) => {
    const s: Sample = { signal, ts: clock.t, value, quality }
    live.ingest([s])
    tracker.onSamples([s])
  }
  const advance = (ms: number) => {
    // a tick each second, as the real timer would
    for (let left = ms; left > 0; left -= Math.min(1000, left)) {
      clock.t += Math.min(1000, left)
      tracker.tick()
    }
  }
  const connection = (id: string, health: ConnectionHealth, code?: string) => {
    const st = state(id, health, code)
    states.set(id, st)
    tracker.onConnection(st)
  }
  /** What the last flush pushed, by path. */
  const pushed = (): Record<string, PathCondition['condition']> => {
    const before = events.length
    tracker.flush()
    return Object.fromEntries(events.slice(before).flatMap((e) => e.items.map((i) => [i.path, i.condition])))
  }
  const cond = (path: string) => tracker.path(path).condition
  return {
    tracker,
    clock,
    events,
    sample,
    advance,
    connection,
    pushed,
    cond,
    resolvable,
    setModel: (n: Node[]) => void (nodes = n),
  }
}

const PLANT: Node[] = [
  { id: 'p', name: 'Plant', parent: null },
  { id: 'l1', name: 'Line 1', parent: 'p' },
  { id: 'l2', name: 'Line 2', parent: 'p' },
  { id: 't1', name: 'Tank 1', parent: 'l1', attrs: [{ name: 'Level', signal: 'm/level1' }, { name: 'Temp', signal: 'm/temp1' }] },
  { id: 't2', name: 'Tank 2', parent: 'l1', attrs: [{ name: 'Level', signal: 'ua/level2', conn: 'ua' }, { name: 'Max', binding: { kind: 'constant', value: 100 } }] },
  { id: 'pu', name: 'Pump', parent: 'l2', attrs: [{ name: 'Speed', signal: 'ua/speed', conn: 'ua', expectedIntervalMs: 2000 }] },
]

describe('the condition rules', () => {
  it('judges bad first, then a lost connection, no value, age, and the quality', () => {
    expect(judgeCondition({ quality: 'bad' }, true, true)).toBe('bad')
    expect(judgeCondition({ quality: 'good' }, true, false)).toBe('stale')
    expect(judgeCondition(undefined, true, false)).toBe('stale')
    expect(judgeCondition(undefined, false, true)).toBe('nodata')
    expect(judgeCondition({ quality: 'uncertain' }, false, true)).toBe('stale')
    expect(judgeCondition({ quality: 'uncertain' }, false, false)).toBe('uncertain')
    expect(judgeCondition({ quality: 'good' }, false, false)).toBe('good')
  })

  it('is stale after 3 × the expected interval; else periodic sources after 3 × the learnt interval, at least 10 s; report-by-exception never by age', () => {
    expect(staleAfterMs(2000, false, undefined)).toBe(6000)
    expect(staleAfterMs(2000, true, 60_000)).toBe(6000)
    expect(staleAfterMs(undefined, true, undefined)).toBe(10_000)
    expect(staleAfterMs(undefined, true, 1000)).toBe(10_000)
    expect(staleAfterMs(undefined, true, 5000)).toBe(15_000)
    expect(staleAfterMs(undefined, false, 1000)).toBe(Number.POSITIVE_INFINITY)
  })
})

describe('ConditionTracker', () => {
  it('starts with no data, and every ancestor takes the worst of its subtree', () => {
    const h = harness(PLANT)
    expect(h.cond('Plant/Line 1/Tank 1')).toBe('nodata')
    expect(h.cond('Plant')).toBe('nodata')
    expect(h.tracker.path('Plant').counts).toEqual({ good: 0, uncertain: 0, nodata: 4, stale: 0, bad: 0 }) // the constant carries no signal
    for (const s of ['m/level1', 'm/temp1', 'ua/level2', 'ua/speed']) h.sample(s)
    expect(h.cond('Plant')).toBe('good')
    h.sample('m/temp1', 'uncertain')
    expect([h.cond('Plant/Line 1/Tank 1'), h.cond('Plant/Line 1'), h.cond('Plant'), h.cond('Plant/Line 2'), h.cond('Plant/Line 1/Tank 2')]).toEqual(['uncertain', 'uncertain', 'uncertain', 'good', 'good'])
    h.sample('ua/level2', 'bad')
    expect([h.cond('Plant/Line 1/Tank 2'), h.cond('Plant/Line 1'), h.cond('Plant'), h.cond('Plant/Line 1/Tank 1')]).toEqual(['bad', 'bad', 'bad', 'uncertain'])
    expect(h.tracker.path('Plant/Line 1').counts).toEqual({ good: 1, uncertain: 1, nodata: 0, stale: 0, bad: 1 })
    h.sample('ua/level2', 'good')
    expect(h.cond('Plant/Line 1')).toBe('uncertain') // the worst steps back down to what is left
    expect(h.tracker.attribute('t2', 'Level')).toBe('good')
    expect(h.tracker.attribute('t2', 'Max')).toBeUndefined()
  })

  it('marks a periodic source stale after 10 s of silence, or 3 × its learnt interval; a report-by-exception source stays good', () => {
    const h = harness(PLANT)
    for (const s of ['m/level1', 'm/temp1', 'ua/level2', 'ua/speed']) h.sample(s)
    h.advance(9000)
    expect(h.tracker.attribute('t1', 'Level')).toBe('good')
    h.advance(2000)
    expect(h.tracker.attribute('t1', 'Level')).toBe('stale')
    expect(h.cond('Plant/Line 1')).toBe('stale')
    expect(h.tracker.attribute('t2', 'Level')).toBe('good') // OPC UA: silence is not staleness while connected
    h.sample('m/level1')
    h.sample('m/temp1')
    expect(h.cond('Plant/Line 1')).toBe('good')
    // Level learns a 6 s cadence: stale only after 3 × that
    for (let i = 0; i < 8; i++) {
      h.advance(6000)
      h.sample('m/level1')
      h.sample('m/temp1')
    }
    h.advance(12_000)
    expect(h.tracker.attribute('t1', 'Level')).toBe('good')
    h.advance(7000)
    expect(h.tracker.attribute('t1', 'Level')).toBe('stale')
  })

  it('marks an attribute with an expected interval stale after 3 × it, whatever its source', () => {
    const h = harness(PLANT)
    h.sample('ua/speed')
    h.advance(5000)
    h.sample('ua/speed')
    h.advance(6000)
    expect(h.tracker.attribute('pu', 'Speed')).toBe('good')
    h.advance(1000)
    expect(h.tracker.attribute('pu', 'Speed')).toBe('stale')
    expect([h.cond('Plant/Line 2/Pump'), h.cond('Plant/Line 2')]).toEqual(['stale', 'stale'])
    h.sample('ua/speed')
    expect(h.cond('Plant/Line 2')).toBe('good')
  })

  it('marks the attributes of a lost connection and their ancestors stale, and clears them when it is back', () => {
    const h = harness(PLANT)
    for (const s of ['m/level1', 'm/temp1', 'ua/level2', 'ua/speed']) h.sample(s)
    h.pushed()
    h.connection('ua', 'connecting') // trying again after having been connected: lost
    expect(h.tracker.attribute('t2', 'Level')).toBe('stale')
    expect(h.tracker.attribute('pu', 'Speed')).toBe('stale')
    expect(h.tracker.attribute('t1', 'Level')).toBe('good')
    expect(h.pushed()).toEqual({ 'Plant/Line 1/Tank 2': 'stale', 'Plant/Line 1': 'stale', 'Plant/Line 2/Pump': 'stale', 'Plant/Line 2': 'stale', Plant: 'stale' })
    h.connection('ua', 'error')
    expect(h.pushed()).toEqual({}) // still lost: nothing new to tell
    h.connection('ua', 'connected')
    expect(h.cond('Plant')).toBe('good')
    expect(h.pushed()).toEqual({ 'Plant/Line 1/Tank 2': 'good', 'Plant/Line 1': 'good', 'Plant/Line 2/Pump': 'good', 'Plant/Line 2': 'good', Plant: 'good' })
    h.connection('m', 'stopped')
    expect(h.cond('Plant/Line 1/Tank 1')).toBe('stale')
  })

  it('does not count a first connect as lost, unless it fails with a reason', () => {
    const h = harness(PLANT)
    h.connection('m', 'connecting')
    // a fresh tracker that never saw `m` connected
    const fresh = harness(PLANT, { health: 'connecting' })
    expect(fresh.tracker.attribute('t1', 'Level')).toBe('nodata')
    fresh.connection('m', 'connecting', 'mqtt.unreachable')
    expect(fresh.tracker.attribute('t1', 'Level')).toBe('stale')
    expect(h.tracker.attribute('t1', 'Level')).toBe('stale') // `m` was connected before
  })

  it('pushes only paths whose condition changed since the last flush, in one event', () => {
    const h = harness(PLANT)
    for (const s of ['m/level1', 'm/temp1', 'ua/level2', 'ua/speed']) h.sample(s)
    const first = h.events.length
    h.pushed()
    expect(h.events.length).toBe(first) // everything is good: sessions assume good
    h.sample('m/level1', 'bad')
    h.sample('m/level1', 'good') // back within the same flush: nothing to tell
    expect(h.pushed()).toEqual({})
    h.sample('m/level1', 'bad')
    h.sample('ua/level2', 'bad')
    const n = h.events.length
    expect(h.pushed()).toEqual({ 'Plant/Line 1/Tank 1': 'bad', 'Plant/Line 1/Tank 2': 'bad', 'Plant/Line 1': 'bad', Plant: 'bad' })
    expect(h.events.length).toBe(n + 1)
    expect(h.events.at(-1)!.items.find((i) => i.path === 'Plant')!.counts).toMatchObject({ bad: 2, good: 2 })
    h.sample('m/level1', 'good')
    expect(h.pushed()).toEqual({ 'Plant/Line 1/Tank 1': 'good' }) // Line 1 and Plant are still bad (Tank 2)
  })

  it('answers conditions.get: the asked paths (unknown: good, no counts), or every path not good', async () => {
    const h = harness(PLANT)
    for (const s of ['m/level1', 'm/temp1', 'ua/level2', 'ua/speed']) h.sample(s)
    h.sample('ua/speed', 'bad')
    const get = h.tracker.handlers()['conditions.get']
    expect((await get({}, ctx)).items.map((i) => i.path).sort()).toEqual(['Plant', 'Plant/Line 2', 'Plant/Line 2/Pump'])
    expect((await get({ paths: ['Plant/Line 1', 'Nowhere'] }, ctx)).items).toEqual([
      { path: 'Plant/Line 1', condition: 'good', counts: { good: 3, uncertain: 0, nodata: 0, stale: 0, bad: 0 } },
      { path: 'Nowhere', condition: 'good', counts: { good: 0, uncertain: 0, nodata: 0, stale: 0, bad: 0 } },
    ])
  })

  it('follows a move and a rename on model.changed: the old paths are told good, the new ones their condition; arrivals are kept', async () => {
    const h = harness(PLANT)
    for (const s of ['m/level1', 'm/temp1', 'ua/level2', 'ua/speed']) h.sample(s)
    h.sample('m/level1', 'bad')
    h.pushed()
    expect(h.cond('Plant/Line 1')).toBe('bad')
    h.advance(8000)
    h.sample('ua/speed') // the pump's expected 2 s cadence
    h.pushed()
    // Tank 1 moves to Line 2 and is renamed
    h.setModel(PLANT.map((n) => (n.id === 't1' ? { ...n, parent: 'l2', name: 'Tank 1A' } : n)))
    await h.tracker.changed()
    expect(h.cond('Plant/Line 2/Tank 1A')).toBe('bad')
    expect(h.cond('Plant/Line 1/Tank 1')).toBe('good')
    expect(h.cond('Plant/Line 1')).toBe('good')
    expect(h.pushed()).toEqual({ 'Plant/Line 1/Tank 1': 'good', 'Plant/Line 1': 'good', 'Plant/Line 2/Tank 1A': 'bad', 'Plant/Line 2': 'bad' })
    // Temp's last arrival (8 s ago) survived the rebuild: stale 2 s on, not 10 s after the rebuild
    h.advance(3000)
    expect(h.tracker.attribute('t1', 'Temp')).toBe('stale')
  })

  it('tracks an attribute whose signal was not collected yet once it is (retried every 5 s)', () => {
    const h = harness([...PLANT, { id: 'n', name: 'New', parent: 'l2', attrs: [{ name: 'Flow', signal: 'late/flow', conn: 'ua' }] }])
    expect(h.tracker.attribute('n', 'Flow')).toBeUndefined()
    expect(h.tracker.path('Plant/Line 2/New').counts.nodata).toBe(0)
    h.resolvable.add('late/flow')
    h.advance(5000)
    expect(h.tracker.attribute('n', 'Flow')).toBe('nodata')
    expect(h.cond('Plant/Line 2')).toBe('nodata')
    h.sample('late/flow', 'bad')
    expect(h.cond('Plant/Line 2')).toBe('bad')
  })
})
