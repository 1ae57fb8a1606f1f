import type { RejectReason, Rejection } from './decode'

export interface RejectionEntry {
  at: number
  topic: string
  reason: RejectReason
  /** The mapping (signal id) it concerns; absent when the whole message was unusable. */
  signal?: string
  /** Start of the payload as text (invalid bytes replaced), for a person to see what arrived. */
  preview: string
  bytes: number
}

export interface RejectionReport {
  total: number
  byReason: Partial<Record<RejectReason, number>>
  bySignal: { signal: string; total: number; byReason: Partial<Record<RejectReason, number>> }[]
  last: RejectionEntry[]
}

const PREVIEW = new TextDecoder('utf-8')
const bump = (m: Partial<Record<RejectReason, number>>, r: RejectReason) => (m[r] = (m[r] ?? 0) + 1)

/** Counters per reason and per mapping, plus the last few rejected inputs. Bounded whatever arrives. */
export class RejectionLog {
  total = 0
  private readonly byReason: Partial<Record<RejectReason, number>> = {}
  private readonly bySignal = new Map<string, { total: number; byReason: Partial<Record<RejectReason, number>> }>()
  /** Per reason, so a flood of one kind (topic_limit) cannot push out the rare ones a person is looking for. */
  private readonly last = new Map<RejectReason, [number, RejectionEntry][]>()
  private order = 0

  constructor(
    /** Kept per reason. */
    private readonly keep = 10,
    private readonly previewBytes = 256,
  ) {}

  /** `size`: bytes as published, when `payload` holds only the start of an oversize message. */
  record(topic: string, payload: Uint8Array, rejections: readonly Rejection[], at: number, size = payload.byteLength): void {
    for (const r of rejections) {
      this.total++
      bump(this.byReason, r.reason)
      if (r.signal !== undefined) {
        let s = this.bySignal.get(r.signal)
        // per-mapping counters are bounded by the number of mappings, which the config bounds
        if (!s) this.bySignal.set(r.signal, (s = { total: 0, byReason: {} }))
        s.total++
        bump(s.byReason, r.reason)
      }
    }
    const first = rejections[0]
    if (!first) return
    const preview = PREVIEW.decode(payload.subarray(0, this.previewBytes))
    for (const r of rejections) {
      let ring = this.last.get(r.reason)
      if (!ring) this.last.set(r.reason, (ring = []))
      ring.push([this.order++, { at, topic, reason: r.reason, ...(r.signal === undefined ? {} : { signal: r.signal }), preview, bytes: size }])
      if (ring.length > this.keep) ring.shift()
    }
  }

  forget(signal: string): void {
    this.bySignal.delete(signal)
  }

  report(signal?: string): RejectionReport {
    const bySignal = [...this.bySignal].filter(([id]) => signal === undefined || id === signal).map(([id, s]) => ({ signal: id, total: s.total, byReason: { ...s.byReason } }))
    const last = [...this.last.values()]
      .flat()
      .filter(([, e]) => signal === undefined || e.signal === signal)
      .sort((a, b) => a[0] - b[0])
      .map(([, e]) => ({ ...e }))
    return { total: this.total, byReason: { ...this.byReason }, bySignal, last }
  }
}
