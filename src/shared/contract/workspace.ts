import { z } from 'zod'
import { ErrorShape } from '../model/errors'
import { AxisLimits, MAX_PENS, PenConfig, TrendRange, TrendView } from '../model/trend-view'
import { method } from './define'

/** A workspace as saved is at most this many bytes of JSON (`workspace.too_large` beyond it). */
export const MAX_WORKSPACE_BYTES = 256 * 1024
export const MAX_WORKSPACE_TABS = 32
export const MAX_SAVED_VIEWS = 50

/** One trend as the workspace keeps it: the pens (with which one follows the selection), the range, the axes. */
export const TrendSlot = z.object({
  pens: z.array(PenConfig).max(MAX_PENS),
  range: TrendRange,
  liveSpanMs: z.number().int().min(10_000).max(366 * 86_400_000),
  axes: AxisLimits.default({}),
})
export type TrendSlot = z.infer<typeof TrendSlot>

const TabId = z.string().min(1).max(1100)
const Title = z.string().max(300)

/** The operator view's centre tabs: the overview (fixed), the alarm summary, one per opened asset, trends of their own. */
export const WorkspaceTab = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('overview'), id: z.literal('overview') }),
  z.object({ kind: z.literal('alarms'), id: z.literal('alarms') }),
  /** An asset's faceplate and its trend (whose selected pen follows the faceplate's row). */
  z.object({ kind: z.literal('asset'), id: TabId, asset: z.string().min(1).max(1024), title: Title, trend: TrendSlot.optional() }),
  z.object({ kind: z.literal('trend'), id: TabId, title: Title, trend: TrendSlot }),
])
export type WorkspaceTab = z.infer<typeof WorkspaceTab>

/** What an operator finds again after a restart or at another screen: tabs, selection, trends, saved views, theme. */
export const Workspace = z.object({
  version: z.literal(1),
  theme: z.enum(['dark', 'light']),
  tabs: z.array(WorkspaceTab).max(MAX_WORKSPACE_TABS),
  active: TabId,
  selectedAsset: z.string().min(1).max(1024).nullable(),
  /** The plant's time zone (IANA name). */
  timeZone: z.string().min(1).max(64),
  views: z.array(z.object({ name: z.string().min(1).max(200), view: TrendView })).max(MAX_SAVED_VIEWS),
})
export type Workspace = z.infer<typeof Workspace>

export const WorkspaceGet = z.object({
  /** The user's workspace as last saved; null: none yet, the kiosk (kept per browser), or unreadable (see `problem`). */
  workspace: Workspace.nullable(),
  savedAt: z.number().int().nullable(),
  /** Kept in this browser, not on the server (the kiosk, the API token). */
  perBrowser: z.boolean(),
  /** A stored workspace that could not be read (`workspace.invalid`): the screen starts fresh and says so. */
  problem: ErrorShape.optional(),
})
export type WorkspaceGet = z.infer<typeof WorkspaceGet>

export const workspace = {
  /** The caller's workspace (per user name, in app.db). */
  'workspace.get': method(z.object({}).strict(), WorkspaceGet, 'viewer'),
  /** Keeps the caller's workspace (whole, replacing the last). The kiosk is refused `workspace.kiosk`: it keeps its own per browser. */
  'workspace.save': method(z.object({ workspace: Workspace }).strict(), z.object({ savedAt: z.number().int(), bytes: z.number().int() }), 'viewer'),
}
