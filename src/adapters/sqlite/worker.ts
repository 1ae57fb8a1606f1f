import { parentPort, workerData } from 'node:worker_threads'
import { STORE_DISK_FULL, type StoreEvent, type StoreState } from '../../core/ports/sample-store'
import { StoreEngine } from './engine'
import type { Notice, Reply, Request, WorkerApi, WorkerData } from './protocol'

// The store's thread. Requests are served in arrival order; consecutive appends share one commit.
// Between requests, compaction runs in slices of SLICE_MS so an append waits at most about that long.

const SLICE_MS = 20
/** After background work fails, leave it alone this long rather than failing on every request. */
const BACKOFF_MS = 5_000

if (!parentPort) throw new Error('worker.ts must run in a worker thread')
const port = parentPort
const { options } = workerData as WorkerData
const post = (m: Notice | Reply) => port.postMessage(m)

let clockOffset = 0
let engine: StoreEngine
try {
  engine = new StoreEngine(options.engine, () => Date.now() + clockOffset)
} catch (e) {
  post({ type: 'fatal', error: errorText(e) })
  throw e
}

const queue: Request[] = []
let scheduled = false
let closed = false
let backgroundPausedUntil = 0
let lastRetention = Date.now()
/** Set by a write that failed for want of space, cleared by the next append that commits (see StoreState). */
let state: StoreState = 'ok'

const handlers: { [M in keyof WorkerApi]: (...args: Parameters<WorkerApi[M]>) => ReturnType<WorkerApi[M]> } = {
  append: () => {
    throw new Error('append is batched')
  },
  registerSignals: (defs) => {
    engine.registerSignals(defs)
    return engine.signalRefs()
  },
  listSignals: () => engine.listSignals(),
  queryRaw: (signal, from, to, limit) => engine.queryRaw(signal, from, to, limit),
  queryBuckets: (q) => engine.queryBuckets(q),
  latest: (signals) => engine.latest(signals),
  count: (signal, from, to) => engine.count(signal, from, to),
  setSyncWatermark: (seq) => engine.setSyncWatermark(seq),
  setCursor: (name, seq) => engine.setCursor(name, seq),
  cursors: () => engine.cursors(),
  removeCursor: (name) => engine.removeCursor(name),
  backlog: (after) => engine.backlog(after),
  readSince: (after, max) => engine.readSince(after, max),
  readSinceWire: (after, max) => engine.readSinceWire(after, max),
  maintain: () => {
    const { report, retention } = engine.maintain()
    announceBudget(retention.budget)
    announceResolved()
    return report
  },
  stats: () => ({ ...engine.stats(), state }),
  setMaxPageCount: (pages) => engine.setMaxPageCount(pages),
  close: () => {
    closed = true
    clearInterval(timer)
    engine.close()
  },
}

port.on('message', (r: Request) => {
  clockOffset = r.now - Date.now()
  queue.push(r)
  schedule()
})

const timer = setInterval(schedule, 1_000)
post({ type: 'ready', signals: engine.signalRefs(), durableSeq: engine.s.lastSeq, recovery: engine.recovery })

function schedule(): void {
  if (scheduled || closed) return
  scheduled = true
  setImmediate(pump)
}

function pump(): void {
  scheduled = false
  background(() => {
    // Every step makes progress (grouping or compacting), so this ends; a failure ends it by throwing.
    while (engine.recentSamples > options.maxRecentSamples && engine.compactionDue()) engine.compactStep(SLICE_MS)
  })
  while (queue.length > 0 && !closed) {
    const head = queue[0]
    if (head?.method === 'append') serveAppends()
    else if (head) serve(queue.shift() as Request)
  }
  if (closed) {
    port.close()
    return
  }
  background(() => {
    if (!engine.compactionDue()) return
    engine.compactStep(SLICE_MS)
    schedule()
  })
  announceResolved()
  background(() => {
    if (Date.now() - lastRetention < options.retentionIntervalMs) return
    lastRetention = Date.now()
    announceBudget(engine.enforceRetention().budget)
  })
}

function serveAppends(): void {
  const group: Extract<Request, { method: 'append' }>[] = []
  while (queue[0]?.method === 'append') group.push(queue.shift() as Extract<Request, { method: 'append' }>)
  try {
    const receipts = engine.append(group.map((r) => r.args[0]))
    // Before the receipts, so that `durableSeq` already covers a receipt when its promise resolves.
    post({ type: 'durable', seq: engine.s.lastSeq })
    group.forEach((r, i) => post({ id: r.id, ok: true, result: receipts[i] }))
    setState('ok', 'an append committed')
  } catch (e) {
    const reply = failure(e)
    for (const r of group) post({ id: r.id, ...reply })
  }
}

function serve(r: Request): void {
  try {
    const handler = handlers[r.method] as (...args: unknown[]) => unknown
    post({ id: r.id, ok: true, result: handler(...r.args) })
  } catch (e) {
    post({ id: r.id, ...failure(e) })
  }
}

function background(work: () => void): void {
  if (Date.now() < backgroundPausedUntil) return
  try {
    work()
  } catch (e) {
    backgroundPausedUntil = Date.now() + BACKOFF_MS
    if (noRoom(e)) setState('full', errorText(e))
    event({ type: 'error', message: errorText(e) })
  }
}

function announceBudget(budget: { rawSamples: number; rollupRows: number; undeliveredSamples: number } | null): void {
  if (!budget || budget.rawSamples + budget.rollupRows + budget.undeliveredSamples === 0) return
  event({ type: 'budget-deleted', ...budget })
}

function announceResolved(): void {
  const signals = engine.takeResolved()
  if (signals.length > 0) event({ type: 'resolved', signals })
}

function event(e: StoreEvent): void {
  post({ type: 'event', event: e })
}

/** SQLITE_FULL: the disk is full, or the file reached its page limit. The transaction was rolled back. */
function noRoom(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === 'SQLITE_FULL'
}

function failure(e: unknown): { ok: false; error: string; code?: string } {
  if (!noRoom(e)) return { ok: false, error: errorText(e) }
  setState('full', errorText(e))
  return { ok: false, code: STORE_DISK_FULL, error: `${STORE_DISK_FULL}: no room on disk, nothing of this call was stored (${errorText(e)})` }
}

function setState(next: StoreState, message: string): void {
  if (next === state) return
  state = next
  event({ type: 'state', state, message })
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
