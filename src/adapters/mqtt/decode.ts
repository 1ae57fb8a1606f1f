import type { MqttSignalConfig } from '../../core/config/schema'
import type { RejectReason } from '../../shared/contract/mqtt'
import type { Sample, SampleValue } from '../../shared/model'
import { DEFAULT_MAX_FUTURE_MS, MAX_TS } from '../../core/ports/sample-store'
import { compilePlan, NOT_JSON, scanJson, type ScanPlan } from './fast-json'
import { compilePath, resolveSteps, type PathStep } from './json-path'

/** Why an input produced no sample: the contract's list (shared/contract/mqtt), re-exported for the adapter. */
export type { RejectReason }
export type Rejection = { signal?: string; reason: RejectReason }

/** A mapping prepared once for the hot path. */
export interface CompiledMapping {
  readonly sig: MqttSignalConfig
  /** Undefined: the whole payload is the value. */
  readonly steps: readonly PathStep[] | undefined
  readonly badPath: boolean
  readonly tsSteps: readonly PathStep[]
  readonly tsFormat: NonNullable<MqttSignalConfig['tsFormat']>
  /** Equal for mappings that read the same timestamp the same way. */
  readonly tsKey: string
  /** A configured timestamp path must be there; the default `ts` is used only when present. */
  readonly tsRequired: boolean
}

export function compileMapping(sig: MqttSignalConfig): CompiledMapping {
  const steps = sig.path === undefined ? undefined : compilePath(sig.path)
  return {
    sig,
    steps,
    badPath: sig.path !== undefined && steps === undefined,
    tsSteps: compilePath(sig.tsPath ?? 'ts') ?? ['ts'],
    tsFormat: sig.tsFormat ?? 'auto',
    tsKey: `${sig.tsPath ?? 'ts'}|${sig.tsFormat ?? 'auto'}`,
    tsRequired: sig.tsPath !== undefined && sig.tsFormat !== 'arrival',
  }
}

const TEXT = new TextDecoder('utf-8', { fatal: true })

export function coerce(raw: unknown, dataType: MqttSignalConfig['dataType']): SampleValue | undefined {
  switch (dataType) {
    case 'number':
      if (typeof raw === 'number' && Number.isFinite(raw)) return raw
      if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw)
      return undefined
    case 'boolean':
      if (typeof raw === 'boolean') return raw
      if (raw === 0 || raw === 1) return raw === 1
      if (raw === 'true' || raw === 'false') return raw === 'true'
      return undefined
    case 'string':
      return typeof raw === 'string' ? raw.slice(0, 4096) : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : undefined
  }
}

/**
 * A payload time in ms (kept to the microsecond), or undefined when it cannot be read. Whether it lies too far
 * ahead of arrival is the caller's check (`tooFarAhead`), so that such a sample is refused with its own reason.
 */
export function readTimestamp(raw: unknown, format: CompiledMapping['tsFormat']): number | undefined {
  let ms: number
  if (typeof raw === 'number' && Number.isFinite(raw) && format !== 'iso') {
    // auto: below 1e11 can only be seconds (1e11 ms is 1973; 1e11 s is year 5138)
    ms = format === 's' || (format === 'auto' && raw < 1e11) ? raw * 1000 : raw
  } else if (typeof raw === 'string' && (format === 'iso' || format === 'auto') && /^\d{4}-\d\d-\d\d/.test(raw)) {
    ms = Date.parse(raw)
  } else return undefined
  return Number.isFinite(ms) && ms > 0 && ms <= MAX_TS ? Math.round(ms * 1000) / 1000 : undefined
}

/**
 * The store refuses samples further ahead of its clock than this (a device with a wrong clock): the decoder
 * refuses them first, as `future_timestamp`, so each is counted once, per signal, with its reason.
 */
export const tooFarAhead = (ts: number, arrival: number): boolean => ts > arrival + DEFAULT_MAX_FUTURE_MS

/** The payload as text, or a rejection. */
export function payloadText(payload: Uint8Array, maxBytes: number): string | RejectReason {
  if (payload.byteLength > maxBytes) return 'too_large'
  try {
    return TEXT.decode(payload)
  } catch {
    return 'bad_utf8'
  }
}

/**
 * Decode one message into samples for the mappings of its topic: one message may yield many samples.
 * Good fields still produce samples when a sibling field is broken; each broken one is a rejection.
 */
export function decodeMessage(
  mappings: readonly CompiledMapping[],
  payload: Uint8Array,
  arrival: number,
  maxBytes: number,
): { samples: Sample[]; rejections: Rejection[] } {
  const samples: Sample[] = []
  return { samples, rejections: decodeInto(mappings, payload, arrival, maxBytes, samples) ?? [] }
}

/**
 * The scan plan for the mappings of one topic: mapping i's value is in slot `plan.slots[2i]`, its timestamp in
 * `plan.slots[2i + 1]`. Null when some mapping reads the payload as plain text (or has a bad path): those messages
 * take the general path.
 */
interface TopicPlan {
  readonly plan: ScanPlan
  /** Filled per message by the scanner. */
  readonly found: unknown[]
}
const plans = new WeakMap<readonly CompiledMapping[], TopicPlan | null>()

function topicPlan(mappings: readonly CompiledMapping[]): TopicPlan | null {
  let tp = plans.get(mappings)
  if (tp !== undefined) return tp
  tp = null
  if (mappings.length > 0 && mappings.every((m) => m.steps !== undefined && m.steps.length > 0 && !m.badPath && m.tsSteps.length > 0)) {
    tp = { plan: compilePlan(mappings.flatMap((m) => [m.steps!, m.tsSteps])), found: [] }
  }
  plans.set(mappings, tp)
  return tp
}

/**
 * `decodeMessage` for the hot path: samples go straight into `out`; rejections, if any, are returned.
 * The list of mappings must not be changed in place (MappingTable replaces its lists): its scan plan is cached.
 */
export function decodeInto(
  mappings: readonly CompiledMapping[],
  payload: Uint8Array,
  arrival: number,
  maxBytes: number,
  out: Sample[],
): Rejection[] | undefined {
  if (payload.byteLength > maxBytes) return [{ reason: 'too_large' }]
  const tp = topicPlan(mappings)
  if (tp !== null) {
    const r = scanJson(payload, tp.plan, tp.found)
    if (r === NOT_JSON) return [{ reason: 'not_json' }]
    if (r === undefined) return emit(mappings, undefined, '', tp, arrival, out)
  }
  return decodeGeneral(mappings, payload, arrival, maxBytes, out)
}

/** The general path: TextDecoder (UTF-8 checked) and JSON.parse. Exported for the differential test. */
export function decodeGeneral(
  mappings: readonly CompiledMapping[],
  payload: Uint8Array,
  arrival: number,
  maxBytes: number,
  out: Sample[],
): Rejection[] | undefined {
  const text = payloadText(payload, maxBytes)
  if (text === 'too_large' || text === 'bad_utf8') return [{ reason: text }]
  let needsJson = false
  for (const m of mappings) if (m.steps !== undefined || m.badPath) needsJson = true
  let doc: unknown = text
  if (needsJson) {
    try {
      doc = JSON.parse(text)
    } catch {
      return [{ reason: 'not_json' }]
    }
  }
  return emit(mappings, needsJson ? doc : undefined, text, null, arrival, out)
}

/** Samples from either path: `tp` (values found by the scanner) or `doc` (parsed JSON; undefined: plain text). */
function emit(
  mappings: readonly CompiledMapping[],
  doc: unknown,
  text: string,
  tp: TopicPlan | null,
  arrival: number,
  out: Sample[],
): Rejection[] | undefined {
  const json = tp !== null || doc !== undefined
  let rejections: Rejection[] | undefined
  // mappings of one topic nearly always share the timestamp field: read it once per message
  let tsKey: string | undefined
  let tsRead: number | undefined
  for (let i = 0; i < mappings.length; i++) {
    const m = mappings[i]!
    const s = m.sig
    if (m.badPath) {
      ;(rejections ??= []).push({ signal: s.id, reason: 'bad_path' })
      continue
    }
    const raw = tp !== null ? tp.found[tp.plan.slots[2 * i]!] : m.steps === undefined ? text : resolveSteps(doc, m.steps)
    if (raw === undefined) {
      ;(rejections ??= []).push({ signal: s.id, reason: 'missing_field' })
      continue
    }
    const value = coerce(raw, s.dataType)
    if (value === undefined) {
      ;(rejections ??= []).push({ signal: s.id, reason: 'wrong_type' })
      continue
    }
    let ts = arrival
    if (m.tsFormat !== 'arrival' && json) {
      if (tsKey !== m.tsKey) {
        tsKey = m.tsKey
        const rawTs = tp !== null ? tp.found[tp.plan.slots[2 * i + 1]!] : resolveSteps(doc, m.tsSteps)
        tsRead = rawTs === undefined ? undefined : readTimestamp(rawTs, m.tsFormat)
      }
      if (tsRead !== undefined) {
        if (tooFarAhead(tsRead, arrival)) {
          ;(rejections ??= []).push({ signal: s.id, reason: 'future_timestamp' })
          continue
        }
        ts = tsRead
      } else if (m.tsRequired) {
        ;(rejections ??= []).push({ signal: s.id, reason: 'bad_timestamp' })
        continue
      }
    }
    out.push({ signal: s.id, ts, value, quality: 'good' })
  }
  return rejections
}
