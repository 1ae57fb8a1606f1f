import type { AuditFilter, AuditRecord, AuditVerifyResult } from '../../../shared/contract/audit'

/** The audit view's filter fields, as typed (text; times as `datetime-local`). */
export interface AuditFilterText {
  from: string
  to: string
  user: string
  action: string
  target: string
  /** '' any, 'ok', 'pending', 'failed' (anything that did not succeed), or an exact code typed in. */
  result: string
}

export const EMPTY_FILTER: AuditFilterText = { from: '', to: '', user: '', action: '', target: '', result: '' }

/** The API's filter from what is typed: blank fields left out, times parsed, `failed` as its flag. */
export function toFilter(f: AuditFilterText): AuditFilter {
  const out: AuditFilter = {}
  const from = f.from ? new Date(f.from).getTime() : NaN
  const to = f.to ? new Date(f.to).getTime() : NaN
  if (Number.isFinite(from)) out.from = from
  if (Number.isFinite(to)) out.to = to
  if (f.user.trim()) out.user = f.user.trim()
  if (f.action.trim()) out.action = f.action.trim()
  if (f.target.trim()) out.target = f.target.trim()
  const r = f.result.trim()
  if (r === 'failed') out.failed = true
  else if (r) out.result = r
  return out
}

/** How a result reads: done, written before the action, or refused/failed. */
export function resultClass(result: string): 'ok' | 'pending' | 'failed' {
  if (result === 'ok' || result === 'success') return 'ok'
  if (result === 'pending') return 'pending'
  return 'failed'
}

const short = (v: unknown, max = 60): string => {
  const s = typeof v === 'string' ? v : JSON.stringify(v)
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

/** `old → new`, either side left out when absent. */
export function valueText(r: Pick<AuditRecord, 'oldValue' | 'newValue'>): string {
  const has = (v: unknown) => v !== undefined
  if (has(r.oldValue) && has(r.newValue)) return `${short(r.oldValue, 28)} → ${short(r.newValue, 28)}`
  if (has(r.newValue)) return short(r.newValue)
  if (has(r.oldValue)) return `was ${short(r.oldValue)}`
  return ''
}

/** The verify button's line. */
export function verifyText(v: AuditVerifyResult): string {
  if (v.ok) {
    const head = v.head ? ` · head #${v.head.id} ${v.head.hash.slice(0, 16)}…` : ''
    return `Chain intact: ${v.records.toLocaleString('en')} record${v.records === 1 ? '' : 's'} checked${head}${v.anchor ? '' : ' · no anchor (a cut tail cannot be checked)'}`
  }
  return `Chain broken at #${v.broken!.id} (${v.broken!.reason.replace('_', ' ')}): ${v.broken!.message}`
}
