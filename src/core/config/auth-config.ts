import { z } from 'zod'
import type { IdentityOptions } from '../identity/identity'
import type { RateLimitOptions } from '../../shared/rpc/rate-limit'

const Bucket = z.object({ burst: z.number().int().min(1).max(1_000_000), perSecond: z.number().positive().max(1_000_000) }).strict()

/** Logins and limits (see docs/identity.md). Every key is optional. */
export const AuthConfig = z
  .object({
    /** A login session ends after this many minutes without a call (default 30). */
    sessionIdleMinutes: z.number().positive().max(7 * 24 * 60).default(30),
    /** …and this many hours after the login in any case (default 12). */
    sessionMaxHours: z.number().positive().max(24 * 90).default(12),
    /** Failed logins per user and per address: `free` allowed, then a lock of `firstLockSeconds`, doubling up to `maxLockMinutes`. */
    loginFailures: z
      .object({ free: z.number().int().min(1).max(100).default(5), firstLockSeconds: z.number().positive().max(3600).default(1), maxLockMinutes: z.number().positive().max(24 * 60).default(15) })
      .strict()
      .prefault({}),
    /** Token buckets on every API call, per user and per address; over them a call is answered `rpc.rate_limited`. */
    rateLimit: z
      .object({ perUser: Bucket.default({ burst: 2000, perSecond: 500 }), perAddress: Bucket.default({ burst: 2000, perSecond: 500 }) })
      .strict()
      .prefault({}),
    /** The password policy's minimum length (default 10). */
    minPasswordLength: z.number().int().min(8).max(128).default(10),
  })
  .strict()
export type AuthConfig = z.infer<typeof AuthConfig>

export const identityOptions = (c: AuthConfig): IdentityOptions => ({
  idleMs: c.sessionIdleMinutes * 60_000,
  absoluteMs: c.sessionMaxHours * 3_600_000,
  minPasswordLength: c.minPasswordLength,
  throttle: { freeFailures: c.loginFailures.free, baseLockMs: c.loginFailures.firstLockSeconds * 1000, maxLockMs: c.loginFailures.maxLockMinutes * 60_000 },
})

export const rateLimitOptions = (c: AuthConfig): RateLimitOptions => ({ perUser: c.rateLimit.perUser, perAddress: c.rateLimit.perAddress })
