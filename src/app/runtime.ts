import { join } from 'node:path'
import { demoEnabled, kioskEnabled, type AppConfig } from '../core/config/app-config'
import { identityOptions, rateLimitOptions } from '../core/config/auth-config'
import { SqliteUserStore } from '../adapters/app-db/users'
import { SqliteWorkspaceStore } from '../adapters/app-db/workspaces'
import { nodeIdentityCrypto, type ScryptCost } from '../adapters/identity/node-crypto'
import type { Identity } from '../core/identity/identity'
import { applyPlantEdits, emptyPlantEdits, type PlantEdits } from '../core/config/plant-edits'
import type { PlantConfig } from '../core/config/schema'
import { createCore, type Core } from '../core/create-core'
import type { Logger } from '../core/ports/logger'
import type { LogFileHealth } from './log-file'
import { startDemoPlant, type DemoPlant } from '../demo/start-demo'
import { contract, events } from '../shared/contract'
import { createRpcServer, type RpcServer } from '../shared/rpc/server'
import { createRejectLog } from '../shared/rpc/reject-log'
import type { Diagnostics, HttpDiagnostics } from '../shared/contract/system'
import { createCollectors, driverTools, lateLiveSource } from './drivers'
import { trustOwnDemoServer } from './opcua-pki'
import { withRuntimeEdits } from '../core/assets/runtime-folders'
import { mkdirSync } from 'node:fs'
import { openSqliteSampleStore } from '../adapters/sqlite/create-sqlite-sample-store'
import type { SampleStore } from '../core/ports/sample-store'
import { FilePlantPersistence, loadPlantEdits, OVERLAY_FILE_NAME } from '../adapters/config/plant-persistence'
import { AppDbHandle } from '../adapters/app-db/app-db-files'
import { createNotifier } from '../core/alarms/notifications'
import { seedModel } from '../core/assets-model/seed'
import type { Database as SqliteDatabase } from 'better-sqlite3'
import { createAlarmJournal, type SqliteAlarmJournal } from '../adapters/app-db/alarm-journal'
import { createAlarmStateStore } from '../adapters/app-db/alarm-state'
import { createSinks } from './sync-sinks'
import { openAuditTrail, type SqliteAuditTrail } from '../adapters/app-db/audit-trail'
import { UnavailableAuditTrail } from '../core/audit/memory-audit-trail'
import type { AuditTrail } from '../core/ports/audit'
import type { CredentialCheck } from '../core/ports/identity'

const DAY = 24 * 3_600_000

export interface Runtime {
  core: Core
  rpc: RpcServer<typeof events>
  demo: DemoPlant | undefined
  /** The local history (for diagnostics and tests). */
  store: SampleStore
  /** Users and logins (absent when the application database did not open: nobody can log in then). */
  identity: Identity | undefined
  /** The read-only kiosk is on. */
  kiosk: boolean
  stop(): Promise<void>
}

export interface RuntimeOptions {
  config: AppConfig
  /** The file `config` was read from: runtime edits of its connections are written back into it. */
  configFile?: string | undefined
  dataDir: string
  logger: Logger
  /** The log file's health, for `system.diagnostics` (the host's logger knows it). */
  logHealth?: () => LogFileHealth
  host: 'desktop' | 'headless' | 'test'
  version: string
  /** Results validated against the contract (tests). */
  validateResults?: boolean
  /** The headless server's counters for `system.diagnostics`; undefined until it listens (it starts after the runtime). */
  http?: () => HttpDiagnostics | undefined
  /** Worker entry of the store for bundled builds (Electron); default: the TypeScript source through tsx. */
  storeWorker?: URL
  /** An audit trail instead of `<dataDir>/audit.db` (tests: one that refuses, to see actions fail closed). */
  audit?: AuditTrail
  /** Checks a second person's credentials for critical commands; without one, critical commands answer command.bad_approval. */
  credentials?: CredentialCheck
  /** How long a command selection holds its target (default 30 s; tests shorten it). */
  commandLockMs?: number
  /** scrypt's cost (tests lower it; default N=2^15, r=8, p=1). */
  scrypt?: ScryptCost
}

/**
 * The composition shared by the desktop and headless hosts: the simulated plant when enabled,
 * one collector per connection, the core, and the RPC server in front of it. Transports are the host's.
 */
export async function startRuntime(o: RuntimeOptions): Promise<Runtime> {
  const log = o.logger
  let demo: DemoPlant | undefined
  let plant: PlantConfig = { connections: o.config.connections, ...(o.config.assets ? { assets: o.config.assets } : {}), ...(o.config.templates ? { templates: o.config.templates } : {}) }
  if (demoEnabled(o.config)) {
    demo = await startDemoPlant({
      opcuaPort: o.config.demo.opcuaPort,
      mqttPort: o.config.demo.mqttPort,
      pkiDir: join(o.dataDir, 'pki', 'demo-server'),
      logger: log.child({ part: 'demo' }),
    })
    log.info({ opcua: demo.opcuaEndpoint, mqtt: demo.mqttUrl }, 'simulated plant running')
    await trustOwnDemoServer(o.dataDir, demo.opcuaCertificate)
    plant = {
      connections: [...demo.config.connections, ...o.config.connections],
      ...((o.config.assets ?? demo.config.assets) ? { assets: o.config.assets ?? demo.config.assets! } : {}),
      // the file's templates, and the simulated plant's (Tank, Centrifugal pump...) where the file has none of that id
      templates: [...(o.config.templates ?? []), ...(demo.config.templates ?? []).filter((t) => !o.config.templates?.some((f) => f.id === t.id))],
    }
  }
  // runtime edits of connections the config file does not define (the demo's, or every one without a file)
  const overlayFile = join(o.dataDir, OVERLAY_FILE_NAME)
  const base = plant.connections
  let edits: PlantEdits = emptyPlantEdits()
  try {
    edits = loadPlantEdits(overlayFile)
  } catch (e) {
    log.error({ file: overlayFile, err: (e as Error).message }, 'runtime edits not applied: the file does not load (it is left as it is; new edits are not saved until it is fixed)')
  }
  const applied = applyPlantEdits(base, edits)
  for (const problem of applied.problems) log.warn({ file: overlayFile, problem }, 'runtime edit not applied')
  plant = { ...plant, connections: applied.connections, ...(plant.assets ? { assets: withRuntimeEdits(plant.assets, base, applied.connections) } : {}) }
  const persistence = new FilePlantPersistence({
    configFile: o.configFile,
    fileConnections: o.config.connections.map((c) => c.id),
    overlayFile,
    base,
    logger: log.child({ part: 'plant-edits' }),
  })
  const live = lateLiveSource()
  const collectors = createCollectors(plant.connections, o.dataDir, log, live.source)
  mkdirSync(join(o.dataDir, 'store'), { recursive: true })
  const sinks = createSinks(o.config.sync.sinks, { dataDir: o.dataDir, logger: log.child({ part: 'sync' }), proxy: o.config.sync.proxy }, o.configFile)
  const policy = o.config.store
  if (sinks.length > 0 && !policy.keepUndelivered) {
    log.warn('store.keepUndelivered is off: what a sync sink has not delivered when it is compacted is not delivered at all')
  }
  const store: SampleStore = await openSqliteSampleStore({
    path: join(o.dataDir, 'store', 'samples.db'),
    synchronous: policy.durability === 'power-loss' ? 'full' : 'normal',
    diskBudgetBytes: policy.diskBudget,
    rawMaxAgeMs: policy.retentionDays.raw * DAY,
    rollup1mMaxAgeMs: policy.retentionDays.minutes * DAY,
    rollup1hMaxAgeMs: policy.retentionDays.hours * DAY,
    // kept for the sinks only: without one, a batch leaves the log once compacted
    keepUndelivered: policy.keepUndelivered && sinks.length > 0,
    ...(o.storeWorker ? { workerEntry: o.storeWorker } : {}),
  })
  // a sink removed or disabled holds nothing back any more
  for (const c of await store.cursors()) {
    if (!sinks.some((s) => s.sink.id === c.name)) {
      await store.removeCursor(c.name)
      log.info({ cursor: c }, `sync cursor ${c.name} removed: no enabled sink of that id`)
    }
  }
  const rec = store.recovery
  if (rec?.unclean) {
    log.warn({ store: rec }, `unclean stop detected: the store was not closed; ${rec.batches} batches replayed, ${rec.samples} samples recovered`)
  } else if (rec && rec.batches > 0) log.info({ store: rec }, `store opened: ${rec.batches} batches replayed (${rec.samples} samples not yet compacted)`)
  store.onEvent((e) => {
    if (e.type === 'error') log.error({ store: e }, 'store background work failed')
    else if (e.type === 'budget-deleted') log.warn({ store: e }, 'store dropped data to stay within its disk budget')
    // 'state' changes are logged by the core (StoreStatusTracker)
  })
  let rpc: RpcServer<typeof events> | undefined
  const diagnostics = ({ gc }: { gc: boolean }): Diagnostics => {
    const collect = (globalThis as { gc?: () => void }).gc
    if (gc && collect) collect()
    const m = process.memoryUsage()
    const s = rpc!.stats()
    const http = o.http?.()
    return {
      ...(http ? { http } : {}),
      rpc: { ...s, busy: s.rejected['rpc.busy'] ?? 0 },
      memory: { heapUsed: m.heapUsed, heapTotal: m.heapTotal, rss: m.rss, afterGc: gc && collect !== undefined },
      ...(o.logHealth ? { log: o.logHealth() } : {}),
    }
  }
  // the asset model's application database, its own file beside the sample store; one that does not open
  // (from a newer build, damaged) is left as it is and the rest runs without the model (model.unavailable)
  const appDbFile = join(o.dataDir, 'app.db')
  let appDb: AppDbHandle | undefined
  try {
    appDb = new AppDbHandle(o.dataDir)
  } catch (e) {
    log.error({ file: appDbFile, err: (e as Error).message }, 'application database not opened: the asset model is unavailable until it is fixed')
  }
  // an empty model starts from the configured tree (the simulated plant's, or the file's `assets`)
  try {
    const seeded = appDb ? seedModel(appDb.store, plant, `${o.host} start`) : 0
    if (seeded > 0) log.info({ assets: seeded }, 'asset model seeded from the configured asset tree and templates')
  } catch (e) {
    log.error({ err: (e as Error).message }, 'asset model not seeded from the configured tree; it starts empty')
  }
  // alarm transitions go to the journal in app.db (it follows a restore's swap) and to the notification rules
  const handle = appDb
  const journal = handle ? openAlarmJournal(() => handle.db, { retentionDays: o.config.alarms.journalRetentionDays, logger: log }) : undefined
  // alarm states (acknowledged, shelved, out of service, …) kept in app.db across a restart, read at start
  const alarmState = handle ? createAlarmStateStore(() => handle.db) : undefined
  // the audit trail, its own file beside app.db (a restore of the model never takes it back in time); one that does not
  // open leaves every audited action refused (fail closed), not unaudited
  const auditFile = join(o.dataDir, 'audit.db')
  let auditDb: SqliteAuditTrail | undefined
  let audit: AuditTrail
  try {
    auditDb = openAuditTrail({ path: auditFile, logger: log.child({ part: 'audit' }) })
    audit = auditDb
  } catch (e) {
    log.error({ file: auditFile, err: (e as Error).message }, 'audit trail not opened: every action that must be audited is refused until it is fixed')
    audit = new UnavailableAuditTrail((e as Error).message)
  }
  const notifier = createNotifier({ rules: o.config.alarms.notifications, collectors, log })
  const kiosk = kioskEnabled(o.config, o.host)
  if (!handle) log.error({ file: appDbFile }, 'no users: the application database is not open, so nobody can log in (the kiosk, if on, still shows the plant)')
  const identity = handle ? { users: new SqliteUserStore(() => handle.db), crypto: nodeIdentityCrypto(o.scrypt), options: identityOptions(o.config.auth) } : undefined
  const core = createCore({ ...(identity ? { identity } : {}), ...(handle ? { workspaces: new SqliteWorkspaceStore(() => handle.db) } : {}), kiosk, plant, collectors, store, audit: o.audit ?? audit, ...(o.credentials ? { credentials: o.credentials } : {}), ...(o.commandLockMs !== undefined ? { commandLockMs: o.commandLockMs } : {}), ...(appDb ? { assets: appDb.store, assetFiles: appDb.files } : {}), ...(journal ? { alarmJournal: journal.journal } : {}), ...(alarmState ? { alarmState } : {}), notifyAlarms: (entries) => notifier.notify(entries), notificationStatus: () => notifier.status(), sinks: sinks.map((s) => ({ sink: s.sink, options: { batchSamples: s.config.batchSamples, drainSamplesPerSecond: s.config.drainSamplesPerSecond } })), syncBackoff: o.config.sync.backoff, persistence, tools: driverTools(o.dataDir), logger: log, info: { version: o.version, host: o.host, demo: demo !== undefined }, diagnostics })
  live.attach(core.live) // calculated signals read every signal's live values
  // A flood of bad messages must not flood the log: per code, a few lines and then a count; the full counts are in system.diagnostics.
  const rejectLog = createRejectLog({
    one: (code, session, detail) => log.warn({ code, session, detail: detail.slice(0, 200) }, 'rpc message rejected'),
    summary: (code, count, intervalMs) => log.warn({ code, count, intervalMs }, `rpc messages rejected: code ${code}: ${count} more in the last ${intervalMs / 1000} s`),
  })
  rpc = createRpcServer({
    contract,
    events,
    handlers: core.handlers,
    validateResults: o.validateResults ?? false,
    auth: core.auth,
    rateLimit: rateLimitOptions(o.config.auth),
    onReject: (code, session, detail) => rejectLog.record(code, session, detail),
  })
  core.onBroadcast((event, payload) => rpc.broadcast(event, payload as never)) // same contract on both sides
  await core.start()
  return {
    core,
    rpc,
    demo,
    store,
    identity: core.identity,
    kiosk,
    async stop() {
      rejectLog.flush()
      await core.stop()
      await notifier.stop()
      journal?.stop()
      await Promise.all(sinks.map((s) => s.sink.close()))
      await store.close()
      appDb?.close()
      auditDb?.close()
      await demo?.stop()
    },
  }
}

export interface AlarmJournalHandle {
  journal: SqliteAlarmJournal
  /** Prunes what is older than the retention now (also run at open and every `everyMs`); answers how many. */
  prune(): number
  stop(): void
}

/**
 * The alarm journal in the application database, for the alarm service. `db` answers the database in use now and
 * is asked on every call (the app-db handle's current file: the journal follows a restore's swap). Entries older
 * than `retentionDays` (the config's `alarms.journalRetentionDays`) are pruned at open and then every `everyMs`
 * (default an hour); a prune that fails is logged and tried again next time.
 */
export function openAlarmJournal(
  db: () => SqliteDatabase,
  o: { retentionDays: number; logger: Logger; now?: () => number; everyMs?: number },
): AlarmJournalHandle {
  const journal = createAlarmJournal(db)
  const now = o.now ?? Date.now
  const prune = (): number => {
    try {
      const n = journal.prune(now() - o.retentionDays * 86_400_000)
      if (n > 0) o.logger.info({ entries: n, retentionDays: o.retentionDays }, 'alarm journal: old entries pruned')
      return n
    } catch (e) {
      o.logger.error({ err: (e as Error).message }, 'alarm journal: prune failed; tried again later')
      return 0
    }
  }
  prune()
  const timer = setInterval(prune, o.everyMs ?? 3_600_000)
  timer.unref()
  return { journal, prune, stop: () => clearInterval(timer) }
}
