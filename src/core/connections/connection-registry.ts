import type { ConnectionKind, ConnectionState } from '../../shared/model'
import type { Clock } from '../ports/clock'
import type { CollectorState } from '../ports/collector'

/**
 * Health and counters of every connection. Health changes are pushed at once;
 * counter-only changes at most once per `counterIntervalMs`.
 */
export class ConnectionRegistry {
  private readonly states = new Map<string, ConnectionState>()
  private readonly dirty = new Set<string>()
  private readonly listeners = new Set<(s: ConnectionState) => void>()
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(
    private readonly clock: Clock,
    private readonly counterIntervalMs = 1000,
  ) {}

  add(c: { id: string; kind: ConnectionKind; name: string; target: string }): void {
    this.states.set(c.id, { ...c, health: 'stopped', since: this.clock.now(), samples: 0, stored: 0, duplicates: 0, rejected: 0 })
  }

  setState(id: string, st: CollectorState): void {
    const cur = this.states.get(id)
    if (!cur) return
    if (cur.health === st.health && cur.reason === st.reason && cur.code === st.code && cur.detail === st.detail) return
    const next: ConnectionState = { ...cur, health: st.health, since: this.clock.now() }
    if (st.reason !== undefined) next.reason = st.reason
    else delete next.reason
    if (st.code !== undefined) next.code = st.code
    else delete next.code
    if (st.detail !== undefined) next.detail = st.detail
    else delete next.detail
    this.states.set(id, next)
    this.dirty.delete(id)
    this.emit(next)
  }

  count(id: string, c: Pick<ConnectionState, 'samples' | 'stored' | 'duplicates' | 'rejected'>): void {
    const cur = this.states.get(id)
    if (!cur || (cur.samples === c.samples && cur.stored === c.stored && cur.duplicates === c.duplicates && cur.rejected === c.rejected)) return
    this.states.set(id, { ...cur, samples: c.samples, stored: c.stored, duplicates: c.duplicates, rejected: c.rejected })
    this.dirty.add(id)
  }

  list(): ConnectionState[] {
    return [...this.states.values()]
  }

  onChange(cb: (s: ConnectionState) => void): () => void {
    this.listeners.add(cb)
    return () => this.listeners.delete(cb)
  }

  start(): void {
    this.timer ??= setInterval(() => this.flush(), this.counterIntervalMs)
    this.timer.unref?.()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  /** Push counter changes accumulated since the last flush. */
  flush(): void {
    for (const id of this.dirty) {
      const s = this.states.get(id)
      if (s) this.emit(s)
    }
    this.dirty.clear()
  }

  private emit(s: ConnectionState) {
    for (const cb of this.listeners) cb(s)
  }
}
