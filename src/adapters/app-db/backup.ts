import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import { AppError } from '../../shared/model/errors'
import { migrate, migrations } from './migrations'
import { carryOverJournal } from './alarm-journal'
import { carryOverUsers } from './users'
import { hasTable } from './previous-file'

/**
 * Online backup and offline restore of the application database. A running Plantdeck holds `app.db.lock`
 * (its process id) from open to close: SQLite's own locks cannot tell, since a WAL database idle between
 * calls holds none. A lock whose process is gone (a crash) does not count.
 */
export const lockFile = (dbFile: string) => `${dbFile}.lock`

/** Takes the lock for this process; the returned function gives it back (only if it is still ours). */
export function holdLock(dbFile: string): () => void {
  const f = lockFile(dbFile)
  writeFileSync(f, String(process.pid))
  return () => {
    if (lockHolder(dbFile) === process.pid) rmSync(f, { force: true })
  }
}

/** The live process holding `dbFile`, if any. */
export function lockHolder(dbFile: string): number | undefined {
  let pid: number
  try {
    pid = Number(readFileSync(lockFile(dbFile), 'utf8').trim())
  } catch {
    return undefined
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined
  try {
    process.kill(pid, 0) // signal 0: only asks whether it exists
    return pid
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined
  }
}

/** `<dataDir>/backups/app-2026-12-02T02-20-00-123Z.db`. */
export function backupFile(dataDir: string, now = new Date()): string {
  return join(dataDir, 'backups', `app-${now.toISOString().replace(/[:.]/g, '-')}.db`)
}

/** Copies the open database to `file` with SQLite's online backup API: writers carry on meanwhile. */
export async function backupAppDb(db: Database.Database, file: string): Promise<{ file: string; bytes: number }> {
  if (existsSync(file)) throw new AppError('model.bad_backup', `"${file}" exists already: name a new file`, { file })
  mkdirSync(dirname(file), { recursive: true })
  await db.backup(file)
  return { file, bytes: statSync(file).size }
}

/** Opens `file` read-only and answers its schema version; refuses what is not an app.db or is newer than this build. */
export function checkAppDbFile(file: string, latest = migrations.length): number {
  const no = (reason: string): never => {
    throw new AppError('model.bad_backup', `"${file}" ${reason}`, { file, reason })
  }
  let db: Database.Database | undefined
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
    const version = db.pragma('user_version', { simple: true }) as number
    const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()
    if (version < 1 || !['asset', 'asset_ref', 'change'].every((t) => tables.includes(t))) no('is not a Plantdeck application database')
    if (version > latest) no(`has schema version ${version}, newer than this build (${latest}): update Plantdeck first`)
    const check = db.pragma('quick_check', { simple: true })
    if (check !== 'ok') no(`is damaged (${String(check)})`)
    return version
  } catch (e) {
    if (e instanceof AppError) throw e
    return no(`cannot be read as SQLite: ${(e as Error).message}`)
  } finally {
    db?.close()
  }
}

export interface RestoreResult {
  file: string
  /** The database it replaced, kept; absent when there was none. */
  previous?: string
  /** Schema version of the restored file, and after its migrations. */
  from: number
  to: number
  /** Alarm journal entries written since the backup, carried over from the replaced file. */
  journalCarried?: number
  /** Users (with their sessions and workspaces) carried over from the replaced file; absent when the backup's were kept. */
  usersCarried?: number
  /** Why nothing was carried over: the replaced file could not be read (it is kept as `app.db.bak` as it was). */
  notCarried?: string
}

/**
 * Replaces `<dataDir>/app.db` with `from` while Plantdeck is stopped: refuses (`model.in_use`) while a live
 * process holds the lock and (`model.bad_backup`) a file that is no app.db or is newer; keeps the previous file
 * as `app.db.bak`, then applies the migrations the restored file lacks. `steps`: for tests.
 */
export function restoreAppDb(o: { dataDir: string; from: string; steps?: typeof migrations }): RestoreResult {
  const steps = o.steps ?? migrations
  const target = join(o.dataDir, 'app.db')
  const holder = lockHolder(target)
  if (holder !== undefined) {
    throw new AppError('model.in_use', `"${target}" is in use by process ${holder}: stop Plantdeck first (if none runs, delete ${lockFile(target)})`, { file: target, pid: holder })
  }
  const version = checkAppDbFile(o.from, steps.length)
  const incoming = `${target}.restore`
  copyFileSync(o.from, incoming)
  const out: RestoreResult = { file: target, from: version, to: version }
  let unreadable: string | undefined
  if (existsSync(target)) {
    // fold a WAL left by the last run into the file, so the .bak is whole; a file that will not open moves as it is
    try {
      const old = new Database(target, { fileMustExist: true })
      try {
        old.pragma('wal_checkpoint(TRUNCATE)')
      } finally {
        old.close()
      }
    } catch (e) {
      unreadable = (e as Error).message
      if (existsSync(`${target}-wal`)) renameSync(`${target}-wal`, `${target}.bak-wal`)
    }
    renameSync(target, `${target}.bak`)
    out.previous = `${target}.bak`
  }
  rmSync(`${target}-wal`, { force: true })
  rmSync(`${target}-shm`, { force: true })
  renameSync(incoming, target)
  const db = new Database(target)
  try {
    migrate(db, steps.length, steps)
    out.to = db.pragma('user_version', { simple: true }) as number
    if (out.previous && unreadable !== undefined) {
      // a damaged file has nothing to give: the backup stands as it is, and the answer says so
      out.notCarried = `${out.previous} could not be read (${unreadable}): nothing carried over from it (the alarm journal since the backup, the users)`
    } else if (out.previous) {
      // the alarm journal is history, not model: what was journaled since the backup stays (docs/alarms.md)
      if (hasTable(db, 'alarm_journal')) out.journalCarried = carryOverJournal(db, out.previous)
      // who may log in is the present, not the backup's day: a deleted user stays deleted, a changed password changed
      if (hasTable(db, 'users')) {
        const carried = carryOverUsers(db, out.previous)
        if (carried !== undefined) out.usersCarried = carried
      }
    }
  } finally {
    db.close()
  }
  return out
}

