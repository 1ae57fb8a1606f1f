import { z } from 'zod'
import { ConfigAssetNode, ConfigTemplate } from './asset-config'
import { ConnectionConfig, refineTemplates } from './schema'
import { AlarmsConfig, defaultAlarmsConfig } from './alarms-config'
import { StoreConfig, SyncConfig } from './store-config'
import { AuthConfig } from './auth-config'
import { Role } from '../../shared/model/principal'

const Port = z.number().int().min(0).max(65535)
const IP = z.union([z.ipv4(), z.ipv6()])
// an IP address (IPv6 with or without brackets) or a DNS name; zod's checks keep the core free of node:net
const isHostname = (s: string) => IP.safeParse(s.replace(/^\[(.*)\]$/, '$1')).success || /^[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})*$/i.test(s)

/** The one configuration file (JSON or YAML). Every field is optional: no file at all runs the simulated plant. */
export const AppConfig = z
  .object({
    /** Run the simulated plant. Default: on when no connections are configured. */
    demo: z
      .object({
        enabled: z.boolean().optional(),
        opcuaPort: Port.default(4840),
        mqttPort: Port.default(1883),
      })
      .strict()
      .default({ opcuaPort: 4840, mqttPort: 1883 }),
    server: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: Port.default(6042),
        /** PEM files; with `token`, required to listen on a non-loopback address. */
        tls: z.object({ cert: z.string().min(1), key: z.string().min(1) }).strict().optional(),
        /**
         * Extra names (DNS names or IP addresses, no port) clients use for this server; any other Host header is
         * refused (DNS rebinding). Loopback addresses, `localhost` and the bind address are always allowed.
         */
        hostnames: z
          .array(z.string().max(253).refine(isHostname, 'must be a host name or IP address, without scheme or port'))
          .max(64)
          .optional(),
        /**
         * Shared secret for API clients (`Authorization: Bearer <token>`), who act as `tokenRole`; a browser opens
         * `/?token=` once and gets a cookie that lets it reach the page (it still logs in). At least 16 characters.
         */
        token: z.string().min(16, 'token must be at least 16 characters').optional(),
        /** The role of an API client with the token (default engineer). */
        tokenRole: Role.default('engineer'),
        /**
         * The read-only kiosk: viewer methods without a login. Default: on while the simulated plant runs and the
         * server listens on loopback (the desktop: while the simulated plant runs); off otherwise.
         */
        kiosk: z.boolean().optional(),
      })
      .strict()
      .prefault({}),
    /**
     * What an acknowledged sample survives. `process-crash` (default): a crash or kill of Plantdeck (SQLite WAL,
     * synchronous=NORMAL); `power-loss`: also a power cut or OS crash, at the cost of an fsync per group commit
     * (measured in `npm run bench:store`).
     */
    store: StoreConfig.prefault({}),
    /** Store-and-forward to shared backends: one cursor per sink in the store (see docs/sync.md). */
    sync: SyncConfig.prefault({}),
    /** Where the cache, logs and certificates live. Default: the platform's user-data folder. */
    dataDir: z.string().min(1).optional(),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /** `<dataDir>/logs/plantdeck.log` rotates before it passes `maxBytes`; `files` rotated ones are kept (.1 newest). */
    log: z
      .object({ maxBytes: z.number().int().min(4096).default(10 * 1024 * 1024), files: z.number().int().min(0).max(100).default(5) })
      .strict()
      .default({ maxBytes: 10 * 1024 * 1024, files: 5 }),
    connections: z.array(ConnectionConfig).default([]),
    /** The asset tree; a node naming `template` is an instance of one of `templates` (they seed the asset model). */
    assets: ConfigAssetNode.optional(),
    templates: z.array(ConfigTemplate).max(1000).optional(),
    /** Logins: session expiry, failed-login locks, API rate limits, the password policy (docs/identity.md). */
    auth: AuthConfig.prefault({}),
    /** Alarm notification rules and the alarm journal's retention (see docs/alarms.md). */
    alarms: AlarmsConfig.default(defaultAlarmsConfig),
  })
  .strict()
  .superRefine((c, ctx) => {
    const ids = new Set<string>()
    c.connections.forEach((conn, i) => {
      if (ids.has(conn.id)) ctx.addIssue({ code: 'custom', path: ['connections', i, 'id'], message: `duplicate connection id "${conn.id}"` })
      ids.add(conn.id)
    })
    const signals = new Set<string>()
    c.connections.forEach((conn, i) =>
      conn.signals.forEach((s, j) => {
        if (signals.has(s.id)) ctx.addIssue({ code: 'custom', path: ['connections', i, 'signals', j, 'id'], message: `duplicate signal id "${s.id}"` })
        signals.add(s.id)
      }),
    )
    refineTemplates(c, ctx)
    // a protocol action names a connection of its kind; with the simulated plant on, its connections count too (checked when they exist)
    if (!(c.demo.enabled ?? c.connections.length === 0)) {
      c.alarms.notifications.forEach((r, i) => {
        if (r.action.kind === 'webhook') return
        const conn = c.connections.find((x) => x.id === (r.action as { connection: string }).connection)
        if (!conn || conn.kind !== r.action.kind) {
          ctx.addIssue({ code: 'custom', path: ['alarms', 'notifications', i, 'action', 'connection'], message: `no ${r.action.kind} connection "${(r.action as { connection: string }).connection}" is configured` })
        }
      })
    }
    const sinks = new Set<string>()
    c.sync.sinks.forEach((sink, i) => {
      if (sinks.has(sink.id)) ctx.addIssue({ code: 'custom', path: ['sync', 'sinks', i, 'id'], message: `duplicate sink id "${sink.id}"` })
      sinks.add(sink.id)
    })
  })
export type AppConfig = z.infer<typeof AppConfig>

/** Demo runs when asked to, or by default when nothing else is configured. */
export const demoEnabled = (c: AppConfig): boolean => c.demo.enabled ?? c.connections.length === 0

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/

export const isLoopbackHost = (host: string): boolean => LOOPBACK.test(host)

/** The headless server may leave loopback only with TLS (logins are then required: the kiosk is off unless configured). Returns the refusal reason, if any. */
export function exposureProblem(c: AppConfig): string | undefined {
  if (LOOPBACK.test(c.server.host)) return undefined
  if (!c.server.tls) return `refusing to listen on ${c.server.host}: a non-loopback address needs server.tls (cert, key)`
  return undefined
}

/** Whether the read-only kiosk is on: as configured, else while the simulated plant runs on a loopback server (any desktop). */
export const kioskEnabled = (c: AppConfig, host: 'desktop' | 'headless' | 'test'): boolean =>
  c.server.kiosk ?? (demoEnabled(c) && (host !== 'headless' || LOOPBACK.test(c.server.host)))
