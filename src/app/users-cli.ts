import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import { migrate } from '../adapters/app-db/migrations'
import { SqliteUserStore } from '../adapters/app-db/users'
import { nodeIdentityCrypto } from '../adapters/identity/node-crypto'
import { Identity } from '../core/identity/identity'
import { openAuditTrail } from '../adapters/app-db/audit-trail'
import { silentLogger } from '../core/ports/logger'
import { systemClock } from '../core/ports/clock'
import { isAppError } from '../shared/model/errors'

/**
 * Console recovery, working on `<DIR>/app.db` directly — whoever has this machine's console and files; never over
 * the network. Plantdeck may run meanwhile (SQLite takes the write; its sessions are checked against the file on
 * every call, so an ended session ends at once).
 *
 *   npm run users -- list --data-dir DIR
 *   npm run users -- reset-password NAME --data-dir DIR [--enable]   (the new password from standard input)
 *   npm run users -- create-admin NAME --data-dir DIR               (the password from standard input)
 *
 * `reset-password` ends the user's sessions; `--enable` also enables a disabled user. A locked-out administrator
 * is one `reset-password admin --enable` away (a failed-login lock lives in the running process and ends by itself).
 */
async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  const { values, positionals } = parseArgs({ args: rest, options: { 'data-dir': { type: 'string' }, enable: { type: 'boolean' } }, allowPositionals: true, strict: true })
  const dataDir = values['data-dir']
  if (!dataDir) throw Object.assign(new Error('--data-dir DIR is required'), { code: 'cli.usage' })
  const file = join(resolve(dataDir), 'app.db')
  if (!existsSync(file)) throw Object.assign(new Error(`no application database at ${file}`), { code: 'model.unknown' })
  const db = new Database(file)
  let audit: ReturnType<typeof openAuditTrail> | undefined
  db.pragma('journal_mode = WAL')
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  try {
    migrate(db)
    const users = new SqliteUserStore(() => db)
    // the console's actions go into the same audit trail as the running process's (`<DIR>/audit.db`, SQLite takes
    // turns); one that cannot be written refuses the action, as everywhere
    audit = openAuditTrail({ path: join(resolve(dataDir), 'audit.db') })
    const identity = new Identity({ users, crypto: nodeIdentityCrypto(), audit, clock: systemClock, log: silentLogger })
    const name = positionals[0]
    if (command === 'list') {
      for (const u of users.listUsers()) console.log(JSON.stringify({ name: u.name, role: u.role, scopes: u.scopes, disabled: u.disabled, sessions: users.listSessions(u.name).length }))
    } else if (command === 'reset-password') {
      if (!name) throw Object.assign(new Error('reset-password NAME'), { code: 'cli.usage' })
      const password = await stdinLine()
      const ended = await identity.resetPassword(null, name, password, 'console')
      if (values.enable) users.updateUser(name, { disabled: false, updatedAt: Date.now() })
      console.log(JSON.stringify({ user: name, endedSessions: ended, enabled: values.enable === true || !users.getUser(name)!.disabled }))
    } else if (command === 'create-admin') {
      if (!name) throw Object.assign(new Error('create-admin NAME'), { code: 'cli.usage' })
      const password = await stdinLine()
      await identity.createUser({ kind: 'user', user: 'console', roles: ['admin'], from: 'console' }, { name, password, role: 'admin' })
      console.log(JSON.stringify({ user: name, role: 'admin' }))
    } else throw Object.assign(new Error(`unknown command "${command ?? ''}" (list, reset-password, create-admin)`), { code: 'cli.usage' })
  } finally {
    audit?.close()
    db.close()
  }
}

async function stdinLine(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('New password (one line, then Enter and Ctrl-D): ')
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '')
}

main(process.argv.slice(2)).catch((e: Error & { code?: string }) => {
  console.error(`${isAppError(e) ? e.code : (e.code ?? 'error')}: ${e.message}`)
  process.exitCode = 1
})
