import type { PathStep } from './json-path'

/**
 * A single-pass JSON scanner for the MQTT hot path: it validates a whole JSON document in its bytes and picks out
 * the values at a few known paths, without decoding text or building objects. It only takes the common case
 * (printable ASCII documents) and gives up with FALLBACK on anything where matching JSON.parse exactly would
 * take more code than it saves: non-ASCII bytes, escapes in keys or wanted strings, duplicate keys on a
 * wanted path, deep nesting, long wanted strings. The caller then takes the general path (TextDecoder +
 * JSON.parse), so results are always the same as JSON.parse followed by `resolveSteps` (a differential fuzz
 * test holds it to that).
 */

/** The bytes are not JSON; JSON.parse would throw too. */
export const NOT_JSON = 1
/** Leave this document to the general path. */
export const FALLBACK = 2
export type ScanFailure = typeof NOT_JSON | typeof FALLBACK

/** Stands for an object or an array found at a wanted path (no caller needs its contents). */
export const COMPOUND: object = Object.freeze({ compound: true })

interface PlanNode {
  /** Wanted object members under this node, as UTF-8 bytes. */
  readonly keys: { readonly bytes: Uint8Array; readonly node: PlanNode }[]
  /** Wanted array elements under this node. */
  readonly idx: { readonly i: number; readonly node: PlanNode }[]
  /** Slot in the results for a wanted path that ends here, or -1. */
  out: number
  /** The object (by scan stamp) in which this member was last seen: a second sighting is a duplicate key. */
  seen: number
}

export interface ScanPlan {
  readonly root: PlanNode
  /** Number of result slots: one per distinct path. */
  readonly size: number
  /** The slot of each path passed to `compilePlan`, in order. */
  readonly slots: readonly number[]
}

const node = (): PlanNode => ({ keys: [], idx: [], out: -1, seen: 0 })
const TEXT = new TextEncoder()

/** A trie of the wanted paths; equal paths share a slot. Paths must not be empty. */
export function compilePlan(paths: readonly (readonly PathStep[])[]): ScanPlan {
  const root = node()
  let size = 0
  const slots: number[] = []
  for (const steps of paths) {
    if (steps.length === 0) throw new Error('compilePlan: empty path')
    let n = root
    for (const step of steps) {
      if (typeof step === 'number') {
        let e = n.idx.find((x) => x.i === step)
        if (!e) n.idx.push((e = { i: step, node: node() }))
        n = e.node
      } else {
        const bytes = TEXT.encode(step)
        let e = n.keys.find((x) => x.bytes.length === bytes.length && x.bytes.every((v, i) => v === bytes[i]))
        if (!e) n.keys.push((e = { bytes, node: node() }))
        n = e.node
      }
    }
    if (n.out < 0) n.out = size++
    slots.push(n.out)
  }
  return { root, size, slots }
}

const MAX_DEPTH = 64
const MAX_STRING = 1024
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i)
const TWO53 = 2 ** 53

// Scanner functions take the bytes and a position and return the position after what they read, or one of these.
// Positions stay in locals (registers) instead of object fields: that is most of the scanner's speed.
const E_NOT_JSON = -1
const E_FALLBACK = -2

/** Where found values go during one scan (the scanner is not re-entrant). */
let res: unknown[] = []
let stamp = 0
/** Set by skipString: the string had a backslash escape. */
let escaped = false

/**
 * The byte at `p`, or -1 past the end. Every read goes through a bounds check: a typed-array read out of
 * bounds (undefined) makes V8 fall back to a path several times slower for the whole function.
 */
function at(b: Uint8Array, p: number, end: number): number {
  return p < end ? b[p]! : -1
}

/** Past any JSON whitespace. */
function ws(b: Uint8Array, p: number, end: number): number {
  while (p < end) {
    const c = b[p]!
    if (c === 32 || c === 10 || c === 13 || c === 9) p++
    else break
  }
  return p
}

function value(b: Uint8Array, p: number, end: number, n: PlanNode | undefined, depth: number): number {
  switch (at(b, p, end)) {
    case 123: // {
      return object(b, p, end, n, depth)
    case 91: // [
      return array(b, p, end, n, depth)
    case 34: // "
      return n !== undefined && n.out >= 0 ? wantedString(b, p, end, n.out) : skipString(b, p, end)
    case 116: // t
      return literal(b, p, end, n, LIT_TRUE, true)
    case 102: // f
      return literal(b, p, end, n, LIT_FALSE, false)
    case 110: // n
      return literal(b, p, end, n, LIT_NULL, null)
    default:
      return number(b, p, end, n)
  }
}

function object(b: Uint8Array, p: number, end: number, n: PlanNode | undefined, depth: number): number {
  if (depth >= MAX_DEPTH) return E_FALLBACK
  if (n !== undefined && n.out >= 0) res[n.out] = COMPOUND
  const wanted = n !== undefined && n.keys.length > 0
  const st = ++stamp
  p = ws(b, p + 1, end)
  if (at(b, p, end) === 125) return p + 1
  for (;;) {
    if (at(b, p, end) !== 34) return E_NOT_JSON
    const k0 = p + 1
    p = skipString(b, p, end)
    if (p < 0) return p
    let child: PlanNode | undefined
    if (wanted) {
      // an escaped key could spell a wanted one: leave it to JSON.parse
      if (escaped) return E_FALLBACK
      child = matchKey(b, n, k0, p - 1)
      if (child !== undefined) {
        if (child.seen === st) return E_FALLBACK // JSON.parse keeps the last of duplicate keys
        child.seen = st
      }
    }
    p = ws(b, p, end)
    if (at(b, p, end) !== 58) return E_NOT_JSON // :
    p = value(b, ws(b, p + 1, end), end, child, depth + 1)
    if (p < 0) return p
    p = ws(b, p, end)
    const c = at(b, p, end)
    if (c === 44) p = ws(b, p + 1, end)
    else if (c === 125) return p + 1
    else return E_NOT_JSON
  }
}

function matchKey(b: Uint8Array, n: PlanNode, s: number, e: number): PlanNode | undefined {
  const len = e - s
  // length and last byte first: that tells most keys apart (`f0`…`f9`) before comparing them whole
  const last = len > 0 ? b[e - 1]! : -1
  const keys = n.keys
  outer: for (let k = 0; k < keys.length; k++) {
    const kb = keys[k]!.bytes
    if (kb.length !== len || (len > 0 && kb[len - 1] !== last)) continue
    for (let i = 0; i < len - 1; i++) if (kb[i] !== b[s + i]) continue outer
    return keys[k]!.node
  }
  return undefined
}

function array(b: Uint8Array, p: number, end: number, n: PlanNode | undefined, depth: number): number {
  if (depth >= MAX_DEPTH) return E_FALLBACK
  if (n !== undefined && n.out >= 0) res[n.out] = COMPOUND
  const wanted = n !== undefined && n.idx.length > 0
  p = ws(b, p + 1, end)
  if (at(b, p, end) === 93) return p + 1
  for (let i = 0; ; i++) {
    let child: PlanNode | undefined
    if (wanted) for (const e of n.idx) if (e.i === i) child = e.node
    p = value(b, p, end, child, depth + 1)
    if (p < 0) return p
    p = ws(b, p, end)
    const c = at(b, p, end)
    if (c === 44) p = ws(b, p + 1, end)
    else if (c === 93) return p + 1
    else return E_NOT_JSON
  }
}

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)

/** Validates a string from its opening quote; returns the position past its closing quote and sets `escaped`. */
function skipString(b: Uint8Array, p: number, end: number): number {
  p++
  let esc = false
  for (;;) {
    if (p >= end) return E_NOT_JSON
    const c = b[p]!
    if (c === 34) break
    if (c === 92) {
      esc = true
      const e = at(b, p + 1, end)
      if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) p += 2
      else if (e === 117 && isHex(at(b, p + 2, end)) && isHex(at(b, p + 3, end)) && isHex(at(b, p + 4, end)) && isHex(at(b, p + 5, end))) p += 6
      else return E_NOT_JSON
      continue
    }
    if (c < 0x20) return E_NOT_JSON
    if (c >= 0x80) return E_FALLBACK
    p++
  }
  escaped = esc
  return p + 1
}

function wantedString(b: Uint8Array, p: number, end: number, slot: number): number {
  const s = p + 1
  p = skipString(b, p, end)
  if (p < 0) return p
  const e = p - 1
  if (escaped || e - s > MAX_STRING) return E_FALLBACK
  // printable ASCII only by now: one char code per byte
  res[slot] = String.fromCharCode.apply(null, b.subarray(s, e) as unknown as number[])
  return p
}

const LIT_TRUE = Uint8Array.from([116, 114, 117, 101])
const LIT_FALSE = Uint8Array.from([102, 97, 108, 115, 101])
const LIT_NULL = Uint8Array.from([110, 117, 108, 108])

function literal(b: Uint8Array, p: number, end: number, n: PlanNode | undefined, word: Uint8Array, v: boolean | null): number {
  for (let i = 0; i < word.length; i++) if (at(b, p + i, end) !== word[i]) return E_NOT_JSON
  if (n !== undefined && n.out >= 0) res[n.out] = v
  return p + word.length
}

/** JSON's number grammar; the value is computed only at a wanted path, exactly as JSON.parse would. */
function number(b: Uint8Array, p: number, end: number, n: PlanNode | undefined): number {
  const s = p
  const neg = at(b, p, end) === 45
  if (neg) p++
  let m = 0
  let c = p < end ? b[p]! : -1
  if (c === 48) c = ++p < end ? b[p]! : -1
  else if (c > 48 && c <= 57) {
    do {
      m = m * 10 + (c - 48)
      c = ++p < end ? b[p]! : -1
    } while (c >= 48 && c <= 57)
  } else return E_NOT_JSON
  let frac = 0
  if (c === 46) {
    c = ++p < end ? b[p]! : -1
    if (!(c >= 48 && c <= 57)) return E_NOT_JSON
    do {
      m = m * 10 + (c - 48)
      frac++
      c = ++p < end ? b[p]! : -1
    } while (c >= 48 && c <= 57)
  }
  let exp = 0
  if (c === 101 || c === 69) {
    c = ++p < end ? b[p]! : -1
    const eneg = c === 45
    if (c === 43 || c === 45) c = ++p < end ? b[p]! : -1
    if (!(c >= 48 && c <= 57)) return E_NOT_JSON
    do {
      if (exp < 100_000) exp = exp * 10 + (c - 48)
      c = ++p < end ? b[p]! : -1
    } while (c >= 48 && c <= 57)
    if (eneg) exp = -exp
  }
  if (n === undefined || n.out < 0) return p
  const x = exp - frac
  // Clinger's fast path: an exact integer mantissa and an exact power of ten give one correctly rounded
  // operation, the same double JSON.parse produces. Anything longer goes through Number().
  if (m < TWO53 && x >= -22 && x <= 22) {
    const v = x >= 0 ? m * POW10[x]! : m / POW10[-x]!
    res[n.out] = neg ? -v : v
  } else res[n.out] = Number(String.fromCharCode.apply(null, b.subarray(s, p) as unknown as number[]))
  return p
}

/**
 * Scan `payload` as one JSON document; `out[slot]` gets the value at each wanted path (undefined: absent;
 * COMPOUND: an object or array). Returns undefined on success, or why the document was not taken.
 */
export function scanJson(payload: Uint8Array, plan: ScanPlan, out: unknown[]): ScanFailure | undefined {
  for (let i = 0; i < plan.size; i++) out[i] = undefined
  res = out
  const end = payload.length
  let p = value(payload, ws(payload, 0, end), end, plan.root, 0)
  if (p >= 0 && ws(payload, p, end) !== end) p = E_NOT_JSON
  res = NO_RESULTS
  if (p >= 0) return undefined
  if (p === E_FALLBACK) return FALLBACK
  // JSON.parse never sees bytes TextDecoder refuses: only ASCII documents may be called "not JSON" here
  for (let i = 0; i < end; i++) if (payload[i]! >= 0x80) return FALLBACK
  return NOT_JSON
}
const NO_RESULTS: unknown[] = []
