import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'

export const INSTALLATION_ID_FILE = 'installation-id'
const VALID = /^[0-9a-f]{32}$/

/**
 * The id of this installation, kept in `<dataDir>/installation-id` (32 hex digits), created on first use.
 * MQTT client ids are derived from it, so a persistent session survives restarts and updates, and two
 * installations on one broker never share a session. Created atomically (a temporary file hard-linked into
 * place), so two processes starting at once agree on one id. An unreadable file (not 32 hex digits) is replaced.
 */
export function installationId(dataDir: string): { id: string; created: boolean } {
  const file = join(dataDir, INSTALLATION_ID_FILE)
  const existing = read(file)
  if (existing) return { id: existing, created: false }
  mkdirSync(dataDir, { recursive: true })
  const id = randomBytes(16).toString('hex')
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  const fd = openSync(tmp, 'wx', 0o644)
  try {
    writeSync(fd, `${id}\n`)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  try {
    if (read(file) === undefined) rmSync(file, { force: true }) // an unreadable one: replaced
    linkSync(tmp, file)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
  } finally {
    rmSync(tmp, { force: true })
  }
  // whoever linked first wins
  const won = read(file) ?? id
  return { id: won, created: won === id }
}

function read(file: string): string | undefined {
  try {
    const s = readFileSync(file, 'utf8').trim()
    return VALID.test(s) ? s : undefined
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
}
