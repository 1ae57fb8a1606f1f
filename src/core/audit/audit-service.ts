import { stringify } from 'csv-stringify/sync'
import type { Contract } from '../../shared/contract'
import { AppError } from '../../shared/model/errors'
import type { HandlerMap } from '../../shared/rpc/server'
import type { AuditRecord, AuditTrail } from '../ports/audit'
import type { Clock } from '../ports/clock'
import type { AuditFilter, AuditStore } from './audit-store'
import { ChainCheck } from './chain'

/** `audit.csv` bounds: rows, and characters of text (a reply stays well under the RPC layer's limits). */
export const CSV_MAX_ROWS = 20_000
export const CSV_MAX_CHARS = 16 * 1024 * 1024

export const isAuditStore = (t: AuditTrail | undefined): t is AuditStore =>
  t !== undefined && typeof (t as Partial<AuditStore>).query === 'function' && typeof (t as Partial<AuditStore>).records === 'function'

const json = (v: unknown) => (v === undefined ? '' : JSON.stringify(v))
const CSV_HEAD = ['id', 'at', 'action', 'user', 'from', 'target', 'oldValue', 'newValue', 'result', 'detail', 'prevHash', 'hash']
const csvRow = (r: AuditRecord) => [String(r.id), new Date(r.at).toISOString(), r.action, r.user ?? '', r.from, r.target ?? '', json(r.oldValue), json(r.newValue), r.result, r.detail ?? '', r.prevHash, r.hash]

/**
 * `audit.search`, `audit.csv`, `audit.verify` over the trail's reading side. A trail without one (an append-only
 * port a test hands in) answers `audit.unavailable`.
 */
export function createAuditHandlers(trail: AuditTrail | undefined, clock: Pick<Clock, 'now'>): Pick<HandlerMap<Contract>, 'audit.search' | 'audit.csv' | 'audit.verify'> {
  const store = (): AuditStore => {
    if (!isAuditStore(trail)) throw new AppError('audit.unavailable', 'this host keeps no searchable audit trail')
    return trail
  }
  const filter = (q: AuditFilter): AuditFilter => {
    const f: AuditFilter = {}
    if (q.from !== undefined) f.from = q.from
    if (q.to !== undefined) f.to = q.to
    if (q.user !== undefined && q.user !== '') f.user = q.user
    if (q.action !== undefined && q.action !== '') f.action = q.action
    if (q.target !== undefined && q.target !== '') f.target = q.target
    if (q.result !== undefined && q.result !== '') f.result = q.result
    if (q.failed) f.failed = true
    return f
  }
  return {
    'audit.search': ({ before, limit, ...q }) => store().query(filter(q), { before, limit: limit ?? 200 }),
    'audit.csv': (q) => {
      const s = store()
      const f = filter(q)
      let text = stringify([CSV_HEAD], { record_delimiter: '\n' })
      let rows = 0
      let truncated = false
      let before: number | undefined
      outer: for (;;) {
        const page = s.query(f, { before, limit: 1000 })
        for (const r of page.items) {
          const line = stringify([csvRow(r)], { record_delimiter: '\n' })
          if (rows >= CSV_MAX_ROWS || text.length + line.length > CSV_MAX_CHARS) {
            truncated = true
            break outer
          }
          text += line
          rows++
        }
        if (page.next === null) break
        before = page.next
      }
      return { text, rows, truncated }
    },
    'audit.verify': () => {
      const s = store()
      const check = new ChainCheck(s.anchor())
      for (const r of s.records()) if (!check.add(r)) break
      return { ...check.result(), at: clock.now() }
    },
  }
}
