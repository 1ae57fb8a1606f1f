import { z } from 'zod'
import { ProxySetting } from '../egress'
import { IDENTIFIER } from './naming'

const Endpoint = z
  .string()
  .refine(
    (s) => {
      try {
        const u = new URL(s)
        return (u.protocol === 'http:' || u.protocol === 'https:') && !u.search && !u.hash && (u.pathname === '/' || u.pathname === '')
      } catch {
        return false
      }
    },
    { message: 'endpoint: a taosAdapter base URL, http(s)://host:port (default port 6041), no path' },
  )

/** A `tdengine` sink: taosAdapter's REST API (`/rest/sql`), one database, one supertable per value type. */
export const TdengineSinkConfig = z.strictObject({
  id: z.string().min(1).max(64),
  kind: z.literal('tdengine'),
  /** taosAdapter base URLs, in order of preference: the first that answers `/-/ping` is used, and the sink comes back to an earlier one. */
  endpoints: z.array(Endpoint).min(1).max(16),
  database: z.string().regex(IDENTIFIER, 'database: a letter, then letters, digits, underscores (≤ 64)').default('plantdeck'),
  /** Supertables are `<prefix>_double`, `<prefix>_bool`, `<prefix>_text`. */
  superTablePrefix: z.string().regex(IDENTIFIER, 'superTablePrefix: a letter, then letters, digits, underscores (≤ 64)').default('plantdeck'),
  auth: z.strictObject({
    user: z.string().min(1).max(64),
    password: z.string().max(256),
    /** `basic`: every request carries Basic credentials; `token`: one `/rest/login` per endpoint, then `Authorization: Taosd <token>`. */
    mode: z.enum(['basic', 'token']).default('basic'),
  }),
  tls: z
    .strictObject({
      /** The CA that signed taosAdapter's certificate: a PEM file, or the PEM text itself. */
      caFile: z.string().min(1).optional(),
      ca: z.string().min(1).optional(),
      rejectUnauthorized: z.boolean().default(true),
      servername: z.string().min(1).optional(),
    })
    .optional(),
  /** The database's KEEP and DURATION (days) and REPLICA, used when the sink creates it (an existing database keeps its own). */
  keepDays: z.int().min(1).max(365_000).default(3650),
  durationDays: z.int().min(1).max(3650).default(10),
  replica: z.union([z.literal(1), z.literal(3)]).default(1),
  /** The server's SQL length limit (TDengine's maxSQLLength, 1 MB by default): every statement stays at or under it. */
  maxSqlBytes: z.int().min(64 * 1024).max(64 * 1024 * 1024).default(1024 * 1024),
  timeoutMs: z.int().min(100).max(600_000).default(30_000),
  /** How often, while on a later endpoint, the sink checks whether an earlier one is back (ms). */
  failbackMs: z.int().min(0).max(3_600_000).default(30_000),
  /** Egress for this sink: `direct`, socks5://, socks5h:// or http:// (CONNECT); absent: the global setting. */
  proxy: ProxySetting.optional(),
})
export type TdengineSinkConfig = z.infer<typeof TdengineSinkConfig>
export type TdengineSinkConfigInput = z.input<typeof TdengineSinkConfig>
