import type { JournalEntry } from '../../shared/contract/alarms'
import type { AlarmJournal, JournalFilter, JournalRecord, NuisanceRow } from './ports'

/** A minute, for chattering: three or more activations of one alarm within it. */
const CHATTER_WINDOW_MS = 60_000
const CHATTER_COUNT = 3
/** An occurrence that cleared within this of raising is fleeting. */
const FLEETING_MS = 1000

/**
 * The alarm journal in memory, with the port's semantics (ids in append order, newest first, paged by `before`,
 * filters, nuisance counts, prune by age), for hosts and tests without an application database. Bounded: past
 * `capacity` entries the oldest go (counted in `dropped`); nothing survives a restart.
 */
export class MemoryAlarmJournal implements AlarmJournal {
  private readonly entries: JournalEntry[] = []
  private nextId = 1
  /** Entries that went for the capacity. */
  dropped = 0
  /** `append` calls (each one batch). */
  batches = 0

  constructor(private readonly capacity = 200_000) {}

  append(records: readonly JournalRecord[]): void {
    if (records.length === 0) return
    this.batches++
    for (const r of records) this.entries.push({ id: this.nextId++, ...r })
    const over = this.entries.length - this.capacity
    if (over > 0) {
      this.entries.splice(0, over)
      this.dropped += over
    }
  }

  query(filter: JournalFilter, page: { before?: number | undefined; limit: number }): { items: JournalEntry[]; next: number | null } {
    const match = matcher(filter)
    const items: JournalEntry[] = []
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!
      if (page.before !== undefined && e.id >= page.before) continue
      if (!match(e)) continue
      if (items.length === page.limit) return { items, next: items[items.length - 1]!.id }
      items.push(e)
    }
    return { items, next: null }
  }

  nuisance(since: number, limit: number): NuisanceRow[] {
    const per = new Map<string, { row: NuisanceRow; raises: JournalEntry[]; cleared: Map<number, number> }>()
    for (const e of this.entries) {
      if (e.at < since) continue
      if (e.event !== 'raise' && e.event !== 'clear') continue
      let p = per.get(e.key)
      if (!p) per.set(e.key, (p = { row: { key: e.key, path: e.path, attribute: e.attribute, defId: e.defId, activations: 0, chattering: 0, fleeting: 0 }, raises: [], cleared: new Map() }))
      if (e.event === 'raise') p.raises.push(e)
      else if (!p.cleared.has(e.occurrence)) p.cleared.set(e.occurrence, e.at)
    }
    for (const p of per.values()) {
      p.row.activations = p.raises.length
      const chatter = new Set<number>()
      for (let i = 0, j = 0; i < p.raises.length; i++) {
        while (j < p.raises.length && p.raises[j]!.at - p.raises[i]!.at < CHATTER_WINDOW_MS) j++
        if (j - i >= CHATTER_COUNT) for (let k = i; k < j; k++) chatter.add(k)
      }
      p.row.chattering = chatter.size
      p.row.fleeting = p.raises.filter((r) => {
        const c = p.cleared.get(r.occurrence)
        return c !== undefined && c - r.at < FLEETING_MS
      }).length
    }
    return [...per.values()]
      .map((p) => p.row)
      .filter((r) => r.activations > 0)
      .sort((a, b) => b.activations - a.activations || a.key.localeCompare(b.key))
      .slice(0, limit)
  }

  prune(before: number): number {
    const rest = this.entries.filter((e) => e.at >= before)
    const gone = this.entries.length - rest.length
    this.entries.length = 0
    for (const e of rest) this.entries.push(e)
    return gone
  }

  get size(): number {
    return this.entries.length
  }
}

/** The port's filter as a predicate (shared by adapters that filter in memory). */
export function matcher(f: JournalFilter): (e: JournalEntry) => boolean {
  const words = f.text?.toLowerCase().split(/\s+/).filter(Boolean) ?? []
  const who = f.who?.toLowerCase()
  return (e) => {
    if (f.from !== undefined && e.at < f.from) return false
    if (f.to !== undefined && e.at > f.to) return false
    if (f.pathPrefix !== undefined && e.path !== f.pathPrefix && !e.path.startsWith(`${f.pathPrefix}/`)) return false
    if (f.priority?.length && !f.priority.includes(e.priority)) return false
    if (f.state?.length && !f.state.includes(e.state)) return false
    if (who !== undefined && !e.who.toLowerCase().includes(who)) return false
    if (words.length > 0) {
      const hay = `${e.message} ${e.path} ${e.attribute}`.toLowerCase()
      if (!words.every((w) => hay.includes(w))) return false
    }
    return true
  }
}
