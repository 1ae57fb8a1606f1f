import { z } from 'zod'

/**
 * Why a sample was not stored: a stable code from a decoder (`not_json`, `missing_field`, `wrong_type`,
 * `bad_timestamp`, `future_timestamp`, `too_large`, `sparkplug_no_birth`...) or from the store (`unknown_signal`,
 * `expired`, `store_failed`: the store could not commit).
 */
export const SampleRejectReason = z.string().min(1).max(64)
export type SampleRejectReason = z.infer<typeof SampleRejectReason>

/**
 * Where the samples of a signal or a connection went since start. Always
 * `received = stored + duplicates + rejected + inFlight`.
 */
export const SampleAccount = z.object({
  /** Samples the source offered (one per mapped field of a message), good or not. */
  received: z.number().int().nonnegative(),
  /** Kept in the history. Until the store compacts (seconds), duplicates and late expiries still count here. */
  stored: z.number().int(),
  /** Replaced by a later sample with the same signal and timestamp (a redelivery, a repeated source time). */
  duplicates: z.number().int().nonnegative(),
  /** Refused, by the decoder or the store; `rejectedBy` says why. */
  rejected: z.number().int().nonnegative(),
  rejectedBy: z.record(SampleRejectReason, z.number().int().nonnegative()),
  /** Handed to the store, its answer not back yet. */
  inFlight: z.number().int(),
})
export type SampleAccount = z.infer<typeof SampleAccount>
