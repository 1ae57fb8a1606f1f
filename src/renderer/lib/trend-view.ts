import { z } from 'zod'
import { TrendView, type PenConfig } from '../../shared/model/trend-view'

export { Compare, COMPARE_DAYS, PenConfig, TrendRange, AxisLimits, MAX_PENS, TrendView } from '../../shared/model/trend-view'

/** The shared file: a trend view with a name, tagged so another JSON file is refused for what it is. */
export const TrendViewFile = z.object({
  format: z.literal('plantdeck.trend-view'),
  version: z.literal(1),
  name: z.string().min(1).max(200),
  savedAt: z.string().optional(),
  view: TrendView,
})
export type TrendViewFile = z.infer<typeof TrendViewFile>

export const MAX_VIEW_FILE_BYTES = 256 * 1024

export type ViewFileResult = { ok: true; file: TrendViewFile } | { ok: false; code: 'trend.view_too_large' | 'trend.view_not_json' | 'trend.view_invalid'; message: string }

/** Reads a shared view file; anything else is refused with a stable code and words an operator can act on. */
export function parseViewFile(text: string): ViewFileResult {
  if (text.length > MAX_VIEW_FILE_BYTES) return { ok: false, code: 'trend.view_too_large', message: `the file is over ${MAX_VIEW_FILE_BYTES / 1024} KB; a trend view is a few KB` }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { ok: false, code: 'trend.view_not_json', message: 'the file is not JSON; choose a file saved with "Download view"' }
  }
  const r = TrendViewFile.safeParse(json)
  if (!r.success) {
    const first = r.error.issues[0]!
    const where = first.path.length ? first.path.join('.') : 'the file'
    const what = (json as { format?: unknown } | null)?.format !== 'plantdeck.trend-view' ? 'it is not a Plantdeck trend view' : `${where}: ${first.message}`
    return { ok: false, code: 'trend.view_invalid', message: what }
  }
  return { ok: true, file: r.data }
}

export function viewFile(name: string, view: TrendView, now = new Date()): TrendViewFile {
  return { format: 'plantdeck.trend-view', version: 1, name, savedAt: now.toISOString(), view }
}

/** Calm pen colours (no alarm red, amber or yellow): muted on the dark theme, deeper on the light one. */
export const PALETTE = {
  dark: ['#7fa7c9', '#b5a2d8', '#8cc0a0', '#d0b48c', '#86bcbc', '#c59aa8', '#aab3bd', '#a3b27f'],
  light: ['#2f6690', '#6a4c9c', '#3d7a55', '#86622f', '#2f7676', '#8a4a5c', '#545e6b', '#5f6e2c'],
} as const

/** The palette slot a new pen gets: the first not taken by another pen. */
export function nextColorSlot(pens: readonly PenConfig[]): string {
  const used = new Set(pens.map((p) => p.color))
  for (let i = 0; i < PALETTE.dark.length; i++) if (!used.has(String(i))) return String(i)
  return String(pens.length % PALETTE.dark.length)
}

export function penColor(pen: PenConfig, theme: 'dark' | 'light'): string {
  const p = PALETTE[theme]
  return p[Number(pen.color ?? 0) % p.length]!
}
