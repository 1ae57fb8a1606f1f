import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { copyFile, open, realpath, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { AppError } from '../../shared/model/errors'

/**
 * Replaces `file` with `text` so that a crash leaves either the old or the new file, never half of one:
 * a temporary file in the same folder, fsync, then rename over the original (and fsync of the folder).
 * The previous version is kept as `<file>.bak` (one copy). A symlink is followed: its target is replaced.
 * The file's permission bits are kept. A file without any write permission bit is treated as a
 * person's "do not touch" and refused with `config.read_only`, even for root; other failures are
 * `config.write_failed` with the system's reason (ENOSPC, EACCES, EROFS...).
 */
export async function writeFileAtomic(file: string, text: string, o: { backup?: boolean } = {}): Promise<void> {
  let target = file
  let mode = 0o644
  let exists = false
  try {
    target = await realpath(file)
    const st = await stat(target)
    exists = true
    mode = st.mode & 0o7777
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw failed(file, e)
  }
  if (exists && (mode & 0o222) === 0) throw new AppError('config.read_only', `${file} is read-only (mode ${(mode & 0o777).toString(8)}); not changed`)
  const dir = dirname(target)
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode)
    try {
      await fh.writeFile(text, 'utf8')
      await fh.sync()
    } finally {
      await fh.close()
    }
    if (exists && o.backup !== false) await copyFile(target, `${target}.bak`)
    await rename(tmp, target)
  } catch (e) {
    await unlink(tmp).catch(() => undefined)
    throw failed(file, e)
  }
  await syncDir(dir)
}

/** Makes the rename durable; not every platform can open a folder (Windows), which is fine there. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY).catch(() => undefined)
  if (!fh) return
  await fh.sync().catch(() => undefined)
  await fh.close().catch(() => undefined)
}

function failed(file: string, e: unknown): AppError {
  if (e instanceof AppError) return e
  const err = e as NodeJS.ErrnoException
  return new AppError('config.write_failed', `${file}: cannot write (${err.code ?? 'error'}: ${err.message})`)
}
