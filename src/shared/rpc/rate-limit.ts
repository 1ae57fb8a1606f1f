/** One token bucket's shape: `burst` calls at once, refilled at `perSecond`. */
export interface BucketSpec {
  burst: number
  perSecond: number
}

export interface RateLimitOptions {
  /** Per principal (user name; the kiosk and the API token count as one user each). Default 2,000 burst, 500/s. */
  perUser?: BucketSpec | false
  /** Per address (the session's `remote`, e.g. `ws 192.0.2.7`). Default 2,000 burst, 500/s. */
  perAddress?: BucketSpec | false
  /** Time source (tests drive it). */
  now?: () => number
  /** Buckets remembered per kind; past it the least recently used is forgotten (default 10,000). */
  maxKeys?: number
}

export const DEFAULT_BUCKET: BucketSpec = { burst: 2000, perSecond: 500 }

interface Bucket {
  tokens: number
  at: number
}

/** Token buckets by key: `take(key)` is true while the key has a token, and refills continuously. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>()
  /** Calls refused since start. */
  refused = 0

  constructor(
    private readonly spec: BucketSpec,
    private readonly now: () => number,
    private readonly maxKeys = 10_000,
  ) {}

  take(key: string): boolean {
    const now = this.now()
    const b = this.buckets.get(key) ?? { tokens: this.spec.burst, at: now }
    b.tokens = Math.min(this.spec.burst, b.tokens + (Math.max(0, now - b.at) / 1000) * this.spec.perSecond)
    b.at = now
    this.buckets.delete(key)
    this.buckets.set(key, b) // most recently used last
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!)
    if (b.tokens < 1) {
      this.refused++
      return false
    }
    b.tokens -= 1
    return true
  }

  get size(): number {
    return this.buckets.size
  }
}

/** The RPC server's limits: a bucket per user and one per address; a call needs a token from both. */
export function createRateLimiter(o: RateLimitOptions = {}) {
  const now = o.now ?? Date.now
  const user = o.perUser === false ? undefined : new TokenBuckets(o.perUser ?? DEFAULT_BUCKET, now, o.maxKeys)
  const address = o.perAddress === false ? undefined : new TokenBuckets(o.perAddress ?? DEFAULT_BUCKET, now, o.maxKeys)
  return {
    /** 'user' or 'address' when that bucket is empty (the call is refused), else undefined. */
    take(userKey: string | undefined, addressKey: string): 'user' | 'address' | undefined {
      if (address && !address.take(addressKey)) return 'address'
      if (user && userKey !== undefined && !user.take(userKey)) return 'user'
      return undefined
    },
    stats: () => ({ byUser: user?.refused ?? 0, byAddress: address?.refused ?? 0 }),
  }
}
export type RateLimiter = ReturnType<typeof createRateLimiter>
