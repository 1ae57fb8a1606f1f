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
const EMPTY = new Uint8Array(0)

const isDigit = (c: number) => c >= 48 && c <= 57
const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)

/** Scanner state lives on one instance (monomorphic fields); it is not re-entrant. Out-of-range reads give -1. */
class Scanner {
  b: Uint8Array = EMPTY
  p = 0
  end = 0
  res: unknown[] = []
  stamp = 0
  failure: ScanFailure = NOT_JSON
  /** The last string skipped had a backslash escape. */
  escaped = false

  at(i: number): number {
    return i < this.end ? this.b[i]! : -1
  }

  fail(f: ScanFailure): false {
    this.failure = f
    return false
  }

  ws(): void {
    const b = this.b
    let p = this.p
    const end = this.end
    while (p < end) {
      const c = b[p]!
      if (c === 32 || c === 10 || c === 13 || c === 9) p++
      else break
    }
    this.p = p
  }

  value(n: PlanNode | undefined, depth: number): boolean {
    switch (this.at(this.p)) {
      case 123: // {
        return this.object(n, depth)
      case 91: // [
        return this.array(n, depth)
      case 34: // "
        return n !== undefined && n.out >= 0 ? this.wantedString(n.out) : this.skipString()
      case 116: // t
        return this.literal(n, 'true', true)
      case 102: // f
        return this.literal(n, 'false', false)
      case 110: // n
        return this.literal(n, 'null', null)
      default:
        return this.number(n)
    }
  }

  object(n: PlanNode | undefined, depth: number): boolean {
    if (depth >= MAX_DEPTH) return this.fail(FALLBACK)
    this.p++
    if (n !== undefined && n.out >= 0) this.res[n.out] = COMPOUND
    const wanted = n !== undefined && n.keys.length > 0
    const st = ++this.stamp
    this.ws()
    if (this.at(this.p) === 125) {
      this.p++
      return true
    }
    for (;;) {
      if (this.at(this.p) !== 34) return this.fail(NOT_JSON)
      const k0 = this.p + 1
      if (!this.skipString()) return false
      let child: PlanNode | undefined
      if (wanted) {
        // an escaped key could spell a wanted one: leave it to JSON.parse
        if (this.escaped) return this.fail(FALLBACK)
        child = this.matchKey(n, k0, this.p - 1)
        if (child !== undefined) {
          if (child.seen === st) return this.fail(FALLBACK) // JSON.parse keeps the last of duplicate keys
          child.seen = st
        }
      }
      this.ws()
      if (this.at(this.p) !== 58) return this.fail(NOT_JSON) // :
      this.p++
      this.ws()
      if (!this.value(child, depth + 1)) return false
      this.ws()
      const c = this.at(this.p)
      if (c === 44) {
        this.p++
        this.ws()
      } else if (c === 125) {
        this.p++
        return true
      } else return this.fail(NOT_JSON)
    }
  }

  matchKey(n: PlanNode, s: number, e: number): PlanNode | undefined {
    const len = e - s
    const b = this.b
    const keys = n.keys
    outer: for (let k = 0; k < keys.length; k++) {
      const kb = keys[k]!.bytes
      if (kb.length !== len) continue
      for (let i = 0; i < len; i++) if (kb[i] !== b[s + i]) continue outer
      return keys[k]!.node
    }
    return undefined
  }

  array(n: PlanNode | undefined, depth: number): boolean {
    if (depth >= MAX_DEPTH) return this.fail(FALLBACK)
    this.p++
    if (n !== undefined && n.out >= 0) this.res[n.out] = COMPOUND
    const wanted = n !== undefined && n.idx.length > 0
    this.ws()
    if (this.at(this.p) === 93) {
      this.p++
      return true
    }
    for (let i = 0; ; i++) {
      let child: PlanNode | undefined
      if (wanted) for (const e of n.idx) if (e.i === i) child = e.node
      if (!this.value(child, depth + 1)) return false
      this.ws()
      const c = this.at(this.p)
      if (c === 44) {
        this.p++
        this.ws()
      } else if (c === 93) {
        this.p++
        return true
      } else return this.fail(NOT_JSON)
    }
  }

  /** Validates a string from its opening quote to past its closing quote; sets `escaped`. */
  skipString(): boolean {
    const b = this.b
    const end = this.end
    let p = this.p + 1
    let escaped = false
    for (;;) {
      if (p >= end) return this.fail(NOT_JSON)
      const c = b[p]!
      if (c === 34) break
      if (c === 92) {
        escaped = true
        const e = this.at(p + 1)
        if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) p += 2
        else if (e === 117 && isHex(this.at(p + 2)) && isHex(this.at(p + 3)) && isHex(this.at(p + 4)) && isHex(this.at(p + 5))) p += 6
        else return this.fail(NOT_JSON)
        continue
      }
      if (c < 0x20) return this.fail(NOT_JSON)
      if (c >= 0x80) return this.fail(FALLBACK)
      p++
    }
    this.p = p + 1
    this.escaped = escaped
    return true
  }

  wantedString(slot: number): boolean {
    const s = this.p + 1
    if (!this.skipString()) return false
    const e = this.p - 1
    if (this.escaped || e - s > MAX_STRING) return this.fail(FALLBACK)
    // printable ASCII only by now: one char code per byte
    this.res[slot] = String.fromCharCode.apply(null, this.b.subarray(s, e) as unknown as number[])
    return true
  }

  literal(n: PlanNode | undefined, word: string, v: boolean | null): boolean {
    for (let i = 0; i < word.length; i++) if (this.at(this.p + i) !== word.charCodeAt(i)) return this.fail(NOT_JSON)
    this.p += word.length
    if (n !== undefined && n.out >= 0) this.res[n.out] = v
    return true
  }

  /** JSON's number grammar; the value is computed only at a wanted path, exactly as JSON.parse would. */
  number(n: PlanNode | undefined): boolean {
    const s = this.p
    let p = s
    const neg = this.at(p) === 45
    if (neg) p++
    let m = 0
    let c = this.at(p)
    if (c === 48) c = this.at(++p)
    else if (c > 48 && c <= 57) {
      do {
        m = m * 10 + (c - 48)
        c = this.at(++p)
      } while (isDigit(c))
    } else return this.fail(NOT_JSON)
    let frac = 0
    if (c === 46) {
      c = this.at(++p)
      if (!isDigit(c)) return this.fail(NOT_JSON)
      do {
        m = m * 10 + (c - 48)
        frac++
        c = this.at(++p)
      } while (isDigit(c))
    }
    let exp = 0
    if (c === 101 || c === 69) {
      c = this.at(++p)
      const eneg = c === 45
      if (c === 43 || c === 45) c = this.at(++p)
      if (!isDigit(c)) return this.fail(NOT_JSON)
      do {
        if (exp < 100_000) exp = exp * 10 + (c - 48)
        c = this.at(++p)
      } while (isDigit(c))
      if (eneg) exp = -exp
    }
    this.p = p
    if (n === undefined || n.out < 0) return true
    const x = exp - frac
    // Clinger's fast path: an exact integer mantissa and an exact power of ten give one correctly rounded
    // operation, the same double JSON.parse produces. Anything longer goes through Number().
    if (m < TWO53 && x >= -22 && x <= 22) {
      const v = x >= 0 ? m * POW10[x]! : m / POW10[-x]!
      this.res[n.out] = neg ? -v : v
    } else this.res[n.out] = Number(String.fromCharCode.apply(null, this.b.subarray(s, p) as unknown as number[]))
    return true
  }
}

const scanner = new Scanner()

/**
 * Scan `payload` as one JSON document; `out[slot]` gets the value at each wanted path (undefined: absent;
 * COMPOUND: an object or array). Returns undefined on success, or why the document was not taken.
 */
export function scanJson(payload: Uint8Array, plan: ScanPlan, out: unknown[]): ScanFailure | undefined {
  const sc = scanner
  sc.b = payload
  sc.p = 0
  sc.end = payload.length
  sc.res = out
  for (let i = 0; i < plan.size; i++) out[i] = undefined
  sc.ws()
  let ok = sc.value(plan.root, 0)
  if (ok) {
    sc.ws()
    if (sc.p !== sc.end) ok = sc.fail(NOT_JSON)
  }
  sc.b = EMPTY
  sc.res = EMPTY_RES
  if (ok) return undefined
  // JSON.parse never sees bytes TextDecoder refuses: only ASCII documents may be called "not JSON" here
  if (sc.failure === NOT_JSON) for (let i = 0; i < payload.length; i++) if (payload[i]! >= 0x80) return FALLBACK
  return sc.failure
}
const EMPTY_RES: unknown[] = []
