import type { DataType, Sample } from '../../shared/model'
import { MAX_TS, type StoreCounters, toTick } from '../../core/ports/sample-store'
import { KIND_BOOLEAN, KIND_NULL, KIND_NUMBER, KIND_STRING, QUALITY_CODE, makeFlags } from './columns'

/** A sample as stored: see Columns for the encoding of `flags` and `num`. */
export interface Normalized {
  ts: number
  flags: number
  num: number
  text: string | undefined
  status: string | undefined
  nonFinite: boolean
}

export type Rejection = 'unknownSignal' | 'wrongType' | 'badTimestamp' | 'futureTimestamp'

export const normalized = (): Normalized => ({
  ts: 0,
  flags: 0,
  num: 0,
  text: undefined,
  status: undefined,
  nonFinite: false,
})

const BAD = QUALITY_CODE.bad
const qualityCodes: Readonly<Record<string, number | undefined>> = QUALITY_CODE

/**
 * The store's rules for one incoming sample, shared by every implementation so they agree.
 * `dataType` is undefined for an unregistered signal. Fills `out` (reused: this runs per sample at
 * ingest rates) and returns null, or returns why the sample is rejected.
 */
export function normalizeSample(
  s: Sample,
  dataType: DataType | undefined,
  now: number,
  maxFutureMs: number,
  out: Normalized,
): Rejection | null {
  if (dataType === undefined) return 'unknownSignal'
  const ts: unknown = s.ts
  if (typeof ts !== 'number' || !Number.isFinite(ts) || ts < 0 || ts > MAX_TS) return 'badTimestamp'
  if (ts > now + maxFutureMs) return 'futureTimestamp'
  const quality = qualityCodes[s.quality]
  const status: unknown = s.status
  if (quality === undefined || (status !== undefined && typeof status !== 'string')) return 'wrongType'
  const value: unknown = s.value
  let kind: number
  out.num = 0
  out.text = undefined
  out.status = status
  out.nonFinite = false
  if (value === null) kind = KIND_NULL
  else if (typeof value === 'number') {
    if (dataType !== 'number') return 'wrongType'
    if (Number.isFinite(value)) {
      kind = KIND_NUMBER
      out.num = value
    } else {
      // Keep the sample (its time matters: a gap in the trend) but not the value, and say why in status.
      out.ts = toTick(ts)
      out.flags = makeFlags(BAD, KIND_NULL)
      out.status = String(value)
      out.nonFinite = true
      return null
    }
  } else if (typeof value === 'boolean') {
    if (dataType !== 'boolean') return 'wrongType'
    kind = KIND_BOOLEAN
    out.num = value ? 1 : 0
  } else if (typeof value === 'string') {
    if (dataType !== 'string') return 'wrongType'
    kind = KIND_STRING
    out.text = value
  } else return 'wrongType'
  out.ts = toTick(ts)
  out.flags = makeFlags(quality, kind)
  return null
}

export const zeroCounters = (): StoreCounters => ({
  accepted: 0,
  unknownSignal: 0,
  wrongType: 0,
  badTimestamp: 0,
  futureTimestamp: 0,
  expired: 0,
  nonFinite: 0,
  outOfOrder: 0,
  duplicates: 0,
  rawDeleted: 0,
  rollupsDeleted: 0,
  undeliveredDropped: 0,
})
