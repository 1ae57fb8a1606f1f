/**
 * Sampling for the log line written per rejected RPC message: per code, the first `firstN` of an interval are
 * logged one by one and the rest only counted, then summarised in one line when the interval ends. A flood of bad
 * messages thus costs at most `firstN + 1` lines per code per interval; the full counts live in `system.diagnostics`.
 */
export interface RejectLogSink {
  one(code: string, session: number, detail: string): void
  /** `count` more rejections with this code were not logged one by one during the last `intervalMs`. */
  summary(code: string, count: number, intervalMs: number): void
}

export interface RejectLogOptions {
  /** Logged one by one per code and interval (default 10). */
  firstN?: number
  /** Default 10 s. */
  intervalMs?: number
  now?: () => number
}

export interface RejectLog {
  record(code: string, session: number, detail: string): void
  /** Writes the pending summaries now and stops the timers (host shutdown). */
  flush(): void
}

export function createRejectLog(sink: RejectLogSink, o: RejectLogOptions = {}): RejectLog {
  const firstN = o.firstN ?? 10
  const intervalMs = o.intervalMs ?? 10_000
  const now = o.now ?? Date.now
  const windows = new Map<string, { start: number; logged: number; more: number; timer?: ReturnType<typeof setTimeout> }>()

  const close = (code: string) => {
    const w = windows.get(code)
    if (!w) return
    windows.delete(code)
    if (w.timer) clearTimeout(w.timer)
    if (w.more > 0) sink.summary(code, w.more, intervalMs)
  }

  return {
    record(code, session, detail) {
      let w = windows.get(code)
      if (w && now() - w.start >= intervalMs) {
        close(code)
        w = undefined
      }
      if (!w) windows.set(code, (w = { start: now(), logged: 0, more: 0 }))
      if (w.logged < firstN) {
        w.logged++
        sink.one(code, session, detail)
        return
      }
      w.more++
      if (!w.timer) {
        // The summary must come even if the flood stops; unref: a pending summary never keeps the process alive.
        w.timer = setTimeout(() => close(code), Math.max(0, w.start + intervalMs - now()))
        ;(w.timer as { unref?: () => void }).unref?.()
      }
    },
    flush() {
      for (const code of [...windows.keys()]) close(code)
    },
  }
}
