import type { AlarmStateRecord, AlarmStateStore } from './ports'

/**
 * Alarm states in memory, with the port's semantics (a save replaces per key, `removed` deletes), for hosts and tests
 * without an application database. Shared between two services (a restart in a test), it carries state across.
 */
export class MemoryAlarmStateStore implements AlarmStateStore {
  private readonly states = new Map<string, AlarmStateRecord>()
  /** `save` calls (one per flush with changes). */
  saves = 0

  load(): AlarmStateRecord[] {
    return [...this.states.values()].map((s) => ({ ...s }))
  }

  save(states: readonly AlarmStateRecord[], removed: readonly string[]): void {
    if (states.length === 0 && removed.length === 0) return
    this.saves++
    for (const k of removed) this.states.delete(k)
    for (const s of states) this.states.set(s.key, { ...s })
  }

  get size(): number {
    return this.states.size
  }
}
