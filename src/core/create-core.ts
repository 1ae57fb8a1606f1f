import type { Contract, EventName, EventPayload } from '../shared/contract'
import type { HandlerMap, Session } from '../shared/rpc/server'
import { AssetCatalog } from './assets/asset-catalog'
import type { PlantConfig } from './config/schema'
import { ConnectionRegistry } from './connections/connection-registry'
import { LiveValues } from './signals/live-values'
import { type Clock, systemClock } from './ports/clock'
import type { Collector } from './ports/collector'
import { type Logger, silentLogger } from './ports/logger'
import { SessionStream } from './signals/session-stream'
import { SampleAccounting } from './signals/sample-accounting'
import type { HistoryReader } from './trends/history-reader'
import { MemoryHistory } from './trends/memory-history'
import { StoreHistory } from './trends/store-history'
import { createTrendQuery } from './trends/trend-query'
import { ReadThroughHistory } from './trends/read-through'
import type { Diagnostics } from '../shared/contract/system'
import { AppError } from '../shared/model/errors'
import type { SampleBatch } from '../shared/model'
import { STORE_DISK_FULL, type SampleStore, type SignalDef } from './ports/sample-store'
import { StoreStatusTracker } from './system/store-status'
import { driverAudits, driverBindings, driverCommands, driverHandlers, driverOf, driverReportsByException, driverSources } from './drivers'
import { LiveLink, MODEL_CONNECTION } from './assets-model/live-link'
import { toSignalDef } from './signals/signal-def'
import type { PlantPersistence } from './ports/plant-persistence'
import type { AssetFiles, AssetStore } from './ports/asset-store'
import { createModelHandlers, unavailableModelHandlers } from './assets-model/model-handlers'
import { runtimeModel } from './assets-model/runtime-assets'
import { SyncEngine, type SyncEngineDeps } from './sync/sync-engine'
import { AlarmService } from './alarms/alarm-service'
import { MemoryAlarmJournal } from './alarms/memory-journal'
import type { AlarmJournal, AlarmStateStore, JournalRecord } from './alarms/ports'
import type { NotificationRuleStatus } from '../shared/contract/alarms'
import { ConditionTracker } from './conditions/condition-tracker'
import type { AuditTrail } from './ports/audit'
import { MemoryAuditTrail } from './audit/memory-audit-trail'
import { RefusalAudit } from './audit/refusal-audit'
import { auditedHandlers, type AuditSpecs } from './audit/audited'
import { genericAudits } from './audit/audited-methods'
import { createAuditHandlers, isAuditStore } from './audit/audit-service'
import { CommandService } from './commands/command-service'
import type { CredentialCheck } from './ports/identity'
import type { IdentityCrypto, UserStore } from './ports/users'
import { Identity, type IdentityOptions } from './identity/identity'
import { authHandlers, rpcAuth } from './identity/auth-handlers'
import type { RpcAuthOptions } from '../shared/rpc/server'
import type { WorkspaceStore } from './ports/workspaces'
import { MemoryWorkspaceStore, workspaceHandlers } from './workspace/workspace-service'

export interface CoreDeps {
  plant: PlantConfig
  /** One collector per configured connection, same ids. */
  collectors: Collector[]
  info: { version: string; host: 'desktop' | 'headless' | 'test'; demo: boolean }
  clock?: Clock
  logger?: Logger
  /** The local history. Without one, trends read a bounded in-memory ring and nothing survives a restart. */
  store?: SampleStore
  /** Host-made tools per driver kind, e.g. OPC UA endpoint discovery and certificate trust (`opcua.endpoints`, `certificates.*`). */
  tools?: Readonly<Record<string, unknown>>
  /** Keeps runtime edits (signals added, changed or removed) across restarts. Without it they last until the next restart. */
  persistence?: PlantPersistence
  /** `system.diagnostics`: the host owns the RPC server and the process, so it assembles the sections (the core adds `store`). */
  diagnostics?: (o: { gc: boolean }) => Diagnostics
  /** The asset model (`model.*`, the application database). Without it those calls answer `model.unavailable`. */
  assets?: AssetStore
  /** Backup and restore of the application database (model.backup, model.backups, model.restore). */
  assetFiles?: AssetFiles | undefined
  /** The alarm journal (the application database's adapter). Without one, a bounded in-memory journal (lost at restart). */
  alarmJournal?: AlarmJournal
  /** Where alarm states are kept across a restart (the application database's adapter, or MemoryAlarmStateStore). Without one, every alarm starts normal at start. */
  alarmState?: AlarmStateStore
  /** Handed every batch of alarm transitions once journaled (notification rules). */
  notifyAlarms?: (entries: readonly JournalRecord[]) => void
  /** The notification rules' status, for `alarms.notifications` (the notifier's `status()`). */
  notificationStatus?: () => { rules: NotificationRuleStatus[] }
  /** Alarm pacing: how often changes are pushed and journaled (default 200 ms), the engine's tick (default 1 s). */
  alarmTiming?: { flushMs?: number; tickMs?: number }
  /** Condition pacing: how often changed paths are pushed (default 500 ms), the staleness tick (default 1 s). */
  conditionTiming?: { flushMs?: number; tickMs?: number }
  /** Shared backends the store's samples are delivered to (store-and-forward; needs `store`). */
  sinks?: SyncEngineDeps['sinks']
  syncBackoff?: SyncEngineDeps['backoff']
  /** How often `sync.status` is pushed (default 1 s). */
  syncStatusMs?: number
  /**
   * The audit trail (docs/audit.md): every method that changes something appends an entry before it runs and is
   * refused when the entry cannot be written. Without one, a memory trail (tests; lost at exit). `audit.search`,
   * `audit.csv` and `audit.verify` need its reading side (the memory and SQLite trails have it).
   */
  audit?: AuditTrail
  /** Checks a second person's credentials for critical commands (two-person rule). */
  credentials?: CredentialCheck
  /** How long a command selection holds its target (default 30 s). */
  commandLockMs?: number
  /** Local users and login sessions (`auth.*`, `users.*`). Without them those answer `auth.setup_closed` and nobody can log in. */
  identity?: { users: UserStore; crypto: IdentityCrypto; options?: IdentityOptions }
  /** The read-only kiosk: viewer methods without a login (see docs/identity.md). Default off. */
  kiosk?: boolean | (() => boolean)
  /** The audit of refusals before any handler: window (default 60 s) and entries per window (default 200); tests shorten them. */
  refusalAudit?: { windowMs?: number; maxPerWindow?: number }
  /** Each user's workspace (`workspace.*`: tabs, trends, theme). Without one, kept in memory until the process ends. */
  workspaces?: WorkspaceStore
}


type Broadcast = <E extends EventName>(event: E, payload: EventPayload<E>) => void

export interface Core {
  readonly handlers: HandlerMap<Contract>
  /** Events for every client (connection health). Per-client events go through the session. */
  onBroadcast(cb: Broadcast): () => void
  start(): Promise<void>
  stop(): Promise<void>
  readonly live: LiveValues
  /** The store-and-forward engine (absent without a store). */
  readonly sync: SyncEngine | undefined
  readonly alarms: AlarmService
  readonly conditions: ConditionTracker
  /** The audit trail the core appends to (also for what hosts and other services audit: logins, commands). */
  /** Users and logins (absent without `deps.identity`). */
  readonly identity: Identity | undefined
  /** The RPC server's access hooks: kiosk, the check of each bound principal, first-start setup. */
  readonly auth: RpcAuthOptions
  readonly audit: AuditTrail
  /** The audit of refusals made before any handler (folded per minute; its counts are in system.diagnostics). */
  readonly refusals: RefusalAudit
}

/** Wires the domains. Adapters arrive ready-made in `deps`; the core never constructs one. */
export function createCore(deps: CoreDeps): Core {
  const clock = deps.clock ?? systemClock
  const log = deps.logger ?? silentLogger
  const catalog = new AssetCatalog(deps.plant)
  const live = new LiveValues()
  const store = deps.store
  const memory = store ? undefined : new MemoryHistory()
  /** A signal definition with where the model (else the configured tree) shows it, for the store to keep beside the signal. */
  const withPath = (d: SignalDef): SignalDef => {
    const assetPath = link?.assetPath(d.id) ?? d.assetPath ?? catalog.pathOf(d.id)
    return assetPath === undefined ? d : { ...d, assetPath }
  }
  const register = store ? (defs: SignalDef[]) => store.registerSignals(defs.map((d) => withPath(d))) : undefined
  const registry = new ConnectionRegistry(clock)
  const broadcasts = new Set<Broadcast>()
  const streams = new WeakMap<Session, SessionStream>()
  const accounting = new SampleAccounting()
  /** "Who" in the asset model's change log and the alarm journal: the logged-in user (the host and session for a session without one). */
  const who = (session: Session) => session.principal?.user ?? `${deps.info.host} session ${session.id}`
  const audit = deps.audit ?? new MemoryAuditTrail(clock)
  // refusals before any handler (the RPC layer's access checks, forged session secrets, locked logins): audited, folded per minute
  const refusals = new RefusalAudit({ audit, clock, log: log.child({ part: 'audit' }), ...deps.refusalAudit })
  const identity = deps.identity ? new Identity({ ...deps.identity, audit, clock, log: log.child({ part: 'identity' }), refused: (r) => refusals.record(r) }) : undefined
  if (identity && isAuditStore(audit)) {
    // the last hour's failed logins, from the trail: a restart neither lifts a lock nor resets a guesser's count
    try {
      const recalled = identity.recallFailures(audit)
      if (recalled > 0) log.info({ recalled }, 'failed logins of the last hour recalled from the audit trail')
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'failed logins not recalled from the audit trail: the login throttle starts empty')
    }
  }
  const kioskOn = typeof deps.kiosk === 'function' ? deps.kiosk : () => deps.kiosk === true
  const modelChanged = (e: EventPayload<'model.changed'>) => {
    broadcasts.forEach((b) => b('model.changed', e))
    link?.changed() // collect what the change binds, rebuild the index, the calculated attributes and the paths
    void alarms.changed() // once the link followed the change: the alarms of the new model, states kept
    void conditions.changed() // likewise: the conditions of the new model's paths
  }
  const startedAt = clock.now()
  /** Every sample's way in, from a collector or the model's calculated attributes: live values, accounting, the store. */
  const take = (connection: string, batch: SampleBatch): void | Promise<unknown> => {
    live.ingest(batch)
    if (!store) {
      accounting.kept(connection, batch)
      return memory!.ingest(batch)
    }
    const handed = accounting.handed(connection, batch)
    // The promise is the durability signal: collectors acknowledge upstream once it resolves.
    return store.append(batch).then(
      (receipt) => {
        accounting.settle(handed, receipt)
        return receipt
      },
      (e: unknown) => {
        accounting.fail(handed)
        // a full store is logged once, as a state change (StoreStatusTracker)
        if ((e as { code?: unknown }).code !== STORE_DISK_FULL) log.error({ connection, err: (e as Error).message }, 'store append failed')
        throw e
      },
    )
  }
  const link: LiveLink | undefined = deps.assets
    ? new LiveLink({
        store: deps.assets,
        sources: driverSources(),
        bindings: driverBindings(),
        connections: () => deps.plant.connections,
        collectors: deps.collectors,
        catalog,
        live,
        register,
        emit: (batch) => void Promise.resolve(take(MODEL_CONNECTION, batch)).catch(() => undefined),
        now: () => clock.now(),
        log,
      })
    : undefined
  const alarms = new AlarmService({
    store: deps.assets,
    signalFor: (assetId, at) => link?.signalFor(assetId, at),
    settled: () => link?.settled() ?? Promise.resolve(),
    live,
    journal: deps.alarmJournal ?? new MemoryAlarmJournal(),
    ...(deps.alarmState ? { state: deps.alarmState } : {}),
    ...(deps.notifyAlarms ? { notify: deps.notifyAlarms } : {}),
    ...(deps.notificationStatus ? { notificationStatus: deps.notificationStatus } : {}),
    broadcast: (payload) => broadcasts.forEach((b) => b('alarms.changed', payload)),
    connections: () => registry.list(),
    who,
    clock,
    log,
    ...deps.alarmTiming,
  })
  const conditions = new ConditionTracker({
    store: deps.assets,
    signalFor: (assetId, at) => link?.signalFor(assetId, at),
    settled: () => link?.settled() ?? Promise.resolve(),
    live,
    connections: () => registry.list(),
    reportsByException: driverReportsByException,
    broadcast: (payload) => broadcasts.forEach((b) => b('conditions.changed', payload)),
    clock,
    log,
    ...deps.conditionTiming,
  })
  const commandKinds = driverCommands()
  const commands = new CommandService({
    store: deps.assets,
    drivers: commandKinds,
    connections: () => deps.plant.connections,
    health: (id) => registry.list().find((c) => c.id === id)?.health,
    collectors: deps.collectors,
    signalFor: (assetId, at) => link?.signalFor(assetId, at),
    live,
    audit,
    // the second person of a critical command: the given check (tests), else the users' own
    credentials: deps.credentials ?? identity,
    clock,
    log: log.child({ part: 'commands' }),
    ...(deps.commandLockMs !== undefined ? { lockMs: deps.commandLockMs } : {}),
  })
  const unsubs: (() => void)[] = []

  for (const c of deps.plant.connections) {
    registry.add({ id: c.id, kind: c.kind, name: c.name, target: driverOf(c.kind).target(c) })
  }
  registry.onChange((s) => {
    broadcasts.forEach((b) => b('connections.state', s))
    alarms.onConnection(s)
    conditions.onConnection(s)
  })
  const sync = store ? new SyncEngine({ store, sinks: deps.sinks ?? [], clock, logger: log.child({ part: 'sync' }), ...(deps.syncBackoff ? { backoff: deps.syncBackoff } : {}) }) : undefined
  // trends reach back into the backend for what the store no longer holds
  const history: HistoryReader = store ? (sync?.canRead ? new ReadThroughHistory(new StoreHistory(store), store, sync, log) : new StoreHistory(store)) : memory!
  const trendQuery = createTrendQuery(history)
  const workspaces = workspaceHandlers(deps.workspaces ?? new MemoryWorkspaceStore(), clock, log.child({ part: 'workspace' }))
  const storeStatus = new StoreStatusTracker(store, clock, log, (s) => broadcasts.forEach((b) => b('system.store', s)))

  const rawHandlers: HandlerMap<Contract> = {
    'system.info': () => ({ product: 'Plantdeck', version: deps.info.version, host: deps.info.host, startedAt, demo: deps.info.demo }),
    'system.ping': ({ nonce }) => ({ nonce, at: clock.now() }),
    'system.diagnostics': async ({ gc }) => {
      if (!deps.diagnostics) throw new AppError('rpc.internal', 'this host keeps no diagnostics')
      const sections = { ...deps.diagnostics({ gc: gc ?? false }), ...(identity ? { auth: identity.diagnostics() } : {}), refusals: refusals.stats() }
      const storeSection = await storeStatus.diagnostics()
      return storeSection ? { ...sections, store: storeSection } : sections
    },
    'connections.list': () => registry.list(),
    'assets.tree': () => ({ root: catalog.root, signals: catalog.list() }),
    'signals.current': async ({ signals }) => {
      const here = signals.flatMap((id) => live.get(id) ?? [])
      if (!store || here.length === signals.length) return here
      // After a restart the last stored value shows (with its old timestamp) until the source speaks.
      const missing = signals.filter((id) => !live.get(id) && catalog.has(id))
      return [...here, ...(missing.length ? await store.latest(missing) : [])]
    },
    'signals.subscribe': ({ signals }, { session }) => {
      const known = signals.filter((id) => catalog.has(id))
      let stream = streams.get(session)
      if (!stream) streams.set(session, (stream = new SessionStream(session, live)))
      stream.set(known)
      return { subscribed: known.length, unknown: signals.filter((id) => !catalog.has(id)) }
    },
    'signals.accounting': ({ signals }) => ({
      connections: deps.plant.connections.map((c) => ({ connection: c.id, ...accounting.connection(c.id) })),
      signals: signals ? signals.flatMap((id) => accounting.signal(id) ?? []) : accounting.troubled(500),
    }),
    'trends.query': (q, { session }) => trendQuery(q, session),
    'sync.status': async () =>
      sync ? sync.status() : { at: clock.now(), sinks: [], store: { diskBytes: null, diskBudgetBytes: null, oldestTs: null, undeliveredDropped: 0 } },
    ...alarms.handlers(),
    ...conditions.handlers(),
    ...commands.handlers(),
    ...authHandlers(identity, kioskOn),
    ...workspaces.handlers,
    ...(deps.assets
      ? createModelHandlers({
          store: deps.assets,
          bindings: driverBindings(),
          connections: () => deps.plant.connections,
          who,
          changed: modelChanged,
          ...(link ? { live: link } : {}),
          files: deps.assetFiles,
          commandKinds,
        })
      : unavailableModelHandlers()),
    ...driverHandlers({
      collectors: deps.collectors,
      catalog,
      register,
      persistence: deps.persistence,
      tools: deps.tools,
      model: deps.assets ? runtimeModel(deps.assets, modelChanged, who) : undefined,
    }),
    ...createAuditHandlers(audit, clock),
  }
  // every method that changes something: an audit entry before it runs (none written: refused), its outcome after
  const handlers = auditedHandlers(rawHandlers, { ...genericAudits, ...driverAudits() } as AuditSpecs, audit, {
    collector: (id) => deps.collectors.find((c) => c.id === id),
    live: (signal) => live.get(signal)?.value,
    asset: (id) => deps.assets?.get(id) as Record<string, unknown> | undefined,
  }, log.child({ part: 'audit' }))

  return {
    handlers,
    live,
    sync,
    alarms,
    conditions,
    identity,
    auth: rpcAuth(identity, kioskOn, refusals),
    audit,
    refusals,
    onBroadcast(cb) {
      broadcasts.add(cb)
      return () => broadcasts.delete(cb)
    },
    async start() {
      registry.start()
      link?.prepare() // model paths known before the catalog's signals are registered with them
      if (store) {
        await store.registerSignals(catalog.list().map((s) => withPath(toSignalDef(s))))
      }
      if (store) {
        unsubs.push(
          store.onEvent((e) => {
            if (e.type === 'resolved') accounting.resolved(e.signals)
          }),
        )
      }
      const counted = (id: string) => {
        const a = accounting.connection(id)
        registry.count(id, { samples: a.received, stored: a.stored, duplicates: a.duplicates, rejected: a.rejected + Object.values(a.unassigned).reduce((x, n) => x + n, 0) })
      }
      // counters reach the status bar at most once a second (the registry's pace), not per batch
      const countTimer = setInterval(() => deps.plant.connections.forEach((c) => counted(c.id)), 1000)
      countTimer.unref?.()
      unsubs.push(() => clearInterval(countTimer))
      for (const col of deps.collectors) {
        if (col.onRejected) {
          unsubs.push(col.onRejected((list) => list.forEach((r) => accounting.rejected(col.id, r.signal, r.reason))))
        }
        unsubs.push(
          col.onState((st) => {
            if (st.health === 'error' || st.health === 'degraded') log.warn({ connection: col.id, ...st }, 'connection not healthy')
            else log.info({ connection: col.id, ...st }, `connection ${st.health}`)
            registry.setState(col.id, st)
          }),
          col.onSamples((batch) => take(col.id, batch)),
        )
      }
      if (sync) {
        await sync.start()
        // the status bar's store and backlog figures, about once a second; a slow store skips a beat
        let pushing = false
        const statusTimer = setInterval(() => {
          if (pushing || broadcasts.size === 0) return
          pushing = true
          void sync
            .status()
            .then((s) => broadcasts.forEach((b) => b('sync.status', s)))
            .catch(() => undefined)
            .finally(() => (pushing = false))
        }, deps.syncStatusMs ?? 1000)
        statusTimer.unref?.()
        unsubs.push(() => clearInterval(statusTimer))
      }
      await Promise.all(deps.collectors.map((c) => c.start()))
      // the model is the persistence of what it binds: each connection collects what the model binds and it does not
      await link?.start()
      // alarms from the model, fed every live sample (collected and calculated) through their taps on the live values, and the connections' states
      alarms.start()
      unsubs.push(() => alarms.stop())
      // conditions likewise: every live sample, the connections' states, a 1 s tick for staleness
      unsubs.push(live.onSamples((b) => conditions.onSamples(b)))
      conditions.start()
      unsubs.push(() => conditions.stop())
      // the refusals' repeat counts are written when their window ends, also when nothing else is refused
      const refusalTimer = setInterval(() => refusals.sweep(), Math.min(10_000, Math.max(250, (deps.refusalAudit?.windowMs ?? 60_000) / 4)))
      refusalTimer.unref?.()
      unsubs.push(() => clearInterval(refusalTimer))
    },
    async stop() {
      registry.stop()
      await link?.settled()
      // Collectors first: a stopping collector still hands its last samples to the store (and acknowledges
      // them upstream only once stored), so the listeners must outlive it.
      await Promise.all(deps.collectors.map((c) => c.stop().catch((e) => log.error({ err: e, connection: c.id }, 'stop failed'))))
      link?.stop()
      unsubs.splice(0).forEach((u) => u())
      await refusals.flush().catch(() => undefined)
      await sync?.stop()
    },
  }
}
