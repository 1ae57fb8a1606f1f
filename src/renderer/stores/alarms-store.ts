import { create } from 'zustand'
import type { Alarm, AlarmPriority } from '../../shared/contract/alarms'
import type { ErrorShape } from '../../shared/model'

export const PRIORITIES: readonly AlarmPriority[] = ['critical', 'high', 'medium', 'low']
const RANK: Record<AlarmPriority, number> = { critical: 0, high: 1, medium: 2, low: 3 }

type Counts = { unack: Record<AlarmPriority, number>; active: number }

interface AlarmsState {
  /** Every alarm not `normal`, by key (an alarm that goes back to normal and is acknowledged leaves). */
  byKey: Record<string, Alarm>
  counts: Counts
  /** Keys whose sound the operator silenced (until the alarm's next occurrence). */
  silenced: Record<string, number>
  error?: ErrorShape
  /** False until the first `alarms.list` answer. */
  loaded: boolean
  setAll(items: readonly Alarm[], counts: Counts): void
  apply(items: readonly Alarm[], counts: Counts): void
  silence(key: string, occurrence: number): void
  setError(e: ErrorShape | undefined): void
}

const zero = (): Counts => ({ unack: { critical: 0, high: 0, medium: 0, low: 0 }, active: 0 })

/** Alarms as the core pushes them (`alarms.changed`, batched): one store update per batch, never per alarm. */
export const useAlarmsStore = create<AlarmsState>()((set) => ({
  byKey: {},
  counts: zero(),
  silenced: {},
  loaded: false,
  setAll: (items, counts) => set({ byKey: Object.fromEntries(items.filter((a) => a.state !== 'normal').map((a) => [a.key, a])), counts, loaded: true, error: undefined }),
  apply: (items, counts) =>
    set((s) => {
      const byKey = { ...s.byKey }
      for (const a of items) {
        if (a.state === 'normal') delete byKey[a.key]
        else byKey[a.key] = a
      }
      return { byKey, counts }
    }),
  silence: (key, occurrence) => set((s) => ({ silenced: { ...s.silenced, [key]: occurrence } })),
  setError: (error) => set({ error }),
}))

/** Highest priority first, then newest first. */
export function byUrgency(a: Alarm, b: Alarm): number {
  return RANK[a.priority] - RANK[b.priority] || (b.raisedAt ?? b.changedAt) - (a.raisedAt ?? a.changedAt)
}

/** Unacknowledged: raised and not acknowledged, active or returned to normal. */
export const isUnack = (a: Alarm) => a.state === 'unack' || a.state === 'rtn_unack'

/** The alarm the banner shows: the newest unacknowledged one of the highest priority. */
export function headline(byKey: Record<string, Alarm>): Alarm | undefined {
  let best: Alarm | undefined
  for (const a of Object.values(byKey)) if (isUnack(a) && (!best || byUrgency(a, best) < 0)) best = a
  return best
}

/** The worst alarm on an asset or anywhere under it (by path), for the tree's mark, as `priority:unack`; '' when none is active or unacknowledged. */
export function alarmUnder(byKey: Record<string, Alarm>, path: string): string {
  let best: Alarm | undefined
  const prefix = `${path}/`
  for (const a of Object.values(byKey)) {
    if (!(a.active || isUnack(a)) || a.state === 'shelved' || a.state === 'suppressed' || a.state === 'out_of_service') continue
    if (a.path !== path && !a.path.startsWith(prefix)) continue
    if (!best || RANK[a.priority] < RANK[best.priority] || (RANK[a.priority] === RANK[best.priority] && isUnack(a) && !isUnack(best))) best = a
  }
  return best ? `${best.priority}:${isUnack(best)}` : ''
}

/** The worst alarm on one attribute of an asset (for the faceplate's row), as `priority:unack`, or '' when none. */
export function alarmOn(byKey: Record<string, Alarm>, assetId: string, attribute: string): string {
  let best: Alarm | undefined
  for (const a of Object.values(byKey)) {
    if (a.assetId !== assetId || a.attribute !== attribute || !(a.active || isUnack(a))) continue
    if (a.state === 'shelved' || a.state === 'suppressed' || a.state === 'out_of_service') continue
    if (!best || RANK[a.priority] < RANK[best.priority]) best = a
  }
  return best ? `${best.priority}:${isUnack(best)}` : ''
}
