import { z } from 'zod'
import { method } from './define'

export const HostKind = z.enum(['desktop', 'headless', 'test'])

export const SystemInfo = z.object({
  product: z.literal('Plantdeck'),
  version: z.string(),
  host: HostKind,
  startedAt: z.number().int(),
  /** True while the simulated plant is the data source. */
  demo: z.boolean(),
})
export type SystemInfo = z.infer<typeof SystemInfo>

/** The log file's health: a failing file drops lines (counted) rather than stopping the process. */
export const LogDiagnostics = z.object({
  path: z.string(),
  written: z.number().int(),
  dropped: z.number().int(),
  failures: z.number().int(),
  /** Code of the last failure (`ENOSPC`, …). */
  lastError: z.string().nullable(),
  lastErrorAt: z.number().int().nullable(),
  /** The last attempt failed: lines are dropped until a retry succeeds. */
  failing: z.boolean(),
  rotations: z.number().int(),
})
export type LogDiagnostics = z.infer<typeof LogDiagnostics>

/** The local history's state: 'full' means writes fail for want of disk space (reads still work). */
export const StoreStatus = z.object({
  state: z.enum(['ok', 'full']),
  since: z.number().int(),
  /** Why it entered the state, for 'full'. */
  reason: z.string().nullable(),
})
export type StoreStatus = z.infer<typeof StoreStatus>

export const StoreDiagnostics = StoreStatus.extend({
  /** Bytes on disk; null when the store could not be asked. */
  diskBytes: z.number().int().nullable(),
  diskBudgetBytes: z.number().int().nullable(),
})
export type StoreDiagnostics = z.infer<typeof StoreDiagnostics>

export const system = {
  /** Who is answering: product, version, host kind, start time. */
  'system.info': method(z.object({}).strict(), SystemInfo),
  /** Round trip check; echoes `nonce`. */
  'system.ping': method(z.object({ nonce: z.string().max(64) }).strict(), z.object({ nonce: z.string(), at: z.number().int() })),
  /** Health of the parts behind the screen; a section is null where the host has no such part. */
  'system.diagnostics': method(
    z.object({}).strict(),
    z.object({ log: LogDiagnostics.nullable(), store: StoreDiagnostics.nullable() }),
  ),
} as const

export const systemEvents = {
  /** Pushed to every client when the store's state changes (full, writing paused / ok again). */
  'system.store': StoreStatus,
} as const
