import type { DataType } from '../../../shared/model'

export interface JsonLeaf {
  /** Dotted path as `mqtt.mappings.add` reads it: `power.l1`, `readings[0].value`. */
  path: string
  value: unknown
  depth: number
  key: string
  dataType?: DataType
}

/** A parsed payload, or undefined when the text is not JSON. */
export function parseJson(text: string | undefined): { ok: true; value: unknown } | { ok: false } {
  if (text === undefined) return { ok: false }
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

export function jsonDataType(v: unknown): DataType | undefined {
  if (typeof v === 'number') return 'number'
  if (typeof v === 'boolean') return 'boolean'
  if (typeof v === 'string') return 'string'
  return undefined
}

const SIMPLE_KEY = /^[A-Za-z_][\w-]*$/

/**
 * Every node of a JSON value in document order, objects and arrays included (they carry no dataType),
 * bounded so a huge payload cannot freeze the screen.
 */
export function jsonNodes(value: unknown, max = 2000): JsonLeaf[] {
  const out: JsonLeaf[] = []
  const walk = (v: unknown, path: string, key: string, depth: number) => {
    if (out.length >= max) return
    if (path) out.push({ path, key, value: v, depth, dataType: jsonDataType(v) })
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`, `[${i}]`, depth + 1))
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        // A key the dotted path cannot express (a dot, a space) is shown but not mappable.
        const p = SIMPLE_KEY.test(k) ? (path ? `${path}.${k}` : k) : ''
        if (p) walk(x, p, k, depth + 1)
      }
    }
  }
  walk(value, '', '', -1)
  return out
}

export interface MappingDraft {
  id: string
  name: string
  topic: string
  path: string
  dataType: DataType
  unit: string
}

/** Field names that say their unit; a guess the engineer confirms or edits. */
const UNIT_HINTS: [RegExp, string][] = [
  [/kwh$/i, 'kWh'],
  [/(^|[._])temp(erature)?$/i, '°C'],
  [/humidity$/i, '%'],
  [/co2$/i, 'ppm'],
  [/(^|[._])voltage([._]|$)/i, 'V'],
  [/(^|[._])current([._]|$)/i, 'A'],
  [/(^|[._])power([._]|$)/i, 'kW'],
]

/** The prefilled mapping for a clicked field: `<connection>/<last topic level>.<path>`, made unique against `taken`. */
export function draftMapping(connection: string, topic: string, path: string, value: unknown, taken: ReadonlySet<string>): MappingDraft {
  const device = topic.split('/').filter(Boolean).pop() ?? 'topic'
  const base = `${connection}/${device}.${path}`.replace(/[^A-Za-z0-9_.:\-/#[\]]/g, '_')
  let id = base
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`
  const unit = UNIT_HINTS.find(([re]) => re.test(path))?.[1] ?? ''
  return { id, name: `${device} ${path}`, topic, path, dataType: jsonDataType(value) ?? 'string', unit }
}

export function previewValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v)
  if (Array.isArray(v)) return `[${v.length}]`
  if (v && typeof v === 'object') return `{${Object.keys(v).length}}`
  return String(v)
}
