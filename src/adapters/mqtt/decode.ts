import type { MqttSignalConfig } from '../../core/config/schema'
import type { Sample, SampleValue } from '../../shared/model'
import { resolvePath } from './json-path'

export type Rejection = { signal?: string; reason: 'not_json' | 'missing_field' | 'wrong_type' | 'bad_utf8' | 'too_large' }

const TEXT = new TextDecoder('utf-8', { fatal: true })

function coerce(raw: unknown, dataType: MqttSignalConfig['dataType']): SampleValue | undefined {
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

/** A payload timestamp in ms or s since epoch; otherwise arrival time. */
function payloadTs(doc: unknown, arrival: number): number {
  const ts = doc !== null && typeof doc === 'object' ? (doc as { ts?: unknown }).ts : undefined
  if (typeof ts !== 'number' || !Number.isFinite(ts)) return arrival
  const ms = ts < 1e11 ? ts * 1000 : ts
  return ms > 0 && ms < arrival + 86_400_000 ? Math.round(ms) : arrival
}

/**
 * Decode one message into samples for the signals mapped to its topic.
 * Good fields still produce samples when a sibling field is broken; each broken one is a rejection.
 */
export function decodeMessage(
  signals: readonly MqttSignalConfig[],
  payload: Uint8Array,
  arrival: number,
  maxBytes: number,
): { samples: Sample[]; rejections: Rejection[] } {
  if (payload.byteLength > maxBytes) return { samples: [], rejections: [{ reason: 'too_large' }] }
  let text: string
  try {
    text = TEXT.decode(payload)
  } catch {
    return { samples: [], rejections: [{ reason: 'bad_utf8' }] }
  }
  const needsJson = signals.some((s) => s.path !== undefined)
  let doc: unknown = text
  if (needsJson) {
    try {
      doc = JSON.parse(text)
    } catch {
      return { samples: [], rejections: [{ reason: 'not_json' }] }
    }
  }
  const ts = payloadTs(doc, arrival)
  const samples: Sample[] = []
  const rejections: Rejection[] = []
  for (const s of signals) {
    const raw = s.path === undefined ? (needsJson ? doc : text) : resolvePath(doc, s.path)
    if (raw === undefined) {
      rejections.push({ signal: s.id, reason: 'missing_field' })
      continue
    }
    const value = coerce(raw, s.dataType)
    if (value === undefined) {
      rejections.push({ signal: s.id, reason: 'wrong_type' })
      continue
    }
    samples.push({ signal: s.id, ts, value, quality: 'good' })
  }
  return { samples, rejections }
}
