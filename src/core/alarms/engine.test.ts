import { describe, expect, it } from 'vitest'
import type { AlarmDef, AlarmState } from '../../shared/contract/alarms'
import { AlarmEngine, type AlarmRuntime, type AlarmSpec, fillMessage, snapshot, toAlarm } from './engine'
import { MemoryAlarmStateStore } from './memory-state'

const clockAt = (t = 1_000_000) => {
  const c = { t, now: () => c.t, advance: (ms: number) => (c.t += ms) }
  return c
}

const spec = (def: Partial<AlarmDef> = {}, extra: Partial<AlarmSpec> = {}): AlarmSpec => ({
  key: `a1/Level/${def.id ?? 'hi'}`,
  assetId: 'a1',
  path: 'Plant/T1',
  asset: 'T1',
  attribute: 'Level',
  def: { id: 'hi', type: 'hi', priority: 'high', message: '{asset} {attribute} high: {value} {unit} (limit {limit})', ...def },
  unit: '%',
  decimals: 1,
  limit: 80,
  ...extra,
})

function setup(def: Partial<AlarmDef> = {}, extra: Partial<AlarmSpec> = {}) {
  const clock = clockAt()
  const engine = new AlarmEngine(clock)
  const s = spec(def, extra)
  engine.load([s])
  const r = engine.get(s.key)!
  const value = (v: number | boolean | null, quality: 'good' | 'bad' | 'uncertain' = 'good') => engine.sample(r, { value: v, quality, ts: clock.now() })
  const events = () => engine.drain().entries.map((e) => e.event)
  return { clock, engine, r, key: s.key, value, events }
}

type Action = 'activate' | 'clear' | 'ack' | 'shelve' | 'unshelve' | 'suppress' | 'unsuppress' | 'oos' | 'in'

const act = (t: ReturnType<typeof setup>, a: Action): string | null => {
  const { engine, r, key, value, clock } = t
  switch (a) {
    case 'activate':
      value(90)
      return null
    case 'clear':
      value(50)
      return null
    case 'ack':
      return engine.ack(key, 'desktop session 1', undefined)?.code ?? null
    case 'shelve':
      return engine.shelve(key, 'desktop session 1', 'sensor work', clock.now() + 60_000)?.code ?? null
    case 'unshelve':
      return engine.unshelve(key, 'desktop session 1')?.code ?? null
    case 'suppress':
      engine.setSuppressed(r, true)
      return null
    case 'unsuppress':
      engine.setSuppressed(r, false)
      return null
    case 'oos':
      return engine.service(key, false, 'desktop session 1', 'maintenance')?.code ?? null
    case 'in':
      return engine.service(key, true, 'desktop session 1', undefined)?.code ?? null
  }
}

const reach: Record<AlarmState, Action[]> = {
  normal: [],
  unack: ['activate'],
  ack: ['activate', 'ack'],
  rtn_unack: ['activate', 'clear'],
  shelved: ['shelve'],
  suppressed: ['suppress'],
  out_of_service: ['oos'],
}

// [from, action, to, journal events, refusal code]
const TABLE: [AlarmState, Action, AlarmState, string[], string?][] = [
  ['normal', 'activate', 'unack', ['raise']],
  ['normal', 'clear', 'normal', []],
  ['normal', 'ack', 'normal', [], 'alarms.nothing_to_ack'],
  ['normal', 'shelve', 'shelved', ['shelve']],
  ['normal', 'unshelve', 'normal', [], 'alarms.not_shelved'],
  ['normal', 'suppress', 'suppressed', ['suppress']],
  ['normal', 'unsuppress', 'normal', []],
  ['normal', 'oos', 'out_of_service', ['out_of_service']],
  ['normal', 'in', 'normal', []],
  ['unack', 'activate', 'unack', []],
  ['unack', 'clear', 'rtn_unack', ['clear']],
  ['unack', 'ack', 'ack', ['ack']],
  ['unack', 'shelve', 'shelved', ['shelve']],
  ['unack', 'unshelve', 'unack', [], 'alarms.not_shelved'],
  ['unack', 'suppress', 'suppressed', ['suppress']],
  ['unack', 'unsuppress', 'unack', []],
  ['unack', 'oos', 'out_of_service', ['out_of_service']],
  ['unack', 'in', 'unack', []],
  ['ack', 'activate', 'ack', []],
  ['ack', 'clear', 'normal', ['clear']],
  ['ack', 'ack', 'ack', [], 'alarms.nothing_to_ack'],
  ['ack', 'shelve', 'shelved', ['shelve']],
  ['ack', 'unshelve', 'ack', [], 'alarms.not_shelved'],
  ['ack', 'suppress', 'suppressed', ['suppress']],
  ['ack', 'unsuppress', 'ack', []],
  ['ack', 'oos', 'out_of_service', ['out_of_service']],
  ['ack', 'in', 'ack', []],
  ['rtn_unack', 'activate', 'unack', ['raise']],
  ['rtn_unack', 'clear', 'rtn_unack', []],
  ['rtn_unack', 'ack', 'normal', ['ack']],
  ['rtn_unack', 'shelve', 'shelved', ['shelve']],
  ['rtn_unack', 'unshelve', 'rtn_unack', [], 'alarms.not_shelved'],
  ['rtn_unack', 'suppress', 'suppressed', ['suppress']],
  ['rtn_unack', 'unsuppress', 'rtn_unack', []],
  ['rtn_unack', 'oos', 'out_of_service', ['out_of_service']],
  ['rtn_unack', 'in', 'rtn_unack', []],
  ['shelved', 'activate', 'shelved', []],
  ['shelved', 'clear', 'shelved', []],
  ['shelved', 'ack', 'shelved', [], 'alarms.nothing_to_ack'],
  ['shelved', 'shelve', 'shelved', ['shelve']],
  ['shelved', 'unshelve', 'normal', ['unshelve']],
  ['shelved', 'suppress', 'shelved', ['suppress']],
  ['shelved', 'unsuppress', 'shelved', []],
  ['shelved', 'oos', 'out_of_service', ['out_of_service']],
  ['shelved', 'in', 'shelved', []],
  ['suppressed', 'activate', 'suppressed', []],
  ['suppressed', 'clear', 'suppressed', []],
  ['suppressed', 'ack', 'suppressed', [], 'alarms.nothing_to_ack'],
  ['suppressed', 'shelve', 'shelved', ['shelve']],
  ['suppressed', 'unshelve', 'suppressed', [], 'alarms.not_shelved'],
  ['suppressed', 'suppress', 'suppressed', []],
  ['suppressed', 'unsuppress', 'normal', ['unsuppress']],
  ['suppressed', 'oos', 'out_of_service', ['out_of_service']],
  ['suppressed', 'in', 'suppressed', []],
  ['out_of_service', 'activate', 'out_of_service', []],
  ['out_of_service', 'clear', 'out_of_service', []],
  ['out_of_service', 'ack', 'out_of_service', [], 'alarms.nothing_to_ack'],
  ['out_of_service', 'shelve', 'out_of_service', ['shelve']],
  ['out_of_service', 'unshelve', 'out_of_service', [], 'alarms.not_shelved'],
  ['out_of_service', 'suppress', 'out_of_service', ['suppress']],
  ['out_of_service', 'unsuppress', 'out_of_service', []],
  ['out_of_service', 'oos', 'out_of_service', []],
  ['out_of_service', 'in', 'normal', ['in_service']],
]

describe('alarm state machine (ISA-18.2), every state × every action', () => {
  it('the table covers every state with every action', () => {
    const states = Object.keys(reach) as AlarmState[]
    const actions: Action[] = ['activate', 'clear', 'ack', 'shelve', 'unshelve', 'suppress', 'unsuppress', 'oos', 'in']
    for (const s of states) for (const a of actions) expect(TABLE.some(([f, x]) => f === s && x === a), `${s} × ${a}`).toBe(true)
  })

  it.each(TABLE)('%s, %s → %s %j %s', (from, action, to, events, refusal) => {
    const t = setup()
    for (const a of reach[from]) expect(act(t, a)).toBeNull()
    expect(t.r.state).toBe(from)
    t.events()
    expect(act(t, action)).toBe(refusal ?? null)
    expect(t.r.state).toBe(to)
    expect(t.events()).toEqual(events)
    expect(toAlarm(t.r).state).toBe(to)
  })

  it('a hidden alarm whose condition holds raises a new occurrence when it comes back', () => {
    for (const [hide, show, event] of [['shelve', 'unshelve', 'unshelve'], ['suppress', 'unsuppress', 'unsuppress'], ['oos', 'in', 'in_service']] as const) {
      const t = setup()
      act(t, 'activate')
      expect(t.r.occurrence).toBe(1)
      act(t, hide)
      expect(t.r.active).toBe(true)
      t.events()
      act(t, show)
      expect(t.r.state).toBe('unack')
      expect(t.r.occurrence).toBe(2)
      expect(t.events()).toEqual([event, 'raise'])
    }
  })

  it('a cleared alarm that activates again is a new occurrence; raisedAt moves', () => {
    const t = setup()
    act(t, 'activate')
    const first = t.r.raisedAt
    act(t, 'ack')
    act(t, 'clear')
    t.clock.advance(5000)
    act(t, 'activate')
    expect(t.r.occurrence).toBe(2)
    expect(t.r.raisedAt).toBe(first! + 5000)
    const journal = t.engine.drain().entries
    expect(journal.map((e) => [e.event, e.occurrence, e.state])).toEqual([
      ['raise', 1, 'unack'],
      ['ack', 1, 'ack'],
      ['clear', 1, 'normal'],
      ['raise', 2, 'unack'],
    ])
  })
})

describe('shelving', () => {
  it('expires by itself at the tick after its time, and re-raises if still active', () => {
    const t = setup()
    act(t, 'activate')
    t.engine.shelve(t.key, 'desktop session 1', 'known fault', t.clock.now() + 60_000)
    expect(toAlarm(t.r)).toMatchObject({ state: 'shelved', shelveReason: 'known fault', shelvedUntil: t.clock.now() + 60_000 })
    t.events()
    t.clock.advance(59_999)
    t.engine.tick()
    expect(t.r.state).toBe('shelved')
    t.clock.advance(1)
    t.engine.tick()
    expect(t.r.state).toBe('unack')
    const entries = t.engine.drain().entries
    expect(entries.map((e) => [e.event, e.who])).toEqual([['expire', 'system'], ['raise', 'system']])
    expect(toAlarm(t.r).shelvedUntil).toBeUndefined()
  })
})

describe('evaluators', () => {
  it('hi with deadband: raises at the limit, clears only below limit − deadband', () => {
    const t = setup({ deadband: 2 })
    t.value(79.9)
    expect(t.r.active).toBe(false)
    t.value(80)
    expect(t.r.active).toBe(true)
    t.value(78.5)
    expect(t.r.active).toBe(true)
    t.value(78)
    expect(t.r.active).toBe(false)
    expect(t.events()).toEqual(['raise', 'clear'])
  })

  it('lo and lolo with deadband', () => {
    const t = setup({ id: 'lo', type: 'lo', deadband: 1 }, { limit: 20 })
    t.value(20)
    expect(t.r.active).toBe(true)
    t.value(20.5)
    expect(t.r.active).toBe(true)
    t.value(21)
    expect(t.r.active).toBe(false)
  })

  it('bad quality leaves a limit condition as it was (the quality alarm speaks); the quality alarm raises', () => {
    const t = setup()
    t.value(90)
    t.value(null, 'bad')
    expect(t.r.active).toBe(true)
    const q = setup({ id: 'q', type: 'quality' })
    q.value(5, 'uncertain')
    expect(q.r.active).toBe(false)
    q.value(null, 'bad')
    expect(q.r.active).toBe(true)
    q.value(5, 'good')
    expect(q.r.active).toBe(false)
  })

  it('discrete: the abnormal value, booleans and numbers alike', () => {
    const t = setup({ id: 'trip', type: 'discrete', value: true, message: '{asset} tripped' }, { limit: undefined })
    t.value(false)
    expect(t.r.active).toBe(false)
    t.value(true)
    expect(t.r.active).toBe(true)
    t.value(0)
    expect(t.r.active).toBe(false)
    t.value(1)
    expect(t.r.active).toBe(true)
    const s = setup({ id: 'st', type: 'discrete', value: 3 })
    s.value(3)
    expect(s.r.active).toBe(true)
  })

  it('rate of change, per second between consecutive samples', () => {
    const t = setup({ id: 'roc', type: 'roc', rate: 2 })
    t.value(10)
    t.clock.advance(1000)
    t.value(11.5)
    expect(t.r.active).toBe(false)
    t.clock.advance(1000)
    t.value(14)
    expect(t.r.active).toBe(true)
    t.clock.advance(1000)
    t.value(14.5)
    expect(t.r.active).toBe(false)
  })

  it('deviation from the setpoint attribute', () => {
    const t = setup({ id: 'dev', type: 'deviation', setpoint: 'SP', limit: 5, deadband: 1 })
    t.engine.setpoint(t.r, { value: 50, quality: 'good', ts: t.clock.now() })
    t.value(54)
    expect(t.r.active).toBe(false)
    t.value(56)
    expect(t.r.active).toBe(true)
    t.value(54.5)
    expect(t.r.active).toBe(true)
    t.value(53.9)
    expect(t.r.active).toBe(false)
  })

  it('stale: no sample within 3 × the expected interval', () => {
    const t = setup({ id: 'stale', type: 'stale' }, { expectedIntervalMs: 1000 })
    t.value(5)
    t.clock.advance(3000)
    t.engine.tick()
    expect(t.r.active).toBe(false)
    t.clock.advance(1)
    t.engine.tick()
    expect(t.r.active).toBe(true)
    t.value(6)
    expect(t.r.active).toBe(false)
  })

  it('comm: follows the connection, not samples', () => {
    const t = setup({ id: 'comm', type: 'comm' })
    t.value(99)
    expect(t.r.active).toBe(false)
    t.engine.connection(t.r, true)
    expect(t.r.active).toBe(true)
    t.engine.connection(t.r, false)
    expect(t.r.state).toBe('rtn_unack')
  })
})

describe('delays and chattering', () => {
  it('on-delay: the condition must hold that long; raised at the tick after', () => {
    const t = setup({ onDelayMs: 5000 })
    t.value(90)
    expect(t.r.active).toBe(false)
    t.clock.advance(4999)
    t.engine.tick()
    expect(t.r.active).toBe(false)
    t.clock.advance(1)
    t.engine.tick()
    expect(t.r.active).toBe(true)
    expect(t.events()).toEqual(['raise'])
  })

  it('off-delay: the condition must be gone that long', () => {
    const t = setup({ offDelayMs: 3000 })
    t.value(90)
    t.value(50)
    t.clock.advance(2000)
    t.engine.tick()
    expect(t.r.active).toBe(true)
    t.value(90) // back: the off-delay starts again
    t.value(50)
    t.clock.advance(2999)
    t.engine.tick()
    expect(t.r.active).toBe(true)
    t.clock.advance(1)
    t.engine.tick()
    expect(t.r.active).toBe(false)
    expect(t.events()).toEqual(['raise', 'clear'])
  })

  it('a chattering input under an on-delay never raises; without one every crossing is an occurrence', () => {
    const delayed = setup({ onDelayMs: 2000 })
    const plain = setup()
    for (let i = 0; i < 20; i++) {
      for (const t of [delayed, plain]) t.value(i % 2 === 0 ? 90 : 50)
      delayed.clock.advance(500)
      plain.clock.advance(500)
      delayed.engine.tick()
    }
    expect(delayed.events()).toEqual([])
    expect(plain.r.occurrence).toBe(10)
    expect(plain.events().filter((e) => e === 'raise')).toHaveLength(10)
  })
})

describe('latching', () => {
  it('a latched alarm stays unack after its condition clears, until acknowledged', () => {
    const t = setup({ latch: true })
    t.value(90)
    t.value(50)
    expect(toAlarm(t.r)).toMatchObject({ state: 'unack', active: false })
    expect(t.engine.ack(t.key, 'desktop session 1', undefined)).toBeNull()
    expect(t.r.state).toBe('normal')
  })

  it('acknowledged while active, it waits for a reset (a second ack) once clear', () => {
    const t = setup({ latch: true })
    t.value(90)
    t.engine.ack(t.key, 'desktop session 1', undefined)
    t.value(50)
    expect(toAlarm(t.r)).toMatchObject({ state: 'ack', active: false })
    expect(t.engine.ack(t.key, 'desktop session 1', undefined)).toBeNull()
    expect(t.r.state).toBe('normal')
  })
})

describe('acknowledge with a note', () => {
  it('a definition that needs a note refuses an ack without one', () => {
    const t = setup({ ackNote: true })
    t.value(90)
    expect(t.engine.ack(t.key, 'desktop session 1', '  ')?.code).toBe('alarms.note_required')
    expect(t.r.state).toBe('unack')
    expect(t.engine.ack(t.key, 'desktop session 1', 'checked on site')).toBeNull()
    const ack = t.engine.drain().entries.find((e) => e.event === 'ack')!
    expect(ack).toMatchObject({ who: 'desktop session 1', note: 'checked on site', state: 'ack' })
  })

  it('an unknown key is refused', () => {
    const t = setup()
    expect(t.engine.ack('nope', 'x', undefined)?.code).toBe('alarms.unknown')
  })
})

describe('messages and reload', () => {
  it('fills value, unit, limit, asset and attribute with the attribute decimals', () => {
    const t = setup()
    t.value(91.234)
    expect(t.r.message).toBe('T1 Level high: 91.2 % (limit 80.0)')
    expect(fillMessage(spec({ message: '{value} {nope}' }, { decimals: 0 }), 3.6)).toBe('4 {nope}')
    expect(fillMessage(spec({ message: 'pump {value}', type: 'discrete' }, { enumeration: { '0': 'Stopped', '1': 'Running' } }), true)).toBe('pump Running')
  })

  it('load keeps the state of keys that stay and drops those that go', () => {
    const t = setup()
    t.value(90)
    const other = spec({ id: 'hihi', type: 'hihi' }, { limit: 95 })
    t.engine.load([{ ...t.r.spec, limit: 85 }, other])
    const kept: AlarmRuntime = t.engine.get(t.key)!
    expect(kept).toBe(t.r)
    expect(kept.state).toBe('unack')
    expect(kept.spec.limit).toBe(85)
    expect(t.engine.get(other.key)!.state).toBe('normal')
    t.engine.load([other])
    expect(t.engine.get(t.key)).toBeUndefined()
    expect(t.engine.size).toBe(1)
  })
})

describe('state kept across a restart (seed before load)', () => {
  /** A new engine on the same clock, seeded from what the old one would have saved (through the memory store). */
  function restart(t: ReturnType<typeof setup>, specs: AlarmSpec[] = [t.r.spec]) {
    const kept = new MemoryAlarmStateStore()
    kept.save([...t.engine.all()].map(snapshot), [])
    const engine = new AlarmEngine(t.clock)
    engine.seed(kept.load())
    const { removed } = engine.load(specs)
    const r = engine.get(t.key)!
    const value = (v: number) => engine.sample(r, { value: v, quality: 'good', ts: t.clock.now() })
    return { engine, r, removed, value, events: () => engine.drain().entries.map((e) => [e.event, e.state, e.occurrence]) }
  }

  const cases: [string, Action[], Partial<AlarmDef>][] = [
    ['normal', [], {}],
    ['unack', ['activate'], {}],
    ['ack', ['activate', 'ack'], {}],
    ['rtn_unack', ['activate', 'clear'], {}],
    ['shelved', ['activate', 'shelve'], {}],
    ['suppressed', ['suppress'], {}],
    ['out_of_service', ['activate', 'oos'], {}],
    ['unack', ['activate', 'clear'], { latch: true }], // latched, condition gone
    ['ack', ['activate', 'ack', 'clear'], { latch: true }], // latched, waiting for the reset
  ]
  for (const [state, path, def] of cases) {
    it(`${path.join(' → ') || 'nothing'}${def.latch ? ' (latched)' : ''}: ${state} again after the restart, same occurrence, nothing journaled`, () => {
      const t = setup(def)
      for (const a of path) expect(act(t, a)).toBeNull()
      t.engine.drain()
      const before = toAlarm(t.r)
      expect(before.state).toBe(state)
      const n = restart(t)
      expect(toAlarm(n.r)).toEqual(before)
      expect(n.r.restored).toBe(true)
      expect(n.events()).toEqual([])
    })
  }

  it('an alarm active before the restart stays the same occurrence while its value is beyond the limit (and inside the deadband), and clears once back', () => {
    const t = setup({ deadband: 2 })
    t.value(91)
    t.engine.ack(t.key, 'op', undefined)
    t.clock.advance(60_000)
    const n = restart(t)
    n.value(90)
    n.value(79) // inside the deadband: still active
    expect(n.events()).toEqual([])
    expect(toAlarm(n.r)).toMatchObject({ state: 'ack', active: true, occurrence: 1 })
    n.value(70)
    expect(n.events()).toEqual([['clear', 'normal', 1]])
    n.value(85)
    expect(n.events()).toEqual([['raise', 'unack', 2]])
  })

  it('an unacknowledged alarm whose value came back meanwhile returns unacknowledged at the first sample', () => {
    const t = setup()
    t.value(90)
    const n = restart(t)
    n.value(10)
    expect(n.events()).toEqual([['clear', 'rtn_unack', 1]])
    expect(n.engine.ack(t.key, 'op', undefined)).toBeNull()
    expect(n.r.state).toBe('normal')
  })

  it('a shelve that expired while stopped returns by itself at the first tick (raising anew if the condition holds)', () => {
    const t = setup()
    t.value(90)
    t.engine.shelve(t.key, 'op', 'sensor work', t.clock.now() + 60_000)
    t.engine.drain()
    t.clock.advance(120_000) // stopped past the expiry
    const n = restart(t)
    expect(n.r.state).toBe('shelved')
    expect(n.r.shelveReason).toBe('sensor work')
    n.engine.tick()
    expect(n.events()).toEqual([['expire', 'unack', 2], ['raise', 'unack', 2]])
    expect(n.r.shelvedUntil).toBeUndefined()
  })

  it('a stale alarm active before the restart stays active until a sample comes', () => {
    const t = setup({ type: 'stale', id: 'stale' }, { expectedIntervalMs: 1000 })
    t.clock.advance(5000)
    t.engine.tick()
    expect(t.r.state).toBe('unack')
    const n = restart(t)
    n.engine.tick()
    expect(n.events()).toEqual([])
    expect(n.r.active).toBe(true)
    n.value(1)
    n.engine.tick()
    expect(n.events()).toEqual([['clear', 'rtn_unack', 1]])
  })

  it('a kept state whose definition is gone is reported removed; a changed definition recomputes the state (latch dropped)', () => {
    const t = setup({ latch: true })
    t.value(90)
    t.value(10) // latched: unack, condition gone
    expect(t.r.state).toBe('unack')
    const other = spec({ id: 'lo', type: 'lo' }, { limit: 5 })
    const n = restart(t, [other])
    expect(n.removed).toEqual([t.key])
    expect(n.engine.get(t.key)).toBeUndefined()
    const m = restart(t, [{ ...t.r.spec, def: { ...t.r.spec.def, latch: false } }])
    expect(m.r.state).toBe('rtn_unack')
  })
})
