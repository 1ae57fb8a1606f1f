import Database, { type Database as Db, type Statement } from 'better-sqlite3'
import type { SignalDef, StoreCounters } from '../../core/ports/sample-store'
import { type Columns, ColumnsBuilder, emptyColumns } from '../store-engine/columns'
import { zeroCounters } from '../store-engine/ingest-rules'
import { BlockTable } from './block-table'
import { type FrozenSet, Memtable } from './memtable'
import { migrate } from './migrations'
import { RollupTable } from './rollup-table'

/** A signal with its compaction state (persisted in `signal`) and what ingest tracks in memory. */
export interface SignalState {
  id: number
  def: SignalDef
  /** Every sample of this signal up to this log seq is in blocks. */
  compactedSeq: number
  /** Newest timestamp in blocks (-1: none). */
  maxTs: number
  /** Raw data older than this has been deleted by retention. */
  rawFrom: number
  /** Blocks starting after this are the small "tail", merged into full blocks as it grows. */
  sealedT: number
  tailCount: number
  tailN: number
  /** Newest timestamp received, compacted or not (not persisted). */
  lastSeen: number
}

type MetaKey = 'last_seq' | 'compacted_seq' | 'sync_seq'

export function openDatabase(path: string, synchronous: 'normal' | 'full'): Db {
  const db = new Database(path)
  // Must precede the first table; lets retention hand freed pages back to the file system.
  db.pragma('auto_vacuum = INCREMENTAL')
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${synchronous.toUpperCase()}`)
  db.pragma('journal_size_limit = 67108864')
  db.pragma('cache_size = -32768')
  db.pragma('temp_store = MEMORY')
  migrate(db)
  return db
}

/** The database, its tables and the in-memory state derived from them, shared by engine parts. */
export class StoreDb {
  readonly blocks: BlockTable
  readonly rollups: { '1m': RollupTable; '1h': RollupTable }
  readonly signals = new Map<number, SignalState>()
  /** The same, indexed by id, for per-sample lookups. */
  readonly byId: (SignalState | undefined)[] = []
  readonly byKey = new Map<string, SignalState>()
  readonly counters: StoreCounters
  /** Appended, not yet compacted. `frozen` is being compacted (grouped by signal, or still being grouped). */
  active = new Memtable()
  frozen: FrozenSet | Memtable | null = null
  frozenSeq = 0
  lastSeq: number
  compactedSeq: number
  /** Named sync cursors (table `cursor`). */
  readonly cursors = new Map<string, number>()

  private readonly setMetaStmt: Statement
  private readonly setCounterStmt: Statement
  private readonly saveStateStmt: Statement
  private readonly dirtyCounters = new Set<keyof StoreCounters>()
  private undo: Map<SignalState, SignalState> | null = null

  constructor(readonly db: Db) {
    this.blocks = new BlockTable(db)
    this.rollups = { '1m': new RollupTable(db, '1m'), '1h': new RollupTable(db, '1h') }
    const meta = new Map(db.prepare('SELECT key, value FROM meta').raw().all() as [MetaKey, number][])
    this.lastSeq = meta.get('last_seq') ?? 0
    this.compactedSeq = meta.get('compacted_seq') ?? 0
    for (const [name, seq] of db.prepare('SELECT name, seq FROM cursor').raw().all() as [string, number][]) this.cursors.set(name, seq)
    this.counters = zeroCounters()
    for (const [name, value] of db.prepare('SELECT name, value FROM counter').raw().all() as [string, number][]) {
      if (name in this.counters) this.counters[name as keyof StoreCounters] = value
    }
    this.setMetaStmt = db.prepare('UPDATE meta SET value = ? WHERE key = ?')
    this.setCounterStmt = db.prepare(
      'INSERT INTO counter (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
    )
    this.saveStateStmt = db.prepare(`UPDATE signal SET compacted_seq = ?, max_ts = ?, raw_from = ?, sealed_t = ?,
      tail_count = ?, tail_n = ? WHERE id = ?`)
    for (const r of db.prepare('SELECT * FROM signal').all() as SignalRowDb[]) this.track(r)
  }

  track(r: SignalRowDb): SignalState {
    const def: SignalDef = { id: r.key, name: r.name, dataType: r.data_type, connection: r.connection }
    if (r.unit !== null) def.unit = r.unit
    if (r.binding !== null) def.binding = r.binding
    if (r.asset_path !== null && r.asset_path !== undefined) def.assetPath = r.asset_path
    const existing = this.signals.get(r.id)
    if (existing) {
      existing.def = def
      return existing
    }
    const s: SignalState = {
      id: r.id,
      def,
      compactedSeq: r.compacted_seq,
      maxTs: r.max_ts,
      rawFrom: r.raw_from,
      sealedT: r.sealed_t,
      tailCount: r.tail_count,
      tailN: r.tail_n,
      lastSeen: r.max_ts,
    }
    this.signals.set(s.id, s)
    this.byId[s.id] = s
    this.byKey.set(def.id, s)
    return s
  }

  /** The slowest cursor (0 when there is none: nothing is delivered). Retention keeps log rows after it. */
  get syncSeq(): number {
    let min = Infinity
    for (const seq of this.cursors.values()) min = Math.min(min, seq)
    return min === Infinity ? 0 : min
  }

  setMeta(key: MetaKey, value: number): void {
    this.setMetaStmt.run(value, key)
  }

  /** Per signal: accepted samples compaction found to be duplicates or expired, not yet taken by `takeResolved`. */
  private readonly resolved = new Map<number, { duplicates: number; expired: number }>()

  countResolved(st: SignalState, kind: 'duplicates' | 'expired', by: number): void {
    if (by === 0) return
    let r = this.resolved.get(st.id)
    if (!r) this.resolved.set(st.id, (r = { duplicates: 0, expired: 0 }))
    r[kind] += by
    this.count(kind, by)
  }

  takeResolved(): { signal: string; duplicates: number; expired: number }[] {
    const out = [...this.resolved].flatMap(([id, r]) => {
      const st = this.byId[id]
      return st ? [{ signal: st.def.id, ...r }] : []
    })
    this.resolved.clear()
    return out
  }

  count(name: keyof StoreCounters, by: number): void {
    if (by === 0) return
    this.counters[name] += by
    this.dirtyCounters.add(name)
  }

  /** Writes changed counters; call inside the transaction that caused them. */
  saveCounters(): void {
    for (const name of this.dirtyCounters) this.setCounterStmt.run(name, this.counters[name])
    this.dirtyCounters.clear()
  }

  /**
   * Runs `fn` in a transaction. Counters and signal states changed through `count` and `touch` are put
   * back if it fails, so memory never runs ahead of the file.
   */
  write<T>(fn: () => T): T {
    const counters = { ...this.counters }
    const dirty = new Set(this.dirtyCounters)
    this.undo = new Map()
    try {
      return this.db.transaction(() => {
        const result = fn()
        this.saveCounters()
        return result
      })()
    } catch (e) {
      Object.assign(this.counters, counters)
      this.dirtyCounters.clear()
      for (const name of dirty) this.dirtyCounters.add(name)
      for (const [state, before] of this.undo) Object.assign(state, before)
      throw e
    } finally {
      this.undo = null
    }
  }

  /** Marks a signal's state as about to change inside `write`; returns it for chaining. */
  touch(s: SignalState): SignalState {
    if (this.undo && !this.undo.has(s)) this.undo.set(s, { ...s })
    return s
  }

  saveState(s: SignalState): void {
    this.saveStateStmt.run(s.compactedSeq, s.maxTs, s.rawFrom, s.sealedT, s.tailCount, s.tailN, s.id)
  }

  /** Rows of a signal in [from, to] not yet compacted, in arrival order (frozen ones first). */
  recentRows(signal: number, from = -Infinity, to = Infinity): Columns {
    return this.recentOf([signal], from, to).get(signal) ?? emptyColumns()
  }

  /** The same for several signals, in one pass over the recent batches. */
  recentOf(signals: readonly number[], from = -Infinity, to = Infinity): Map<number, Columns> {
    const out = new Map(signals.map((id) => [id, new ColumnsBuilder(0)]))
    this.frozen?.collect(out, from, to)
    this.active.collect(out, from, to)
    return new Map([...out].map(([id, b]) => [id, b.view()]))
  }
}

export interface SignalRowDb {
  id: number
  key: string
  name: string
  data_type: SignalDef['dataType']
  unit: string | null
  connection: string
  binding: string | null
  asset_path: string | null
  compacted_seq: number
  max_ts: number
  raw_from: number
  sealed_t: number
  tail_count: number
  tail_n: number
}
