import { existsSync, readdirSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import { AppError } from '../../shared/model/errors'
import type { AssetFiles, AssetStore } from '../../core/ports/asset-store'
import { backupAppDb, backupFile, checkAppDbFile, restoreAppDb } from './backup'
import { openAppDb, type SqliteAssetStore } from './sqlite-asset-store'

/**
 * The application database behind one stable AssetStore, so a restore can run while Plantdeck does: the open file
 * is closed, the backup put in its place (the old file kept as `app.db.bak`), and the store reopened; every caller
 * keeps the same object. A backup that does not pass the checks is refused before anything is closed.
 */
export class AppDbHandle {
  private current: SqliteAssetStore
  readonly store: AssetStore
  readonly files: AssetFiles

  constructor(private readonly dataDir: string) {
    const path = join(dataDir, 'app.db')
    const open = () => openAppDb({ path })
    this.current = open()
    this.store = new Proxy({} as AssetStore, {
      get: (_t, key) => {
        const v = (this.current as unknown as Record<PropertyKey, unknown>)[key]
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(this.current) : v
      },
    })
    const dir = join(dataDir, 'backups')
    this.files = {
      backup: () => backupAppDb(this.current.db, backupFile(dataDir)),
      list: () => {
        if (!existsSync(dir)) return []
        return readdirSync(dir)
          .filter((n) => n.endsWith('.db'))
          .map((name) => {
            const st = statSync(join(dir, name))
            return { name, bytes: st.size, at: st.mtimeMs }
          })
          .sort((a, b) => b.at - a.at || b.name.localeCompare(a.name))
      },
      restore: async (name) => {
        const from = join(dir, name)
        if (basename(name) !== name || !name.endsWith('.db') || !existsSync(from)) {
          throw new AppError('model.bad_backup', `"${name}" is not a backup in ${dir}`, { name })
        }
        checkAppDbFile(from) // refused here, the open database is untouched
        this.current.close()
        try {
          const r = restoreAppDb({ dataDir: this.dataDir, from })
          return { restored: name, previous: r.previous ?? null, from: r.from, to: r.to }
        } finally {
          // the restored file, or (had the swap failed) the one that was there
          this.current = open()
        }
      },
    }
  }

  close(): void {
    this.current.close()
  }
}
