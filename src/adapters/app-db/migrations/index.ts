import type { Database } from 'better-sqlite3'
import { up as assets } from './001-assets'
import { up as templates } from './002-templates'
import { up as ftsByWriter } from './003-fts-by-writer'
import { up as alarmJournal } from './004-alarm-journal'
import { up as alarmState } from './005-alarm-state'
import { up as users } from './006-users'
import { up as workspace } from './007-workspace'

/** Schema versions of the application database in order; the file's `user_version` is the number applied. Append only. */
export const migrations: readonly ((db: Database) => void)[] = [assets, templates, ftsByWriter, alarmJournal, alarmState, users, workspace]

export const LATEST_VERSION = migrations.length

/** Brings the file to `target` (default: latest), one transaction per step; `steps`: the list (tests add to it). */
export function migrate(db: Database, target?: number, steps: readonly ((db: Database) => void)[] = migrations): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > steps.length) {
    throw new Error(`application database has schema version ${current}, newer than this build (${steps.length}): update Plantdeck`)
  }
  for (let v = current; v < (target ?? steps.length); v++) {
    const step = steps[v]
    if (!step) break
    db.transaction(() => {
      step(db)
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
}
