import { inScope } from '../../shared/model/principal'
import { SerialRebuild } from '../assets-model/serial-rebuild'
import { stringify } from 'csv-stringify/sync'
import { alarms as alarmsContract, type Alarm, type AlarmPriority, type EventPayload } from '../../shared/contract'
import type { NotificationRuleStatus } from '../../shared/contract/alarms'
import type { Asset, AssetAttribute } from '../../shared/contract/asset-model'
import type { ConnectionState, Sample, SampleBatch } from '../../shared/model'
import { AppError } from '../../shared/model/errors'
import type { HandlerMap, Session } from '../../shared/rpc/server'
import { checkAlarms, limitOf } from '../assets-model/alarm-check'
import { compileExpression, type Expression, type ExprValue } from '../assets-model/expression'
import type { AssetStore } from '../ports/asset-store'
import type { Clock } from '../ports/clock'
import type { Logger } from '../ports/logger'
import type { LiveValues } from '../signals/live-values'
import { AlarmEngine, AlarmRuntime, type AlarmSpec, type Refusal, snapshot, toAlarm } from './engine'
import type { AlarmJournal, AlarmStateStore, JournalFilter, JournalRecord } from './ports'

export type AlarmHandlers = HandlerMap<typeof alarmsContract>

export interface AlarmServiceDeps {
  /** The asset model: every attribute's `alarms`. Absent: no alarms (the handlers still answer). */
  store?: AssetStore | undefined
  /** The signal an attribute's values arrive on (the live link). */
  signalFor: (assetId: string, at: AssetAttribute) => string | undefined
  /** Resolves once the live link has followed the latest model change (so bindings resolve to signals). */
  settled?: () => Promise<void>
  live: LiveValues
  /** Where every transition goes (the SQLite adapter, or MemoryAlarmJournal). */
  journal: AlarmJournal
  /** Where alarm states are kept across a restart (the SQLite adapter, or MemoryAlarmStateStore); absent: not kept. */
  state?: AlarmStateStore | undefined
  /** Handed every batch of transitions after the journal took it (notification rules). */
  notify?: (entries: readonly JournalRecord[]) => void
  /** The notification rules' status (`alarms.notifications`); absent: no rules. */
  notificationStatus?: () => { rules: NotificationRuleStatus[] }
  /** `alarms.changed` to every session. */
  broadcast: (payload: EventPayload<'alarms.changed'>) => void
  /** Connection states now (comm alarms start from them). */
  connections: () => readonly ConnectionState[]
  /** "Who" for an operator action. */
  who: (session: Session) => string
  clock: Clock
  log: Logger
  /** How often changes are pushed and the journal appended (default 200 ms: at most 5 events a second). */
  flushMs?: number
  /** The engine's tick (delays, stale, shelve expiry); default 1 s. */
  tickMs?: number
}

const PRIORITY_RANK: Record<AlarmPriority, number> = { critical: 0, high: 1, medium: 2, low: 3 }
/** Alarms per `alarms.changed` event: a storm of 5,000 is five events, each well under the message limit. */
const EVENT_ITEMS = 1000
const CSV_ROWS = 100_000
const RESOLVE_RETRY_MS = 5000

interface Suppression {
  r: AlarmRuntime
  expr: Expression
  /** Attribute name → its signal, or a constant. */
  inputs: Map<string, { signal: string } | { constant: ExprValue }>
}

/**
 * The alarm service: builds the alarms from the asset model (rebuilt on every model change, keeping the state of
 * alarms that stay), feeds them live samples (collected and calculated), connection states and a 1 s tick, appends
 * every transition to the journal and pushes the changed alarms to every session, both batched (one append and a
 * few events per flush, default every 200 ms). The alarms that changed are written to the state store at the same
 * flush, and read back at start before any sample is judged, so acknowledgements, shelving, out of service and
 * unacknowledged returns survive a restart.
 */
export class AlarmService {
  readonly engine: AlarmEngine
  /**
   * Per signal, everything a sample of it feeds: alarms on it, deviations with it as setpoint, suppressions reading it.
   * A signal feeding one alarm and nothing else (the common case) maps to that alarm itself, one hop less per sample.
   */
  private bySignal = new Map<string, Fed | AlarmRuntime>()
  private byConnection = new Map<string, AlarmRuntime[]>()
  private unresolved: { spec: AlarmSpec; assetId: string; at: AssetAttribute; setpoint?: AssetAttribute | undefined }[] = []
  private lastResolve = 0
  private everConnected = new Set<string>()
  private lost = new Map<string, boolean>()
  /** Definitions refused at load (from a database written before the checks, say): path and reason. */
  refused: { path: string; reason: string }[] = []
  private timers: ReturnType<typeof setInterval>[] = []
  private readonly serial = new SerialRebuild(
    () => this.rebuild(),
    () => this.d.settled?.() ?? Promise.resolve(),
    (e) => this.d.log.error({ err: e.message }, 'alarms: rebuild failed'),
  )
  /** Events sent, for tests and diagnostics. */
  events = 0

  constructor(private readonly d: AlarmServiceDeps) {
    this.engine = new AlarmEngine(d.clock)
  }

  start(): void {
    this.tapped = true
    try {
      this.engine.seed(this.d.state?.load() ?? [])
    } catch (e) {
      this.d.log.error({ err: (e as Error).message }, 'alarms: kept states not read; every alarm starts normal')
    }
    this.rebuild()
    this.engine.tick() // a shelve that expired while stopped returns now
    const flush = setInterval(() => this.flush(), this.d.flushMs ?? 200)
    const tick = setInterval(() => this.tick(), this.d.tickMs ?? 1000)
    flush.unref?.()
    tick.unref?.()
    this.timers.push(flush, tick)
  }

  stop(): void {
    this.timers.splice(0).forEach((t) => clearInterval(t))
    for (const u of this.untaps.splice(0)) u()
    this.tapped = false
    this.flush()
  }

  /** The model changed: rebuild once the live link followed it (serialized; a change meanwhile rebuilds once more). */
  changed(): Promise<void> {
    return this.serial.changed()
  }

  /** Resolves once no rebuild is running or waiting. */
  settled(): Promise<void> {
    return this.serial.settled()
  }

  /** Builds every alarm from the model; alarms that stay keep their state, new ones start from the live values. */
  rebuild(): void {
    const assets = this.d.store?.subtree(null) ?? []
    const specs: AlarmSpec[] = []
    const wiring: { spec: AlarmSpec; assetId: string; at: AssetAttribute; setpoint?: AssetAttribute | undefined; suppress?: { expr: Expression; attrs: Asset['attributes'] } }[] = []
    const refused: { path: string; reason: string }[] = []
    for (const a of assets) {
      if (!a.attributes.some((x) => x.alarms?.length)) continue
      for (const at of a.attributes) {
        if (!at.alarms?.length) continue
        try {
          checkAlarms([at, ...a.attributes.filter((x) => x !== at)], `${a.path}`)
        } catch (e) {
          // a definition saved before the checks: refused, logged and counted; the rest keep working
          refused.push({ path: `${a.path}/${at.name}`, reason: (e as Error).message })
          continue
        }
        for (const def of at.alarms) {
          if (def.enabled === false) continue
          const spec: AlarmSpec = {
            key: `${a.id}/${at.name}/${def.id}`,
            assetId: a.id,
            path: a.path,
            asset: a.name,
            attribute: at.name,
            def,
            unit: at.unit,
            decimals: at.decimals,
            enumeration: at.enumeration,
            limit: limitOf(at, def),
            expectedIntervalMs: at.expectedIntervalMs,
          }
          specs.push(spec)
          wiring.push({
            spec,
            assetId: a.id,
            at,
            ...(def.type === 'deviation' ? { setpoint: a.attributes.find((x) => x.name === def.setpoint) } : {}),
            ...(def.suppressWhen ? { suppress: { expr: compileExpression(def.suppressWhen), attrs: a.attributes } } : {}),
          })
        }
      }
    }
    if (refused.length > 0 && refused.length !== this.refused.length) this.d.log.warn({ refused: refused.length, first: refused[0] }, 'alarms: definitions refused')
    this.refused = refused
    const before = new Set(specs.filter((s) => this.engine.get(s.key)).map((s) => s.key))
    const { removed } = this.engine.load(specs)
    this.removedKeys.push(...removed)
    this.bySignal = new Map()
    this.byConnection = new Map()
    this.unresolved = []
    const states = new Map(this.d.connections().map((c) => [c.id, c]))
    const feeds = new Map<string, Fed>()
    this.feeds = feeds
    for (const w of wiring) {
      const r = this.engine.get(w.spec.key)!
      const fresh = !before.has(w.spec.key)
      if (!this.wire(r, w, fresh)) this.unresolved.push(w)
      const conn = w.at.binding?.['connection']
      if (w.spec.def.type === 'comm' && typeof conn === 'string') {
        push(this.byConnection, conn, r)
        const st = states.get(conn)
        // a restored comm alarm is not cleared by a connection that is only starting (not known to be up or lost)
        const unknown = st !== undefined && r.restored && st.health === 'connecting' && !this.isLost(st)
        if (st && fresh && !unknown) this.engine.connection(r, this.isLost(st))
      }
      if (w.suppress) {
        const inputs: Suppression['inputs'] = new Map()
        for (const name of w.suppress.expr.refs) {
          const at = w.suppress.attrs.find((x) => x.name === name)
          if (!at) continue
          if (at.binding?.kind === 'constant') inputs.set(name, { constant: exprValue(at.binding['value']) })
          else {
            const signal = this.d.signalFor(w.assetId, at)
            if (signal !== undefined) inputs.set(name, { signal })
          }
        }
        const sup: Suppression = { r, expr: w.suppress.expr, inputs }
        for (const i of inputs.values()) if ('signal' in i) fed(feeds, i.signal).suppressions.push(sup)
        this.judge(sup)
      }
    }
    this.index()
    this.lastResolve = this.d.clock.now()
  }

  /** Indexes an alarm by its signal (and setpoint); a fresh one takes the current live value. False: no signal yet. */
  private wire(r: AlarmRuntime, w: { assetId: string; at: AssetAttribute; setpoint?: AssetAttribute | undefined }, fresh: boolean): boolean {
    if (r.spec.def.type === 'comm') return true
    const signal = this.d.signalFor(w.assetId, w.at)
    let ok = signal !== undefined
    if (w.setpoint) {
      const sp = this.d.signalFor(w.assetId, w.setpoint)
      if (sp !== undefined) {
        // a retry of an alarm still unresolved (its signal or setpoint missing) must not index it twice
        const list = fed(this.feeds, sp).setpoints
        if (!list.includes(r)) list.push(r)
        this.indexStale = true
        const cur = this.d.live.get(sp)
        if (cur) this.engine.setpoint(r, cur)
      } else if (w.setpoint.binding?.kind === 'constant') this.engine.setpoint(r, { value: w.setpoint.binding['value'] as number, quality: 'good', ts: 0 })
      else ok = false
    }
    if (signal !== undefined) {
      const list = fed(this.feeds, signal).alarms
      if (!list.includes(r)) list.push(r)
      this.indexStale = true
      const cur = this.d.live.get(signal)
      if (cur && fresh) this.engine.sample(r, cur)
    }
    return ok
  }

  /** What each signal feeds, as wired (the index `bySignal` is made from it). */
  private feeds = new Map<string, Fed>()

  private indexStale = false
  private untaps: (() => void)[] = []

  /**
   * `bySignal` from `feeds` (a signal that feeds one alarm and nothing else maps to the alarm), and a tap on each
   * of those signals in the live values (`LiveValues.tap`): every sample reaches its alarms from the lookup that
   * keeps the latest value, with no second lookup, no allocation, and for a limit alarm a compare on the alarm's own
   * fields; nothing more happens unless its condition changes.
   */
  private index(): void {
    this.indexStale = false
    for (const u of this.untaps.splice(0)) u()
    const m = new Map<string, Fed | AlarmRuntime>()
    const engine = this.engine
    for (const [signal, f] of this.feeds) {
      const one = f.alarms.length === 1 && f.setpoints.length === 0 && f.suppressions.length === 0 ? f.alarms[0]! : undefined
      m.set(signal, one ?? f)
      if (this.tapped) this.untaps.push(this.d.live.tap(signal, one ? (s) => engine.sample(one, s) : (s) => this.feed(f, s)))
    }
    this.bySignal = m
  }

  /** True once `start` put taps on the live values (before it, and in tests that feed `onSamples`, none). */
  private tapped = false

  private feed(f: Fed, s: Sample): void {
    for (const r of f.setpoints) this.engine.setpoint(r, s)
    for (const r of f.alarms) this.engine.sample(r, s)
    for (const x of f.suppressions) this.judge(x)
  }

  /** Live samples, for a service not started (tests); a started one is fed by its taps on the live values. */
  onSamples(batch: SampleBatch): void {
    if (this.tapped) return
    for (const s of batch) {
      const f = this.bySignal.get(s.signal)
      if (f === undefined) continue
      if (f instanceof AlarmRuntime) this.engine.sample(f, s)
      else this.feed(f, s)
    }
  }

  onConnection(st: ConnectionState): void {
    if (st.health === 'connected' || st.health === 'degraded') this.everConnected.add(st.id)
    const lost = this.isLost(st)
    if (this.lost.get(st.id) === lost) return
    this.lost.set(st.id, lost)
    for (const r of this.byConnection.get(st.id) ?? []) this.engine.connection(r, lost)
  }

  private isLost(st: ConnectionState): boolean {
    return st.health === 'error' || (st.health === 'connecting' && (this.everConnected.has(st.id) || st.code !== undefined))
  }

  private judge(s: Suppression): void {
    let missing = false
    const v = s.expr.evaluate((name) => {
      const i = s.inputs.get(name)
      if (!i) return null
      if ('constant' in i) return i.constant
      const cur = this.d.live.get(i.signal)
      if (!cur) missing = true
      return cur && cur.quality !== 'bad' ? exprValue(cur.value) : null
    })
    // restored suppressed: kept until its inputs have values (after a restart they arrive after the alarms are built)
    if (missing && s.r.restored && s.r.suppressed) return
    this.engine.setSuppressed(s.r, v === true || (typeof v === 'number' && v !== 0))
  }

  tick(): void {
    this.engine.tick()
    if (this.unresolved.length > 0 && this.d.clock.now() - this.lastResolve >= RESOLVE_RETRY_MS) {
      this.lastResolve = this.d.clock.now()
      const still: typeof this.unresolved = []
      for (const w of this.unresolved) {
        const r = this.engine.get(w.spec.key)
        if (r && !this.wire(r, w, true)) still.push(w)
      }
      if (this.indexStale) this.index()
      this.unresolved = still
    }
  }

  /** Appends what the engine recorded (one batch) and hands it to `notify`; answers the changed alarms. */
  private flushJournal(): AlarmRuntime[] {
    const { entries, changed } = this.engine.drain()
    if (entries.length > 0) {
      try {
        this.d.journal.append(entries)
      } catch (e) {
        this.d.log.error({ err: (e as Error).message, entries: entries.length }, 'alarms: journal append failed')
      }
      try {
        this.d.notify?.(entries)
      } catch (e) {
        this.d.log.error({ err: (e as Error).message }, 'alarms: notify failed')
      }
    }
    for (const r of changed) this.dirty.add(r)
    this.saveStates(changed)
    return changed
  }

  private removedKeys: string[] = []

  /** The changed alarms' states (and the keys gone) to the state store: one call per flush. */
  private saveStates(changed: readonly AlarmRuntime[]): void {
    const st = this.d.state
    if (!st) return
    if (changed.length === 0 && this.removedKeys.length === 0 && !st.needsAll?.()) return
    const removed = this.removedKeys
    this.removedKeys = []
    try {
      const all = st.needsAll?.() === true
      const states = all ? [...this.engine.all()].map(snapshot) : changed.filter((r) => this.engine.get(r.spec.key) === r).map(snapshot)
      st.save(states, removed)
    } catch (e) {
      this.d.log.error({ err: (e as Error).message, states: changed.length }, 'alarms: states not kept')
    }
  }

  private dirty = new Set<AlarmRuntime>()

  /** The journal, then the changed alarms to every session in events of at most 1,000. */
  flush(): void {
    this.flushJournal()
    if (this.dirty.size === 0) return
    const items = [...this.dirty].map(toAlarm)
    this.dirty = new Set()
    const counts = this.counts()
    const small = { unack: counts.unack, active: counts.active }
    for (let i = 0; i < items.length; i += EVENT_ITEMS) {
      this.events++
      this.d.broadcast({ items: items.slice(i, i + EVENT_ITEMS), counts: small })
    }
  }

  counts(): { unack: Record<AlarmPriority, number>; active: number; shelved: number; suppressed: number; outOfService: number } {
    const unack = { critical: 0, high: 0, medium: 0, low: 0 }
    let active = 0
    let shelved = 0
    let suppressed = 0
    let outOfService = 0
    for (const r of this.engine.all()) {
      if (r.state === 'unack' || r.state === 'rtn_unack') unack[r.spec.def.priority]++
      if (r.state === 'unack' || r.state === 'ack') active++
      else if (r.state === 'shelved') shelved++
      else if (r.state === 'suppressed') suppressed++
      else if (r.state === 'out_of_service') outOfService++
    }
    return { unack, active, shelved, suppressed, outOfService }
  }

  private pathOf(asset: string | undefined): string | undefined {
    if (asset === undefined) return undefined
    const a = this.d.store?.get(asset)
    if (!a) throw new AppError('alarms.unknown', `no asset with id "${asset}"`, { id: asset })
    return a.path
  }

  private filter(q: { from?: number | undefined; to?: number | undefined; asset?: string | undefined; priority?: AlarmPriority[] | undefined; state?: Alarm['state'][] | undefined; who?: string | undefined; text?: string | undefined }): JournalFilter {
    return { from: q.from, to: q.to, pathPrefix: this.pathOf(q.asset), priority: q.priority, state: q.state, who: q.who, text: q.text }
  }

  handlers(): AlarmHandlers {
    /** Each key's action; an alarm outside the acting user's scopes (asset subtrees) is refused `auth.forbidden`. */
    const each = (keys: readonly string[], f: (key: string) => Refusal | null, session?: Session) => {
      const done: string[] = []
      const refused: { key: string; code: string; reason: string }[] = []
      const p = session?.principal
      for (const key of new Set(keys)) {
        const path = this.engine.get(key)?.spec.path
        if (p && path !== undefined && !inScope(p, path)) {
          refused.push({ key, code: 'auth.forbidden', reason: `${path} is outside ${p.user}'s scopes (${p.scopes?.join(', ')})` })
          continue
        }
        const no = f(key)
        if (no) refused.push({ key, ...no })
        else done.push(key)
      }
      this.flushJournal() // answered actions are in the journal; their events follow with the next flush
      return { done, refused }
    }
    return {
      'alarms.list': ({ all, asset, limit }) => {
        const prefix = this.pathOf(asset)
        const items: AlarmRuntime[] = []
        for (const r of this.engine.all()) {
          if (!all && r.state === 'normal') continue
          if (prefix !== undefined && r.spec.path !== prefix && !r.spec.path.startsWith(`${prefix}/`)) continue
          items.push(r)
        }
        items.sort((a, b) => PRIORITY_RANK[a.spec.def.priority] - PRIORITY_RANK[b.spec.def.priority] || (b.raisedAt ?? 0) - (a.raisedAt ?? 0) || b.changedAt - a.changedAt || a.spec.key.localeCompare(b.spec.key))
        return { items: items.slice(0, limit ?? 1000).map(toAlarm), total: items.length, counts: this.counts() }
      },
      'alarms.ack': ({ keys, note }, { session }) => each(keys, (k) => this.engine.ack(k, this.d.who(session), note), session),
      'alarms.shelve': ({ keys, reason, minutes }, { session }) => {
        const until = this.d.clock.now() + minutes * 60_000
        return each(keys, (k) => this.engine.shelve(k, this.d.who(session), reason, until), session)
      },
      'alarms.unshelve': ({ keys }, { session }) => each(keys, (k) => this.engine.unshelve(k, this.d.who(session)), session),
      'alarms.service': ({ keys, inService, reason }, { session }) => each(keys, (k) => this.engine.service(k, inService, this.d.who(session), reason), session),
      'alarms.journal': ({ before, limit, ...q }) => {
        this.flushJournal()
        return this.d.journal.query(this.filter(q), { before, limit: limit ?? 200 })
      },
      'alarms.journalCsv': (q) => {
        this.flushJournal()
        const f = this.filter(q)
        const rows: string[][] = [['id', 'at', 'event', 'state', 'priority', 'path', 'attribute', 'alarm', 'value', 'message', 'who', 'note', 'occurrence']]
        let before: number | undefined
        while (rows.length <= CSV_ROWS) {
          const page = this.d.journal.query(f, { before, limit: 1000 })
          for (const e of page.items) {
            rows.push([String(e.id), new Date(e.at).toISOString(), e.event, e.state, e.priority, e.path, e.attribute, e.defId, e.value === undefined || e.value === null ? '' : String(e.value), e.message, e.who, e.note ?? '', String(e.occurrence)])
          }
          if (page.next === null) break
          before = page.next
        }
        const body = rows.slice(0, CSV_ROWS + 1)
        return { text: stringify(body, { record_delimiter: '\n' }), rows: body.length - 1 }
      },
      'alarms.notifications': () => ({ rules: this.d.notificationStatus?.().rules ?? [] }),
      'alarms.nuisance': ({ hours }) => {
        this.flushJournal()
        return { top: this.d.journal.nuisance(this.d.clock.now() - (hours ?? 24) * 3_600_000, 10) }
      },
    }
  }
}

interface Fed {
  alarms: AlarmRuntime[]
  setpoints: AlarmRuntime[]
  suppressions: Suppression[]
}

function fed(m: Map<string, Fed>, signal: string): Fed {
  let f = m.get(signal)
  if (!f) m.set(signal, (f = { alarms: [], setpoints: [], suppressions: [] }))
  return f
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k)
  if (list) list.push(v)
  else m.set(k, [v])
}

function exprValue(v: unknown): ExprValue {
  return typeof v === 'number' || typeof v === 'boolean' ? v : null
}
