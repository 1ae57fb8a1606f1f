import type { AlarmState, JournalEntry } from '../../shared/contract/alarms'
import type { SampleValue } from '../../shared/model/sample'

/** A journal entry before the journal numbers it. */
export type JournalRecord = Omit<JournalEntry, 'id'>

export interface JournalFilter {
  from?: number | undefined
  to?: number | undefined
  /** Entries of this asset, found by path prefix `assetPaths` (the caller resolves the asset to its path). */
  pathPrefix?: string | undefined
  priority?: readonly JournalEntry['priority'][] | undefined
  state?: readonly JournalEntry['state'][] | undefined
  who?: string | undefined
  text?: string | undefined
}

export interface NuisanceRow {
  key: string
  path: string
  attribute: string
  defId: string
  activations: number
  /** Activations that came three or more within a minute. */
  chattering: number
  /** Occurrences that cleared within a second of raising. */
  fleeting: number
}

/**
 * The alarm journal (adapter: `adapters/app-db`, its own table in the application database). Every transition is
 * appended in order and kept until its own retention by age (never the sample store's); appends are batched, one
 * transaction per batch, so an alarm storm costs a few transactions, not thousands.
 */
export interface AlarmJournal {
  append(entries: readonly JournalRecord[]): void
  /** Newest first; `before`: an entry id to continue below. */
  query(filter: JournalFilter, page: { before?: number | undefined; limit: number }): { items: JournalEntry[]; next: number | null }
  /** Per alarm key since `since` (ms), the most frequent first, at most `limit`. */
  nuisance(since: number, limit: number): NuisanceRow[]
  /** Deletes entries older than `before` (ms); answers how many. */
  prune(before: number): number
}

/** What a notification rule hands its action when an alarm transition matches it. */
export interface NotificationEvent {
  entry: JournalRecord
  /**
   * The payload with `{path}`, `{attribute}`, `{message}`, `{priority}`, `{event}`, `{value}`, `{at}` filled (also
   * `{key}`, `{state}`, `{who}`, `{note}`, `{occurrence}`, `{ms}`; `{at}` is ISO 8601, `{ms}` the epoch ms). Other braces stay as written.
   */
  text(template: string): string
  /** The same, each value JSON-escaped (without quotes), so a JSON template stays valid JSON whatever the message holds. */
  json(template: string): string
}

/**
 * What an alarm's state is made of, as kept across a restart (per alarm key): the filtered condition, the
 * acknowledgement, latching, shelving with its expiry, suppression and out of service, the occurrence and its times,
 * and the value and message of the last transition. The evaluators' working state (delays pending, a rate's previous
 * sample) is not kept: it starts again from the live values.
 */
export interface AlarmStateRecord {
  key: string
  state: AlarmState
  active: boolean
  acked: boolean
  latchedClear: boolean
  occurrence: number
  raisedAt: number | null
  changedAt: number
  shelvedUntil?: number | undefined
  shelveReason?: string | undefined
  suppressed: boolean
  outOfService: boolean
  value?: SampleValue | undefined
  message: string
}

/**
 * Where alarm states are kept so they survive a restart (adapter: `adapters/app-db/alarm-state.ts`, table
 * `alarm_state`; `MemoryAlarmStateStore` without a database). The service writes the alarms that changed at each
 * flush (one call, one transaction) and reads them all once at start, before any sample is judged.
 */
export interface AlarmStateStore {
  load(): AlarmStateRecord[]
  /** Writes (replaces) these states and deletes the `removed` keys, in one transaction. */
  save(states: readonly AlarmStateRecord[], removed: readonly string[]): void
  /**
   * True when the next `save` must carry every alarm: the store's file was swapped since the last write (a restore
   * while running brings a backup's older states). Optional: a store that is never swapped answers nothing.
   */
  needsAll?(): boolean
}
