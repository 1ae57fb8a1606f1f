import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import { backupAppDb, backupFile, checkAppDbFile, restoreAppDb } from '../adapters/app-db/backup'

/**
 * `npm run assets:backup -- --data-dir DIR [--out FILE]`: an online copy of `<DIR>/app.db` (Plantdeck may run).
 * `npm run assets:restore -- --data-dir DIR --from FILE`: replaces it while Plantdeck is stopped (see docs/assets.md).
 * Prints one JSON line; a refusal prints its code and reason and exits 1.
 */
async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  const { values } = parseArgs({ args: rest, options: { 'data-dir': { type: 'string' }, out: { type: 'string' }, from: { type: 'string' } }, strict: true })
  const dataDir = values['data-dir']
  if (!dataDir) throw Object.assign(new Error('--data-dir DIR is required'), { code: 'cli.usage' })
  if (command === 'backup') {
    const file = join(resolve(dataDir), 'app.db')
    if (!existsSync(file)) throw Object.assign(new Error(`no application database at ${file}`), { code: 'model.unknown' })
    checkAppDbFile(file)
    const db = new Database(file, { readonly: true, fileMustExist: true })
    try {
      console.log(JSON.stringify(await backupAppDb(db, resolve(values.out ?? backupFile(dataDir)))))
    } finally {
      db.close()
    }
  } else if (command === 'restore') {
    if (!values.from) throw Object.assign(new Error('--from FILE is required'), { code: 'cli.usage' })
    console.log(JSON.stringify(restoreAppDb({ dataDir: resolve(dataDir), from: resolve(values.from) })))
  } else throw Object.assign(new Error(`unknown command "${command ?? ''}" (backup, restore)`), { code: 'cli.usage' })
}

main(process.argv.slice(2)).catch((e: Error & { code?: string }) => {
  console.error(`${e.code ?? 'error'}: ${e.message}`)
  process.exitCode = 1
})
