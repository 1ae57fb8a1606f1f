import type { Alarm, AlarmDef, AlarmState } from '../../shared/contract/alarms'
import type { Quality, SampleValue } from '../../shared/model/sample'
import type { AlarmStateRecord, JournalRecord } from './ports'

/**
 * The alarm engine: pure (time comes from the clock passed in, nothing else is read), one runtime per alarm (a
 * definition on one asset's attribute). Evaluators turn inputs (samples, setpoints, connection state, the clock) into
 * a raw condition; on/off delays filter it into the alarm's `active`; the ISA-18.2 state follows from `active`,
 * acknowledgement, shelving, suppression by design and out of service. Every transition is a journal record, every
 * changed alarm is marked; the caller drains both (`drain`), so a storm is batched by whoever drains.
 *
 * State rules (docs/alarms.md):
 * - a rising edge of `active` is a new occurrence (`raise`, unacknowledged), also after `rtn_unack`;
 * - a falling edge: `ack` → normal, `unack` → `rtn_unack` (latching: stays `unack` until acknowledged);
 * - acknowledging: `unack` → `ack`, `rtn_unack` → normal, a latched alarm whose condition is gone → normal;
 * - out of service > shelved > suppressed hide the alarm: conditions are still followed underneath, no raise or clear
 *   is journaled, and when the alarm comes back an active condition raises a new occurrence, else it is normal.
 */

export interface AlarmSpec {
  /** `<asset id>/<attribute>/<definition id>`. */
  key: string
  assetId: string
  path: string
  /** The asset's name, for `{asset}`. */
  asset: string
  attribute: string
  def: AlarmDef
  unit?: string | undefined
  decimals?: number | undefined
  enumeration?: Readonly<Record<string, string>> | undefined
  /** The limit in force: the definition's `limit`, else the attribute's limit of that type. */
  limit?: number | undefined
  /** `stale`: the attribute's expected update interval. */
  expectedIntervalMs?: number | undefined
}

export interface Input {
  value: SampleValue
  quality: Quality
  ts: number
}

export type Refusal = { code: 'alarms.unknown' | 'alarms.note_required' | 'alarms.not_shelved' | 'alarms.nothing_to_ack'; reason: string }

/** How long a stale alarm waits: the expected interval times this. */
export const STALE_FACTOR = 3

/** `AlarmRuntime.fast`: how the per-sample fast path judges a sample (set from the spec). */
const SLOW = 0
const HIGH = 1
const LOW = 2

/** One alarm's runtime state. Fields are the engine's; read them through `toAlarm`. */
export class AlarmRuntime {
  /**
   * The hot fields of a limit alarm, copied from its spec so a sample is judged without reaching into the spec and
   * its definition (50,000 alarms: each such hop is a cache miss): the kind (SLOW for every other type), the value
   * that raises (`on`: the limit) and the value an active alarm must pass to clear (`off`: the limit ∓ deadband).
   */
  fast = SLOW
  on = 0
  off = 0
  private _spec!: AlarmSpec

  get spec(): AlarmSpec {
    return this._spec
  }

  set spec(spec: AlarmSpec) {
    this._spec = spec
    const t = spec.def.type
    const db = spec.def.deadband ?? 0
    const limit = spec.limit
    this.fast = limit === undefined ? SLOW : t === 'hi' || t === 'hihi' ? HIGH : t === 'lo' || t === 'lolo' ? LOW : SLOW
    this.on = limit ?? 0
    this.off = this.fast === HIGH ? this.on - db : this.on + db
  }

  /** The evaluator's condition, before delays. */
  raw = false
  /** Since when `raw` differs from `active` (delay pending), else null. */
  pendingSince: number | null = null
  active = false
  /** The current occurrence is acknowledged (true while there is nothing to acknowledge). */
  acked = true
  /** A latched alarm's condition is gone and it waits for an acknowledgement to reset. */
  latchedClear = false
  shelvedUntil: number | undefined
  shelveReason: string | undefined
  suppressed = false
  outOfService = false
  occurrence = 0
  raisedAt: number | null = null
  changedAt: number
  state: AlarmState = 'normal'
  value: SampleValue | undefined
  message: string
  /** roc: the previous good sample. */
  prev: { v: number; ts: number } | undefined
  /** stale: when a sample last came (or when the alarm was built). */
  lastUpdate: number
  /** deviation: the setpoint's current value. */
  setpoint: number | undefined
  /** Built from a state kept across a restart (not from normal). */
  restored = false

  constructor(spec: AlarmSpec, now: number) {
    this.spec = spec
    this.changedAt = now
    this.lastUpdate = now
    this.message = fillMessage(spec, undefined)
  }
}

export class AlarmEngine {
  private readonly alarms = new Map<string, AlarmRuntime>()
  private entries: JournalRecord[] = []
  private changed = new Set<AlarmRuntime>()
  private seeded = new Map<string, AlarmStateRecord>()

  constructor(private readonly clock: { now(): number }) {}

  /**
   * Sets the alarms to exactly `specs`: a key that stays keeps its state (its definition may change), a new key
   * starts normal, a key that is gone is dropped (without a journal entry: its definition no longer exists).
   */
  load(specs: readonly AlarmSpec[]): { removed: string[] } {
    const now = this.clock.now()
    const seen = new Set<string>()
    for (const spec of specs) {
      seen.add(spec.key)
      const r = this.alarms.get(spec.key)
      if (r) r.spec = spec
      else {
        const fresh = new AlarmRuntime(spec, now)
        const kept = this.seeded.get(spec.key)
        if (kept) {
          restore(fresh, kept, now)
          fresh.state = this.stateOf(fresh) // the definition may have changed meanwhile (latch, say)
        }
        this.alarms.set(spec.key, fresh)
      }
    }
    const removed: string[] = []
    for (const k of [...this.alarms.keys()]) if (!seen.has(k)) (this.alarms.delete(k), removed.push(k))
    // states kept for keys the model no longer has: gone with their definitions
    for (const k of this.seeded.keys()) if (!seen.has(k)) removed.push(k)
    this.seeded.clear()
    return { removed }
  }

  /**
   * States kept across a restart, taken by the next `load` for the alarms it builds (call before it, so before any
   * sample is judged). A restored alarm keeps its occurrence, acknowledgement, latching, shelving (an expired shelve
   * returns at the next tick) and out of service; its condition starts as it was, so an alarm still beyond its limit
   * at the first sample stays the same occurrence and one back inside clears.
   */
  seed(states: readonly AlarmStateRecord[]): void {
    this.seeded = new Map(states.map((s) => [s.key, s]))
  }

  get(key: string): AlarmRuntime | undefined {
    return this.alarms.get(key)
  }

  all(): IterableIterator<AlarmRuntime> {
    return this.alarms.values()
  }

  get size(): number {
    return this.alarms.size
  }

  /** A sample of the alarm's attribute (every type but `comm` reads them; `stale` only their arrival). */
  sample(r: AlarmRuntime, s: Input): void {
    const fast = r.fast
    if (fast !== SLOW) {
      // hi/hihi/lo/lolo with a limit: judged from the runtime's own fields; nothing else happens unless the condition changes
      r.value = s.value
      const x = s.value
      if (s.quality === 'bad') return
      const v = typeof x === 'number' ? (Number.isFinite(x) ? x : undefined) : typeof x === 'boolean' ? (x ? 1 : 0) : undefined
      if (v === undefined) return
      const raw = fast === HIGH ? (r.raw ? v > r.off : v >= r.on) : r.raw ? v < r.off : v <= r.on
      if (raw !== r.raw) this.setRaw(r, raw)
      return
    }
    const t = r.spec.def.type
    if (t === 'stale') r.lastUpdate = this.clock.now()
    if (t !== 'comm') r.value = s.value
    let raw = r.raw
    switch (t) {
      case 'hi':
      case 'hihi':
      case 'lo':
      case 'lolo': {
        const v = numberOf(s)
        const limit = r.spec.limit
        if (v === undefined || limit === undefined) break
        const db = r.spec.def.deadband ?? 0
        raw = t === 'hi' || t === 'hihi' ? (r.raw ? v > limit - db : v >= limit) : r.raw ? v < limit + db : v <= limit
        break
      }
      case 'deviation': {
        const v = numberOf(s)
        const limit = r.spec.def.limit
        if (v === undefined || r.setpoint === undefined || limit === undefined) break
        const d = Math.abs(v - r.setpoint)
        raw = r.raw ? d > limit - (r.spec.def.deadband ?? 0) : d > limit
        break
      }
      case 'roc': {
        const v = numberOf(s)
        if (v === undefined) break
        const prev = r.prev
        r.prev = { v, ts: s.ts }
        if (!prev || s.ts <= prev.ts) break
        const rate = Math.abs(v - prev.v) / ((s.ts - prev.ts) / 1000)
        raw = r.raw ? rate > r.spec.def.rate! - (r.spec.def.deadband ?? 0) : rate > r.spec.def.rate!
        break
      }
      case 'discrete':
        if (s.quality === 'bad' || s.value === null) break
        raw = sameValue(s.value, r.spec.def.value)
        break
      case 'quality':
        raw = s.quality === 'bad'
        break
      case 'stale':
        raw = false
        break
      case 'comm':
        return
    }
    this.setRaw(r, raw)
  }

  /** `deviation`: the setpoint attribute's value changed; the condition is judged again at the next sample. */
  setpoint(r: AlarmRuntime, s: Input): void {
    const v = numberOf(s)
    r.setpoint = v
  }

  /** `comm`: the attribute's connection is lost (true) or back. */
  connection(r: AlarmRuntime, lost: boolean): void {
    if (r.spec.def.type === 'comm') this.setRaw(r, lost)
  }

  /** Suppressed by design (the definition's `suppressWhen` is true) or not. */
  setSuppressed(r: AlarmRuntime, on: boolean, who = 'system'): void {
    if (r.suppressed === on) return
    r.suppressed = on
    this.hiddenChange(r, on ? 'suppress' : 'unsuppress', who, undefined)
  }

  /** Delays, stale conditions and shelve expiry: call about once a second. */
  tick(): void {
    const now = this.clock.now()
    for (const r of this.alarms.values()) {
      if (r.shelvedUntil !== undefined && now >= r.shelvedUntil) this.unshelveOne(r, 'expire', 'system')
      if (r.spec.def.type === 'stale' && r.spec.expectedIntervalMs !== undefined) {
        const raw = now - r.lastUpdate > r.spec.expectedIntervalMs * STALE_FACTOR
        if (raw !== r.raw) this.setRaw(r, raw)
      }
      if (r.pendingSince !== null) this.settle(r, now)
    }
  }

  ack(key: string, who: string, note: string | undefined): Refusal | null {
    const r = this.alarms.get(key)
    if (!r) return unknown(key)
    if (r.spec.def.ackNote && !note?.trim()) return { code: 'alarms.note_required', reason: 'this alarm needs a note to be acknowledged' }
    if (r.acked && !r.latchedClear) return { code: 'alarms.nothing_to_ack', reason: `the alarm is ${r.state}: nothing to acknowledge` }
    r.acked = true
    r.latchedClear = false
    this.transition(r, 'ack', who, note)
    return null
  }

  shelve(key: string, who: string, reason: string, until: number): Refusal | null {
    const r = this.alarms.get(key)
    if (!r) return unknown(key)
    r.shelvedUntil = until
    r.shelveReason = reason
    this.hiddenChange(r, 'shelve', who, reason)
    return null
  }

  unshelve(key: string, who: string): Refusal | null {
    const r = this.alarms.get(key)
    if (!r) return unknown(key)
    if (r.shelvedUntil === undefined) return { code: 'alarms.not_shelved', reason: 'the alarm is not shelved' }
    this.unshelveOne(r, 'unshelve', who)
    return null
  }

  service(key: string, inService: boolean, who: string, reason: string | undefined): Refusal | null {
    const r = this.alarms.get(key)
    if (!r) return unknown(key)
    if (r.outOfService === !inService) return null
    r.outOfService = !inService
    this.hiddenChange(r, inService ? 'in_service' : 'out_of_service', who, reason)
    return null
  }

  /** What happened since the last drain: journal records in order, and the alarms that changed. */
  drain(): { entries: JournalRecord[]; changed: AlarmRuntime[] } {
    const out = { entries: this.entries, changed: [...this.changed] }
    this.entries = []
    this.changed = new Set()
    return out
  }

  /** Records waiting for `drain`. */
  get pending(): number {
    return this.entries.length
  }

  // --- internals ---

  private setRaw(r: AlarmRuntime, raw: boolean): void {
    if (raw === r.raw) {
      if (raw === r.active) r.pendingSince = null
      return
    }
    r.raw = raw
    if (raw === r.active) {
      r.pendingSince = null // a chattering input back before the delay ran out
      return
    }
    r.pendingSince = this.clock.now()
    this.settle(r, r.pendingSince)
  }

  private settle(r: AlarmRuntime, now: number): void {
    const delay = r.raw ? (r.spec.def.onDelayMs ?? 0) : (r.spec.def.offDelayMs ?? 0)
    if (r.pendingSince === null || now - r.pendingSince < delay) return
    r.pendingSince = null
    r.active = r.raw
    const hidden = this.hidden(r)
    if (r.active) {
      r.occurrence++
      r.raisedAt = now
      r.latchedClear = false
      r.message = fillMessage(r.spec, r.value)
      if (hidden) {
        r.acked = true // nothing to acknowledge while hidden; it raises anew when it comes back
        this.touch(r, now)
      } else {
        r.acked = false
        this.transition(r, 'raise', 'system', undefined)
      }
    } else if (hidden) {
      r.acked = true
      this.touch(r, now)
    } else {
      // latching: an unacknowledged one stays unack; an acknowledged one waits for a second ack (the reset)
      r.latchedClear = r.spec.def.latch === true && r.acked
      this.transition(r, 'clear', 'system', undefined)
    }
  }

  private hidden(r: AlarmRuntime): boolean {
    return r.outOfService || r.shelvedUntil !== undefined || r.suppressed
  }

  private unshelveOne(r: AlarmRuntime, event: 'unshelve' | 'expire', who: string): void {
    r.shelvedUntil = undefined
    r.shelveReason = undefined
    this.hiddenChange(r, event, who, undefined)
  }

  /** Shelve, suppress, out of service and their returns: the event, then a new occurrence if it comes back active. */
  private hiddenChange(r: AlarmRuntime, event: JournalRecord['event'], who: string, note: string | undefined): void {
    const now = this.clock.now()
    if (this.hidden(r)) {
      r.acked = true
      r.latchedClear = false
      this.transition(r, event, who, note)
      return
    }
    if (r.active) {
      r.occurrence++
      r.raisedAt = now
      r.acked = false
      r.message = fillMessage(r.spec, r.value)
      this.transition(r, event, who, note)
      this.transition(r, 'raise', 'system', undefined)
    } else this.transition(r, event, who, note)
  }

  private stateOf(r: AlarmRuntime): AlarmState {
    if (r.outOfService) return 'out_of_service'
    if (r.shelvedUntil !== undefined) return 'shelved'
    if (r.suppressed) return 'suppressed'
    if (r.active) return r.acked ? 'ack' : 'unack'
    if (r.spec.def.latch && (!r.acked || r.latchedClear)) return r.acked ? 'ack' : 'unack'
    return r.acked ? 'normal' : 'rtn_unack'
  }

  private touch(r: AlarmRuntime, now: number): void {
    const state = this.stateOf(r)
    if (state !== r.state) r.changedAt = now
    r.state = state
    this.changed.add(r)
  }

  private transition(r: AlarmRuntime, event: JournalRecord['event'], who: string, note: string | undefined): void {
    const now = this.clock.now()
    r.state = this.stateOf(r)
    r.changedAt = now
    this.changed.add(r)
    const s = r.spec
    this.entries.push({
      at: now,
      key: s.key,
      assetId: s.assetId,
      path: s.path,
      attribute: s.attribute,
      defId: s.def.id,
      priority: s.def.priority,
      event,
      state: r.state,
      ...(r.value !== undefined ? { value: r.value } : {}),
      message: event === 'raise' ? r.message : fillMessage(s, r.value),
      who,
      ...(note !== undefined ? { note } : {}),
      occurrence: r.occurrence,
    })
  }
}

/** What is kept of an alarm across a restart. */
export function snapshot(r: AlarmRuntime): AlarmStateRecord {
  return {
    key: r.spec.key,
    state: r.state,
    active: r.active,
    acked: r.acked,
    latchedClear: r.latchedClear,
    occurrence: r.occurrence,
    raisedAt: r.raisedAt,
    changedAt: r.changedAt,
    ...(r.shelvedUntil !== undefined ? { shelvedUntil: r.shelvedUntil, shelveReason: r.shelveReason ?? '' } : {}),
    suppressed: r.suppressed,
    outOfService: r.outOfService,
    ...(r.value !== undefined ? { value: r.value } : {}),
    message: r.message,
  }
}

function restore(r: AlarmRuntime, s: AlarmStateRecord, now: number): void {
  r.restored = true
  r.active = s.active
  r.raw = s.active // the condition as it was: the first sample judges it with the deadband of an active alarm
  r.acked = s.acked
  r.latchedClear = s.latchedClear
  r.occurrence = s.occurrence
  r.raisedAt = s.raisedAt
  r.changedAt = s.changedAt
  r.shelvedUntil = s.shelvedUntil
  r.shelveReason = s.shelvedUntil !== undefined ? s.shelveReason : undefined
  r.suppressed = s.suppressed
  r.outOfService = s.outOfService
  r.value = s.value
  r.message = s.message
  // a stale alarm that was active stays so until a sample comes (nothing arrived since, as far as it knows)
  if (r.spec.def.type === 'stale' && s.active && r.spec.expectedIntervalMs !== undefined) r.lastUpdate = now - r.spec.expectedIntervalMs * STALE_FACTOR - 1
}

/** The contract's view of a runtime. */
export function toAlarm(r: AlarmRuntime): Alarm {
  const s = r.spec
  return {
    key: s.key,
    assetId: s.assetId,
    path: s.path,
    attribute: s.attribute,
    defId: s.def.id,
    type: s.def.type,
    priority: s.def.priority,
    state: r.state,
    active: r.active,
    message: r.message,
    ...(s.def.guidance !== undefined ? { guidance: s.def.guidance } : {}),
    ...(r.value !== undefined ? { value: r.value } : {}),
    ...(s.unit !== undefined ? { unit: s.unit } : {}),
    raisedAt: r.raisedAt,
    changedAt: r.changedAt,
    occurrence: r.occurrence,
    ackNote: s.def.ackNote === true,
    ...(r.shelvedUntil !== undefined ? { shelvedUntil: r.shelvedUntil } : {}),
    ...(r.shelveReason !== undefined ? { shelveReason: r.shelveReason } : {}),
  }
}

/** A value as the attribute shows it: its decimals, an enumeration's label. */
export function formatValue(v: SampleValue | undefined, spec: Pick<AlarmSpec, 'decimals' | 'enumeration'>): string {
  if (v === undefined || v === null) return '—'
  const label = spec.enumeration?.[typeof v === 'boolean' ? (v ? '1' : '0') : String(v)]
  if (label !== undefined) return label
  if (typeof v === 'number') return spec.decimals !== undefined ? v.toFixed(spec.decimals) : String(v)
  return String(v)
}

/** `{value}`, `{unit}`, `{limit}`, `{asset}`, `{attribute}` filled; other braces are left as they are. */
export function fillMessage(spec: AlarmSpec, value: SampleValue | undefined): string {
  const limit = spec.def.type === 'deviation' ? spec.def.limit : spec.limit
  const fields: Record<string, string> = {
    value: formatValue(value, spec),
    unit: spec.unit ?? '',
    limit: limit === undefined ? '—' : formatValue(limit, { decimals: spec.decimals }),
    asset: spec.asset,
    attribute: spec.attribute,
  }
  return spec.def.message.replace(/\{(value|unit|limit|asset|attribute)\}/g, (_m, k: string) => fields[k]!)
}

function numberOf(s: Input): number | undefined {
  if (s.quality === 'bad') return undefined
  if (typeof s.value === 'number') return Number.isFinite(s.value) ? s.value : undefined
  if (typeof s.value === 'boolean') return s.value ? 1 : 0
  return undefined
}

function sameValue(v: SampleValue, want: AlarmDef['value']): boolean {
  if (want === undefined) return v === true || v === 1
  if (typeof want === 'boolean') return typeof v === 'number' ? (v !== 0) === want : typeof v === 'string' ? v === String(want) : v === want
  if (typeof want === 'number') return typeof v === 'boolean' ? (v ? 1 : 0) === want : typeof v === 'string' ? Number(v) === want : v === want
  return String(v) === want
}

function unknown(key: string): Refusal {
  return { code: 'alarms.unknown', reason: `no alarm "${key}"` }
}
