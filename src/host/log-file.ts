import { close, open, rename, stat, unlink, write } from 'node:fs'
import { promisify } from 'node:util'

// Why our own destination rather than pino.destination (SonicBoom): on a full disk SonicBoom kept its whole
// backlog and retried it from the event loop (the issue saw the loop stop after ~600 lines on a 256 KB tmpfs),
// then emitted an 'error' nobody handles, which killed the process. This one writes with async fs.write from a
// bounded queue, never throws from write(), drops and counts lines it cannot take, retries the file later on
// its own, and rotates by size.

const pOpen = promisify(open)
const pClose = promisify(close)
const pWrite = promisify(write)
const pStat = promisify(stat)
const pRename = promisify(rename)
const pUnlink = promisify(unlink)

export interface LogFileOptions {
  path: string
  /** Rotate before the file would grow past this (default 10 MiB). */
  maxBytes?: number
  /** Rotated files kept besides the current one: `<path>.1` (newest) … `<path>.N` (default 5). */
  files?: number
  /** Bytes waiting to be written at most; beyond, lines are dropped and counted (default 1 MiB). */
  maxQueueBytes?: number
  /** After a failed write, wait this long before trying the file again (default 1 s); lines meanwhile queue. */
  retryMs?: number
}

export interface LogFileHealth {
  path: string
  /** Lines written to the file. */
  written: number
  /** Lines dropped: the queue was full, or their write failed. */
  dropped: number
  /** Failed writes, opens or rotations. */
  failures: number
  /** Code of the last failure (`ENOSPC`, `EACCES`, …), null when none yet. */
  lastError: string | null
  lastErrorAt: number | null
  /** True while the file is failing: the last attempt failed and none succeeded since. */
  failing: boolean
  /** Rotations done. */
  rotations: number
}

/** A pino destination (it only needs `write(line)`) for one log file. */
export class LogFile {
  private readonly maxBytes: number
  private readonly files: number
  private readonly maxQueueBytes: number
  private readonly retryMs: number
  private queue: string[] = []
  private queuedBytes = 0
  private fd: number | null = null
  private size = 0
  private busy = false
  private retryAt = 0
  private timer: ReturnType<typeof setTimeout> | null = null
  private closed = false
  /** A rotation failed (rename refused): keep writing to the current file, over its size, until then. */
  private noRotateUntil = 0
  private idle: (() => void)[] = []
  private readonly h: LogFileHealth

  constructor(o: LogFileOptions) {
    this.maxBytes = o.maxBytes ?? 10 * 1024 * 1024
    this.files = o.files ?? 5
    this.maxQueueBytes = o.maxQueueBytes ?? 1024 * 1024
    this.retryMs = o.retryMs ?? 1_000
    this.h = { path: o.path, written: 0, dropped: 0, failures: 0, lastError: null, lastErrorAt: null, failing: false, rotations: 0 }
  }

  /** Takes one line; never throws, never blocks. Returns true as a stream would. */
  write(line: string): boolean {
    const bytes = Buffer.byteLength(line)
    if (this.closed || this.queuedBytes + bytes > this.maxQueueBytes) {
      this.h.dropped++
      return true
    }
    this.queue.push(line)
    this.queuedBytes += bytes
    this.kick()
    return true
  }

  health(): LogFileHealth {
    return { ...this.h }
  }

  /** Resolves once nothing is queued or under way, or the file failed (its lines then wait for the retry). */
  flushed(): Promise<void> {
    if (!this.busy && this.queue.length === 0) return Promise.resolve()
    return new Promise((r) => this.idle.push(r))
  }

  async close(): Promise<void> {
    this.closed = true
    await this.flushed()
    if (this.timer) clearTimeout(this.timer)
    this.h.dropped += this.queue.length
    this.queue = []
    this.queuedBytes = 0
    if (this.fd !== null) await pClose(this.fd).catch(() => undefined)
    this.fd = null
  }

  private kick(): void {
    if (this.busy || this.queue.length === 0) return
    const wait = this.retryAt - Date.now()
    if (wait > 0) {
      // lines queue (up to the bound) until the retry; the timer must not keep the process alive
      this.timer ??= setTimeout(() => {
        this.timer = null
        this.kick()
      }, wait)
      this.timer.unref?.()
      return
    }
    this.busy = true
    void this.drain().finally(() => {
      this.busy = false
      if (this.queue.length === 0 || this.h.failing) for (const r of this.idle.splice(0)) r()
      this.kick()
    })
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      let lines: string[] = []
      try {
        if (this.fd === null) await this.openFile()
        lines = this.take()
        if (lines.length === 0) {
          await this.rotate() // the next line does not fit the current file
          lines = this.take()
        }
        const buf = Buffer.from(lines.join(''))
        let off = 0
        while (off < buf.length) off += (await pWrite(this.fd as number, buf, off, buf.length - off)).bytesWritten
        this.size += buf.length
        this.h.written += lines.length
        this.h.failing = false
      } catch (e) {
        // a partly written chunk may leave a torn line; its lines count as dropped
        this.h.dropped += lines.length
        this.h.failures++
        this.h.lastError = (e as NodeJS.ErrnoException).code ?? (e as Error).message
        this.h.lastErrorAt = Date.now()
        this.h.failing = true
        this.retryAt = Date.now() + this.retryMs
        // reopen on the retry: the file may have been replaced, or its folder remounted
        if (this.fd !== null) await pClose(this.fd).catch(() => undefined)
        this.fd = null
        return
      }
    }
  }

  /** Queued lines that fit the current file (an empty file takes at least one, however long). */
  private take(): string[] {
    let room = Date.now() < this.noRotateUntil ? Infinity : this.maxBytes - this.size
    let n = 0
    while (n < this.queue.length) {
      const bytes = Buffer.byteLength(this.queue[n] as string)
      if (bytes > room && (n > 0 || this.size > 0)) break
      room -= bytes
      this.queuedBytes -= bytes
      n++
    }
    return this.queue.splice(0, n)
  }

  private async openFile(): Promise<void> {
    this.fd = await pOpen(this.h.path, 'a')
    this.size = (await pStat(this.h.path)).size
  }

  /** plantdeck.log → .1 → .2 …; the oldest beyond `files` is deleted. A refused rename keeps the current file a while. */
  private async rotate(): Promise<void> {
    const p = this.h.path
    try {
      await pClose(this.fd as number).catch(() => undefined)
      this.fd = null
      await pUnlink(`${p}.${this.files}`).catch(() => undefined)
      for (let i = this.files - 1; i >= 1; i--) await pRename(`${p}.${i}`, `${p}.${i + 1}`).catch(() => undefined)
      if (this.files > 0) await pRename(p, `${p}.1`)
      else await pUnlink(p)
      this.h.rotations++
    } catch (e) {
      this.h.failures++
      this.h.lastError = (e as NodeJS.ErrnoException).code ?? (e as Error).message
      this.h.lastErrorAt = Date.now()
      this.noRotateUntil = Date.now() + 60_000
    }
    await this.openFile()
  }
}
