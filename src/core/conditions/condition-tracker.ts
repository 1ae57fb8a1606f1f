import { SerialRebuild } from '../assets-model/serial-rebuild'
import { CONDITION_RANK, CONDITIONS, type Condition, type ConditionCounts, type EventPayload, type PathCondition, conditions as conditionsContract } from '../../shared/contract'
import type { AssetAttribute } from '../../shared/contract/asset-model'
import type { ConnectionState, Sample, SampleBatch } from '../../shared/model'
import type { HandlerMap } from '../../shared/rpc/server'
import type { AssetStore } from '../ports/asset-store'
import type { Clock } from '../ports/clock'
import type { Logger } from '../ports/logger'
import type { LiveValues } from '../signals/live-values'

export type ConditionHandlers = HandlerMap<typeof conditionsContract>

/** Without an expected interval, a periodic source is stale after 3 × its learnt interval, and never sooner than this. */
export const STALE_MIN_MS = 10_000
export const STALE_FACTOR = 3
/** Weight of a new arrival gap in the learnt interval (as the renderer learnt it). */
const ALPHA = 0.3
const RESOLVE_RETRY_MS = 5000
/** Paths per `conditions.changed` event. */
const EVENT_ITEMS = 5000

/**
 * How long after its last arrival a value counts as stale: 3 × the attribute's expected interval when it has one;
 * else, for a periodic source, 3 × the learnt interval and at least 10 s; a source that reports by exception is never
 * stale by age (its freshness is its connection's health).
 */
export function staleAfterMs(expectedMs: number | undefined, periodic: boolean, learntMs: number | undefined): number {
  if (expectedMs !== undefined) return STALE_FACTOR * expectedMs
  if (!periodic) return Number.POSITIVE_INFINITY
  return learntMs !== undefined && Number.isFinite(learntMs) ? Math.max(STALE_MIN_MS, STALE_FACTOR * learntMs) : STALE_MIN_MS
}

/** One attribute's condition: bad quality first, then its connection lost, no value yet, too old, the value's quality. */
export function judgeCondition(sample: Pick<Sample, 'quality'> | undefined, lost: boolean, old: boolean): Condition {
  if (sample?.quality === 'bad') return 'bad'
  if (lost) return 'stale'
  if (!sample) return 'nodata'
  if (old) return 'stale'
  return sample.quality === 'uncertain' ? 'uncertain' : 'good'
}

export interface ConditionTrackerDeps {
  /** The asset model. Absent: no conditions (the handler still answers). */
  store?: AssetStore | undefined
  /** The signal an attribute's values arrive on (the live link); undefined while none. */
  signalFor: (assetId: string, at: AssetAttribute) => string | undefined
  /** Resolves once the live link followed the latest model change. */
  settled?: () => Promise<void>
  live: Pick<LiveValues, 'get'>
  /** Connection states now (with their kind). */
  connections: () => readonly ConnectionState[]
  /** Whether a connection kind's sources report by exception (core/drivers.ts). */
  reportsByException: (kind: string) => boolean
  /** `conditions.changed` to every session. */
  broadcast: (payload: EventPayload<'conditions.changed'>) => void
  clock: Clock
  log: Logger
  /** How often changed paths are pushed (default 500 ms: at most 2 events a second, more only for > 5,000 paths). */
  flushMs?: number
  /** Staleness is judged at this tick (default 1 s). */
  tickMs?: number
}

interface PathNode {
  path: string
  /** Attributes below, by condition rank. */
  counts: number[]
  /** Rank of the worst condition with a count (0: good). */
  worst: number
}

interface SignalState {
  /** When a sample of it last arrived (or when it was first tracked). */
  arrived: number
  seen: boolean
  /** Learnt gap between arrivals (ms). */
  interval?: number
  attrs: Tracked[]
}

interface Tracked {
  /** `<asset id>/<attribute>`. */
  key: string
  signal: string
  connection?: string | undefined
  expectedMs?: number | undefined
  periodic: boolean
  /** The asset's own path node, then each ancestor's. */
  chain: PathNode[]
  rank: number
}

interface Unresolved {
  assetId: string
  at: AssetAttribute
  chain: PathNode[]
}

const newNode = (path: string): PathNode => ({ path, counts: CONDITIONS.map(() => 0), worst: 0 })

const countsOf = (n: PathNode | undefined): ConditionCounts => {
  const c = n?.counts
  return { good: c?.[0] ?? 0, uncertain: c?.[1] ?? 0, nodata: c?.[2] ?? 0, stale: c?.[3] ?? 0, bad: c?.[4] ?? 0 }
}

/**
 * Conditions in the core: per model attribute that carries a signal (good, uncertain, nodata, stale, bad) and per
 * asset path the worst over its subtree, kept as counts per path that each attribute's change updates along its
 * ancestors (no rescan per sample). Fed live samples, connection states and a 1 s tick (staleness); rebuilt from the
 * model after every `model.changed` once the live link followed it. Paths whose condition changed go to every session
 * as `conditions.changed`, batched.
 */
export class ConditionTracker {
  private nodes = new Map<string, PathNode>()
  private bySignal = new Map<string, SignalState>()
  private byConnection = new Map<string, Tracked[]>()
  private byKey = new Map<string, Tracked>()
  /** Attributes that may turn stale by age (an expected interval, or a periodic source): judged at every tick. */
  private ageing: Tracked[] = []
  private unresolved: Unresolved[] = []
  private lastResolve = 0
  private everConnected = new Set<string>()
  private lost = new Set<string>()
  /** Paths to look at in the next flush. */
  private dirty = new Set<string>()
  /** What sessions were last told per path (absent: good). */
  private sent = new Map<string, Condition>()
  private timers: ReturnType<typeof setInterval>[] = []
  private readonly serial = new SerialRebuild(
    () => this.rebuild(),
    () => this.d.settled?.() ?? Promise.resolve(),
    (e) => this.d.log.error({ err: e.message }, 'conditions: rebuild failed'),
  )
  /** Events sent, for tests and diagnostics. */
  events = 0

  constructor(private readonly d: ConditionTrackerDeps) {}

  start(): void {
    for (const st of this.d.connections()) this.noteConnection(st)
    this.rebuild()
    const flush = setInterval(() => this.flush(), this.d.flushMs ?? 500)
    const tick = setInterval(() => this.tick(), this.d.tickMs ?? 1000)
    flush.unref?.()
    tick.unref?.()
    this.timers.push(flush, tick)
  }

  stop(): void {
    this.timers.splice(0).forEach((t) => clearInterval(t))
  }

  /** The model changed: rebuild once the live link followed it (serialized; a change meanwhile rebuilds once more). */
  changed(): Promise<void> {
    return this.serial.changed()
  }

  /** Resolves once no rebuild is running or waiting. */
  settled(): Promise<void> {
    return this.serial.settled()
  }

  /** Every attribute with a signal from the whole model; a signal's arrivals and learnt interval are kept. */
  rebuild(): void {
    const now = this.d.clock.now()
    const assets = this.d.store?.subtree(null) ?? []
    const kinds = new Map(this.d.connections().map((c) => [c.id, c.kind]))
    const old = this.nodes
    const oldSignals = this.bySignal
    this.nodes = new Map()
    this.bySignal = new Map()
    this.byConnection = new Map()
    this.byKey = new Map()
    this.ageing = []
    this.unresolved = []
    const chains = new Map<string, PathNode[]>()
    for (const a of assets) {
      let own = this.nodes.get(a.path)
      if (!own) this.nodes.set(a.path, (own = newNode(a.path)))
      const chain = [own, ...((a.parent !== null && chains.get(a.parent)) || [])]
      chains.set(a.id, chain)
      for (const at of a.attributes) {
        if (!at.binding || at.binding.kind === 'constant') continue
        const signal = this.d.signalFor(a.id, at)
        if (signal === undefined) this.unresolved.push({ assetId: a.id, at, chain })
        else this.track(a.id, at, signal, chain, kinds, oldSignals, now)
      }
    }
    for (const p of old.keys()) this.dirty.add(p)
    for (const p of this.nodes.keys()) this.dirty.add(p)
    this.lastResolve = now
  }

  private track(assetId: string, at: AssetAttribute, signal: string, chain: PathNode[], kinds: ReadonlyMap<string, string>, oldSignals: ReadonlyMap<string, SignalState> | undefined, now: number): void {
    const conn = at.binding?.['connection']
    const connection = typeof conn === 'string' ? conn : undefined
    const kind = connection === undefined ? undefined : kinds.get(connection)
    const t: Tracked = {
      key: `${assetId}/${at.name}`,
      signal,
      connection,
      expectedMs: at.expectedIntervalMs,
      // a calculated attribute follows its inputs: like a source that reports by exception
      periodic: kind !== undefined && !this.d.reportsByException(kind),
      chain,
      rank: -1,
    }
    let st = this.bySignal.get(signal)
    if (!st) {
      const prev = oldSignals?.get(signal)
      st = prev ? { arrived: prev.arrived, seen: prev.seen, ...(prev.interval !== undefined ? { interval: prev.interval } : {}), attrs: [] } : { arrived: now, seen: false, attrs: [] }
      this.bySignal.set(signal, st)
    }
    st.attrs.push(t)
    this.byKey.set(t.key, t)
    if (connection !== undefined) push(this.byConnection, connection, t)
    if (t.expectedMs !== undefined || t.periodic) this.ageing.push(t)
    this.judge(t, now)
  }

  /** Live samples (collected and calculated alike). */
  onSamples(batch: SampleBatch): void {
    if (this.bySignal.size === 0) return
    const now = this.d.clock.now()
    let touched: Set<SignalState> | undefined
    for (const s of batch) {
      const st = this.bySignal.get(s.signal)
      if (!st) continue
      const gap = now - st.arrived
      if (st.seen && gap > 0) st.interval = st.interval === undefined ? gap : st.interval + ALPHA * (gap - st.interval)
      st.arrived = now
      st.seen = true
      ;(touched ??= new Set()).add(st)
    }
    if (touched) for (const st of touched) for (const t of st.attrs) this.judge(t, now)
  }

  onConnection(st: ConnectionState): void {
    if (!this.noteConnection(st)) return
    const now = this.d.clock.now()
    for (const t of this.byConnection.get(st.id) ?? []) this.judge(t, now)
  }

  /** True when the connection's lost-or-not changed. */
  private noteConnection(st: ConnectionState): boolean {
    if (st.health === 'connected' || st.health === 'degraded') this.everConnected.add(st.id)
    // lost: failed, stopped, or trying again after having been connected (or with a reason, e.g. broker not reachable)
    const lost = st.health === 'error' || st.health === 'stopped' || (st.health === 'connecting' && (this.everConnected.has(st.id) || st.code !== undefined))
    if (lost === this.lost.has(st.id)) return false
    if (lost) this.lost.add(st.id)
    else this.lost.delete(st.id)
    return true
  }

  /** Staleness by age, and attributes whose signal was not known yet (every 5 s). */
  tick(): void {
    const now = this.d.clock.now()
    for (const t of this.ageing) this.judge(t, now)
    if (this.unresolved.length > 0 && now - this.lastResolve >= RESOLVE_RETRY_MS) {
      this.lastResolve = now
      const kinds = new Map(this.d.connections().map((c) => [c.id, c.kind]))
      const still: Unresolved[] = []
      for (const u of this.unresolved) {
        const signal = this.d.signalFor(u.assetId, u.at)
        if (signal === undefined) still.push(u)
        else this.track(u.assetId, u.at, signal, u.chain, kinds, undefined, now)
      }
      this.unresolved = still
    }
  }

  private judge(t: Tracked, now: number): void {
    const st = this.bySignal.get(t.signal)!
    const old = now - st.arrived > staleAfterMs(t.expectedMs, t.periodic, st.interval)
    const c = judgeCondition(this.d.live.get(t.signal), t.connection !== undefined && this.lost.has(t.connection), old)
    this.setRank(t, CONDITION_RANK[c])
  }

  /** Moves one attribute between counts along its chain; a path whose worst changes is flushed next. */
  private setRank(t: Tracked, rank: number): void {
    const was = t.rank
    if (was === rank) return
    t.rank = rank
    for (const n of t.chain) {
      if (was >= 0) n.counts[was]!--
      n.counts[rank]!++
      let w = n.worst
      if (rank > w) w = rank
      else if (was === w && n.counts[was] === 0) while (w > 0 && n.counts[w] === 0) w--
      if (w !== n.worst) {
        n.worst = w
        this.dirty.add(n.path)
      }
    }
  }

  private item(path: string): PathCondition {
    const n = this.nodes.get(path)
    return { path, condition: CONDITIONS[n?.worst ?? 0]!, counts: countsOf(n) }
  }

  /** An attribute's condition now (`<asset id>`, attribute name); undefined when it carries no signal. */
  attribute(assetId: string, name: string): Condition | undefined {
    const t = this.byKey.get(`${assetId}/${name}`)
    return t && t.rank >= 0 ? CONDITIONS[t.rank] : undefined
  }

  /** A path's condition now, with counts. */
  path(path: string): PathCondition {
    return this.item(path)
  }

  /** Paths whose condition differs from what sessions were last told, in events of at most 5,000. */
  flush(): void {
    if (this.dirty.size === 0) return
    const items: PathCondition[] = []
    for (const p of this.dirty) {
      const now = this.item(p)
      if ((this.sent.get(p) ?? 'good') === now.condition) continue
      if (now.condition === 'good') this.sent.delete(p)
      else this.sent.set(p, now.condition)
      items.push(now)
    }
    this.dirty = new Set()
    for (let i = 0; i < items.length; i += EVENT_ITEMS) {
      this.events++
      this.d.broadcast({ items: items.slice(i, i + EVENT_ITEMS) })
    }
  }

  handlers(): ConditionHandlers {
    return {
      'conditions.get': ({ paths }) => {
        if (paths) return { items: paths.map((p) => this.item(p)) }
        const items: PathCondition[] = []
        for (const n of this.nodes.values()) if (n.worst > 0) items.push(this.item(n.path))
        return { items }
      },
    }
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k)
  if (list) list.push(v)
  else m.set(k, [v])
}
