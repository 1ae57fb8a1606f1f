import type { AuditEntryInput, AuditRecord } from '../ports/audit'
import { sha256Hex } from './sha256'

/**
 * The audit trail's hash chain, as pure functions. Each record's `hash` is the SHA-256 (hex) of the canonical JSON
 * of its fields (id, at, action, user, from, target, oldValue, newValue, result, detail) and the previous record's
 * hash (`prevHash`, '' for the first). A row edited behind the application's back no longer matches its hash; a row
 * deleted leaves a gap in the ids and a `prevHash` that names no record; a tail cut off is caught by the anchor (the
 * last id and hash kept in a second place, see AuditAnchor). What the chain cannot catch: someone who rewrites every
 * record from the edited one onwards and the anchor too (SHA-256 without a key): compare `audit.verify`'s head hash
 * with one written down earlier (docs/audit.md).
 */

/** The last record's id and hash, kept apart from the records (a file beside the database): a cut tail shows. */
export interface AuditAnchor {
  id: number
  hash: string
}

export type ChainBreakReason = 'hash_mismatch' | 'prev_mismatch' | 'missing' | 'truncated' | 'anchor_mismatch'

export interface ChainBreak {
  /** The first record found broken (for `missing` and `truncated`: the first id that is not there). */
  id: number
  reason: ChainBreakReason
  message: string
}

export interface VerifyResult {
  ok: boolean
  /** Records checked. */
  records: number
  /** The last record's id and hash (write it down: a later head that does not descend from it shows a rewrite). */
  head: AuditAnchor | null
  anchor: AuditAnchor | null
  broken: ChainBreak | null
}

/** Longest JSON text of an old or new value kept as it is; a longer one is kept as its length, hash and first characters. */
export const MAX_VALUE_CHARS = 4096
/** Longest target, detail, action, user or from kept (longer text is cut, with `…`). */
export const MAX_TEXT_CHARS = 2000

/** JSON with object keys sorted at every level: one text per value, whatever order its keys were built in. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null'
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`
  const o = v as Record<string, unknown>
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`
}

/**
 * A value as the trail keeps it: plain JSON (what a JSON round trip gives), or for one whose JSON passes
 * MAX_VALUE_CHARS, `{ truncated, chars, sha256, head }`. Values JSON cannot carry (a BigInt, a cycle) become a short text.
 */
export function boundValue(v: unknown): unknown {
  if (v === undefined) return undefined
  let text: string | undefined
  try {
    text = JSON.stringify(v)
  } catch {
    return { unserializable: cut(String(v), 200) }
  }
  if (text === undefined) return undefined
  if (text.length <= MAX_VALUE_CHARS) return JSON.parse(text) as unknown
  return { truncated: true, chars: text.length, sha256: sha256Hex(text), head: text.slice(0, 512) }
}

const cut = (s: string, max = MAX_TEXT_CHARS) => (s.length > max ? `${s.slice(0, max - 1)}…` : s)

/** The entry as it is kept: texts bounded, values bounded and plain JSON, absent fields left out. */
export function normalizeEntry(e: AuditEntryInput): AuditEntryInput {
  const out: AuditEntryInput = { action: cut(String(e.action)), user: e.user === null || e.user === undefined ? null : cut(String(e.user)), from: cut(String(e.from ?? '')), result: cut(String(e.result)) }
  if (e.target !== undefined) out.target = cut(String(e.target))
  const oldValue = boundValue(e.oldValue)
  if (oldValue !== undefined) out.oldValue = oldValue
  const newValue = boundValue(e.newValue)
  if (newValue !== undefined) out.newValue = newValue
  if (e.detail !== undefined) out.detail = cut(String(e.detail))
  return out
}

/** The hash of a record: SHA-256 hex of the canonical JSON of its fields and `prevHash`. */
export function recordHash(r: Omit<AuditRecord, 'hash'>): string {
  const { id, at, action, user, from, target, oldValue, newValue, result, detail, prevHash } = r
  return sha256Hex(canonicalJson({ id, at, action, user, from, target, oldValue, newValue, result, detail, prevHash }))
}

/** The next record of a chain whose last record is `prev` (null: the first), stamped `at` (ms). */
export function seal(prev: AuditAnchor | null, e: AuditEntryInput, at: number): AuditRecord {
  const base = { id: (prev?.id ?? 0) + 1, at: Math.floor(at), ...normalizeEntry(e), prevHash: prev?.hash ?? '' }
  return { ...base, hash: recordHash(base) }
}

/**
 * Checks a chain record by record, in id order, without holding it (a database's rows one at a time). `add` answers
 * false once the chain is broken (further records are not looked at); `result` adds the anchor's check.
 */
export class ChainCheck {
  private prev: AuditAnchor | null = null
  private count = 0
  private broken: ChainBreak | null = null
  private anchorSeen = false

  constructor(private readonly anchor: AuditAnchor | null = null) {}

  add(r: AuditRecord): boolean {
    if (this.broken) return false
    const expected = (this.prev?.id ?? 0) + 1
    const fail = (b: ChainBreak) => {
      this.broken = b
      return false
    }
    if (r.id !== expected) {
      if (r.id > expected) return fail({ id: expected, reason: 'missing', message: `record${r.id - expected > 1 ? `s ${expected}–${r.id - 1} are` : ` ${expected} is`} missing (deleted)` })
      return fail({ id: r.id, reason: 'missing', message: `record ${r.id} is out of order after ${expected - 1}` })
    }
    if (recordHash(r) !== r.hash) return fail({ id: r.id, reason: 'hash_mismatch', message: `record ${r.id} does not match its hash (edited)` })
    if (r.prevHash !== (this.prev?.hash ?? '')) {
      return fail({ id: r.id, reason: 'prev_mismatch', message: `record ${r.id} does not follow record ${expected - 1} (the previous record was changed and rehashed, or replaced)` })
    }
    if (this.anchor && r.id === this.anchor.id) {
      this.anchorSeen = true
      if (r.hash !== this.anchor.hash) return fail({ id: r.id, reason: 'anchor_mismatch', message: `record ${r.id} is not the record the anchor names (the chain was rewritten from here or earlier)` })
    }
    this.prev = { id: r.id, hash: r.hash }
    this.count++
    return true
  }

  result(): VerifyResult {
    let broken = this.broken
    if (!broken && this.anchor && !this.anchorSeen && this.anchor.id > (this.prev?.id ?? 0)) {
      const first = (this.prev?.id ?? 0) + 1
      broken = { id: first, reason: 'truncated', message: `the trail ends at ${this.prev?.id ?? 'no record'}, but the anchor names record ${this.anchor.id}: records ${first}–${this.anchor.id} were cut off` }
    }
    return { ok: broken === null, records: this.count, head: this.prev, anchor: this.anchor, broken }
  }
}

/** Checks a whole chain (in id order) and, when given, the anchor. */
export function verifyChain(records: Iterable<AuditRecord>, anchor: AuditAnchor | null = null): VerifyResult {
  const c = new ChainCheck(anchor)
  for (const r of records) if (!c.add(r)) break
  return c.result()
}
