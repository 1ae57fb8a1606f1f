import type { SampleAccount, SampleBatch, SampleRejectReason } from '../../shared/model'
import type { AppendReceipt, SignalResolution, StoreRejection } from '../ports/sample-store'

/** The store's reasons under the names the decoders use, so one reason is one name on screen and in the API. */
const STORE_REASON: Readonly<Record<StoreRejection, SampleRejectReason>> = {
  unknownSignal: 'unknown_signal',
  wrongType: 'wrong_type',
  badTimestamp: 'bad_timestamp',
  futureTimestamp: 'future_timestamp',
  expired: 'expired',
}

type Counts = Record<SampleRejectReason, number>

interface Entry {
  connection: string
  received: number
  /** Accepted by the store (committed); duplicates and late expiries are taken off when compaction resolves them. */
  accepted: number
  duplicates: number
  lateExpired: number
  inFlight: number
  rejected: Counts
}

/** Samples of one append, per signal: what `settle` / `fail` need to close the books on it. */
export type Handed = ReadonlyMap<string, number>

const bump = (m: Counts, reason: SampleRejectReason, by: number) => {
  if (by !== 0) m[reason] = (m[reason] ?? 0) + by
}

/**
 * Where every sample went, per signal and per connection, since start:
 * `received = stored + duplicates + Σ rejected + inFlight` holds at every moment.
 * - received: samples a source offered (one per mapped field of a message), good or not;
 * - rejected: refused by the decoder or the store, by reason (`store_failed`: the store could not commit);
 * - duplicates: replaced by a later sample of the same signal and timestamp (a redelivery);
 * - inFlight: handed to the store, its answer not back yet;
 * - stored: what remains, the samples history holds.
 * Duplicates and late expiries are known once the store compacts (seconds later): until then they count as stored.
 * Rejections that name no signal (a message no mapping could read at all, a Sparkplug node without birth) are
 * counted per connection as `unassigned`: they are messages, not samples of a known signal.
 */
export class SampleAccounting {
  private readonly signals = new Map<string, Entry>()
  /** Per connection, the sum of its signals' entries, kept as they change (the status bar reads it every second). */
  private readonly totals = new Map<string, Entry>()
  private readonly unassigned = new Map<string, Counts>()

  private entry(signal: string, connection: string): Entry {
    let e = this.signals.get(signal)
    if (!e) {
      e = empty(connection)
      this.signals.set(signal, e)
    }
    return e
  }

  private total(connection: string): Entry {
    let t = this.totals.get(connection)
    if (!t) this.totals.set(connection, (t = empty(connection)))
    return t
  }

  /** Applies a change to a signal's entry and to its connection's total. */
  private add(e: Entry, field: 'received' | 'accepted' | 'duplicates' | 'lateExpired' | 'inFlight', by: number): void {
    e[field] += by
    this.total(e.connection)[field] += by
  }

  private reject(e: Entry, reason: SampleRejectReason, by: number): void {
    bump(e.rejected, reason, by)
    bump(this.total(e.connection).rejected, reason, by)
  }

  /** A batch goes to the store: each sample is received and in flight. */
  handed(connection: string, batch: SampleBatch): Handed {
    const per = new Map<string, number>()
    for (const s of batch) per.set(s.signal, (per.get(s.signal) ?? 0) + 1)
    for (const [signal, n] of per) {
      const e = this.entry(signal, connection)
      this.add(e, 'received', n)
      this.add(e, 'inFlight', n)
    }
    return per
  }

  /** Samples a collector had no store for (no history configured): received and kept in memory, as stored. */
  kept(connection: string, batch: SampleBatch): void {
    for (const [signal, n] of this.handed(connection, batch)) {
      const e = this.entry(signal, connection)
      this.add(e, 'inFlight', -n)
      this.add(e, 'accepted', n)
    }
  }

  /** The store answered an append of `handed`. */
  settle(handed: Handed, receipt: AppendReceipt): void {
    const refused = new Map<string, number>()
    for (const r of receipt.rejections ?? []) {
      const e = this.signals.get(r.signal)
      if (!e) continue
      this.reject(e, STORE_REASON[r.reason], r.count)
      refused.set(r.signal, (refused.get(r.signal) ?? 0) + r.count)
    }
    for (const [signal, n] of handed) {
      const e = this.signals.get(signal)
      if (!e) continue
      this.add(e, 'inFlight', -n)
      this.add(e, 'accepted', n - (refused.get(signal) ?? 0))
    }
  }

  /** The append failed: nothing of it was stored (its messages stay unacknowledged upstream and may come again). */
  fail(handed: Handed): void {
    for (const [signal, n] of handed) {
      const e = this.signals.get(signal)
      if (!e) continue
      this.add(e, 'inFlight', -n)
      this.reject(e, 'store_failed', n)
    }
  }

  /** Compaction found accepted samples that do not stay. */
  resolved(signals: readonly SignalResolution[]): void {
    for (const r of signals) {
      const e = this.signals.get(r.signal)
      if (!e) continue
      this.add(e, 'duplicates', r.duplicates)
      this.add(e, 'lateExpired', r.expired)
      this.reject(e, 'expired', r.expired)
    }
  }

  /**
   * A decoder refused a sample of `signal` (counted as received and rejected), or a message naming no signal.
   * Reason `duplicate`: a redelivery of a message already stored, counted as received and duplicate.
   */
  rejected(connection: string, signal: string | undefined, reason: SampleRejectReason, by = 1): void {
    if (reason === 'duplicate' && signal !== undefined) {
      const e = this.entry(signal, connection)
      this.add(e, 'received', by)
      this.add(e, 'accepted', by)
      this.add(e, 'duplicates', by)
      return
    }
    if (signal === undefined) {
      let m = this.unassigned.get(connection)
      if (!m) this.unassigned.set(connection, (m = {}))
      bump(m, reason, by)
      return
    }
    const e = this.entry(signal, connection)
    this.add(e, 'received', by)
    this.reject(e, reason, by)
  }

  signal(signal: string): (SampleAccount & { signal: string; connection: string }) | undefined {
    const e = this.signals.get(signal)
    return e ? { signal, connection: e.connection, ...account(e) } : undefined
  }

  /** Signals with anything other than clean storage: rejections or duplicates (for the engineering view). */
  troubled(limit: number): (SampleAccount & { signal: string; connection: string })[] {
    const out: (SampleAccount & { signal: string; connection: string })[] = []
    for (const [signal, e] of this.signals) {
      if (e.duplicates === 0 && Object.keys(e.rejected).length === 0) continue
      out.push({ signal, connection: e.connection, ...account(e) })
      if (out.length >= limit) break
    }
    return out
  }

  connection(connection: string): SampleAccount & { unassigned: Counts } {
    return { ...account(this.totals.get(connection) ?? empty(connection)), unassigned: { ...(this.unassigned.get(connection) ?? {}) } }
  }
}

const empty = (connection: string): Entry => ({ connection, received: 0, accepted: 0, duplicates: 0, lateExpired: 0, inFlight: 0, rejected: {} })

function account(e: Entry): SampleAccount {
  const rejectedTotal = Object.values(e.rejected).reduce((a, n) => a + n, 0)
  return {
    received: e.received,
    stored: e.accepted - e.duplicates - e.lateExpired,
    duplicates: e.duplicates,
    rejected: rejectedTotal,
    rejectedBy: { ...e.rejected },
    inFlight: e.inFlight,
  }
}
