import { z } from 'zod'
import { ErrorCode } from './errors'

/** A connection's id, as the configuration, plant edits and the API take it: the one definition of its pattern. */
export const ConnectionId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'connection id: letters, digits, _ and - only (max 64)')
export type ConnectionId = z.infer<typeof ConnectionId>

/** Health is state, not an exception. */
export const ConnectionHealth = z.enum(['connecting', 'connected', 'degraded', 'error', 'stopped'])
export type ConnectionHealth = z.infer<typeof ConnectionHealth>

/** The protocol of a connection: a driver's kind (`opcua`, `mqtt`...). */
export const ConnectionKind = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'connection kind')
export type ConnectionKind = z.infer<typeof ConnectionKind>

export const ConnectionState = z.object({
  id: z.string(),
  kind: ConnectionKind,
  name: z.string(),
  /** Endpoint or broker URL, without credentials. */
  target: z.string(),
  health: ConnectionHealth,
  /** Why the connection is not `connected`: human readable. */
  reason: z.string().optional(),
  /** Stable code of the problem in `reason`, for a program to switch on (`opcua.access_denied`, `opcua.untrusted_certificate`...). */
  code: ErrorCode.optional(),
  /** What the connection runs on, readable by a person (MQTT: protocol version, client id, session). */
  detail: z.string().optional(),
  since: z.number().int(),
  /**
   * Counters a user can see, since start: samples received, stored, replaced as duplicates and rejected
   * (`samples = stored + duplicates + rejected` + those still on their way to the store; see `signals.accounting`).
   */
  samples: z.number().int().nonnegative(),
  stored: z.number().int(),
  duplicates: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
})
export type ConnectionState = z.infer<typeof ConnectionState>
