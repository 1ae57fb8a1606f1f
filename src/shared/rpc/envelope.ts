import { z } from 'zod'
import { ErrorShape } from '../model/errors'

/** Request: `{id, method, params}`. */
export const RequestMsg = z.object({
  id: z.union([z.number().int(), z.string().max(64)]),
  method: z.string().max(128),
  /** Absent means `{}`. */
  params: z.unknown().optional(),
})
export type RequestMsg = z.infer<typeof RequestMsg>

export const OkReply = z.object({ id: z.union([z.number(), z.string()]), ok: z.literal(true), result: z.unknown() })
/** `id` is null when the request was too broken to carry one. */
export const ErrReply = z.object({ id: z.union([z.number(), z.string(), z.null()]), ok: z.literal(false), error: ErrorShape })
export const EventMsg = z.object({ event: z.string(), payload: z.unknown() })

export const ServerMsg = z.union([OkReply, ErrReply, EventMsg])
export type ServerMsg = z.infer<typeof ServerMsg>
export type ErrReply = z.infer<typeof ErrReply>

/** Default ceiling for one message, in UTF-16 code units of its JSON text (~bytes for ASCII). */
export const DEFAULT_MAX_MESSAGE = 1024 * 1024
