import type { Database } from 'better-sqlite3'
import { up as initial } from './001-initial'
import { up as rollups } from './002-rollups'
import { up as assetPaths } from './003-asset-paths'
import { up as cursors } from './004-cursors'

/** Schema versions in order; the file's `user_version` is the number applied. Append only. */
export const migrations: readonly ((db: Database) => void)[] = [initial, rollups, assetPaths, cursors]

export const LATEST_VERSION = migrations.length

/** Brings the file to `target` (default: latest), one transaction per step. */
export function migrate(db: Database, target = LATEST_VERSION): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > LATEST_VERSION) {
    throw new Error(`store file has schema version ${current}, newer than this build (${LATEST_VERSION}): update Plantdeck`)
  }
  for (let v = current; v < target; v++) {
    const step = migrations[v]
    if (!step) break
    db.transaction(() => {
      step(db)
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
}
