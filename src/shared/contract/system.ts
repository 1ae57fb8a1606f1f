import { z } from 'zod'
import { method } from './define'

const Count = z.number().int().nonnegative()

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
  /** Timestamp of the oldest raw sample kept (null: none, or the store could not be asked). */
  oldestTs: z.number().nullable().optional(),
})
export type StoreDiagnostics = z.infer<typeof StoreDiagnostics>

/** The RPC layer's counters since start. */
export const RpcDiagnostics = z.object({
  /** Clients connected now. */
  sessions: z.number().int().nonnegative(),
  /** Calls being worked on now, all sessions together. */
  inFlight: z.number().int().nonnegative(),
  /** Calls one session may have in progress; more are answered `rpc.busy`. */
  maxInFlightPerSession: z.number().int().positive(),
  /** Calls answered `rpc.busy` (also counted in `rejected`). */
  busy: z.number().int().nonnegative(),
  /** Rejected messages and calls by error code. */
  rejected: z.record(z.string(), z.number().int().nonnegative()),
  /** Calls answered `rpc.rate_limited` (also counted in `rejected`), by the bucket that was empty: per user, per address. */
  rateLimited: z.object({ byUser: Count, byAddress: Count }).optional(),
})
export type RpcDiagnostics = z.infer<typeof RpcDiagnostics>

/** The server process's memory, bytes (`process.memoryUsage()`). */
export const MemoryDiagnostics = z.object({
  heapUsed: z.number().nonnegative(),
  heapTotal: z.number().nonnegative(),
  rss: z.number().nonnegative(),
  /** True when a garbage collection ran just before (asked with `gc` and the process allows it: `--expose-gc`). */
  afterGc: z.boolean(),
})

/** The headless server's HTTP side (absent on the desktop). */
export const HttpDiagnostics = z.object({
  /**
   * Requests refused since start, by reason: a Host or Origin that is not this server (DNS rebinding, another site's
   * page), a missing or wrong token, an unknown WebSocket path.
   */
  refused: z.object({ host: Count, origin: Count, token: Count, path: Count }),
})
export type HttpDiagnostics = z.infer<typeof HttpDiagnostics>

/** Logins since start: failures, locks (after too many failures, per user and per address), keys locked now, login sessions open. */
export const AuthDiagnostics = z.object({
  loginFailures: Count,
  locks: Count,
  refusedLocked: Count,
  lockedNow: Count,
  /** Failed logins of the last hour before this start, read back from the audit trail (a restart lifts no lock). */
  recalledFailures: Count,
  sessions: Count,
})
export type AuthDiagnostics = z.infer<typeof AuthDiagnostics>

/** Refusals made before any handler (access checks, forged session secrets, locked logins) and what the audit trail got of them. */
export const RefusalAuditDiagnostics = z.object({
  /** Refusals seen. */
  seen: Count,
  /** Entries written: the first of each source, method and code a minute, the repeat counts, the overflow counts. */
  written: Count,
  /** Refusals only counted (repeats within the minute, and past the entries a minute may take). */
  folded: Count,
  /** Entries that could not be written (logged). */
  failed: Count,
})

/** One section per part of the server; more sections join over time, none is renamed. */
export const Diagnostics = z.object({
  rpc: RpcDiagnostics,
  memory: MemoryDiagnostics.optional(),
  http: HttpDiagnostics.optional(),
  /** The log file: lines written and dropped, the last failure (absent where the host keeps no log file). */
  log: LogDiagnostics.optional(),
  /** The local history's state (absent without a store). */
  store: StoreDiagnostics.optional(),
  /** Logins and their throttling (absent where the host keeps no users). */
  auth: AuthDiagnostics.optional(),
  /** The audit of refusals before any handler (absent where the host has no core). */
  refusals: RefusalAuditDiagnostics.optional(),
})
export type Diagnostics = z.infer<typeof Diagnostics>

export const system = {
  /** Who is answering: product, version, host kind, start time. */
  'system.info': method(z.object({}).strict(), SystemInfo, 'public'),
  /** Round trip check; echoes `nonce`. */
  'system.ping': method(z.object({ nonce: z.string().max(64) }).strict(), z.object({ nonce: z.string(), at: z.number().int() }), 'public'),
  /** Counters for an engineer: RPC sessions, calls in progress, rejections by code, memory. `gc` only works under `--expose-gc`. */
  'system.diagnostics': method(z.object({ gc: z.boolean().optional() }).strict(), Diagnostics, 'viewer'),
} as const

export const systemEvents = {
  /** Pushed to every client when the store's state changes (full, writing paused / ok again). */
  'system.store': StoreStatus,
} as const
