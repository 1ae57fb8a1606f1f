import {
  AttributeIds,
  ClientMonitoredItemGroup,
  coerceNodeId,
  DataChangeFilter,
  DataChangeTrigger,
  DeadbandType,
  readOperationLimits,
  readServerCapabilities,
  TimestampsToReturn,
  type ClientSession,
  type ClientMonitoredItemBase,
  type ClientSubscription,
  type DataValue,
  type MonitoringParametersOptions,
  type NodeId,
} from 'node-opcua'
import type { OpcuaMonitoring } from '../../core/opcua/opcua-config'
import type { ItemFailure } from '../../shared/contract/opcua'

export interface MonitorSpec {
  signal: string
  nodeId: string
}

/** Server limits that shape our requests; 0 in OPC UA means "no limit". */
export interface ServerLimits {
  maxMonitoredItemsPerCall: number
  maxMonitoredItemsPerSubscription: number
  maxNodesPerRead: number
  maxNodesPerBrowse: number
  maxNodesPerHistoryReadData: number
}

/** Reads the server's operation limits; a server without them (or refusing the read) gets conservative defaults. */
export async function readLimits(session: ClientSession): Promise<ServerLimits> {
  const [ops, caps] = await Promise.all([readOperationLimits(session).catch(() => undefined), readServerCapabilities(session).catch(() => undefined)])
  const or = (v: number | undefined, fallback: number) => (v && v > 0 ? v : fallback)
  return {
    maxMonitoredItemsPerCall: or(ops?.maxMonitoredItemsPerCall, 1000),
    maxMonitoredItemsPerSubscription: or((caps as { maxMonitoredItemsPerSubscription?: number } | undefined)?.maxMonitoredItemsPerSubscription, 50_000),
    maxNodesPerRead: or(ops?.maxNodesPerRead, 1000),
    maxNodesPerBrowse: or(ops?.maxNodesPerBrowse, 500),
    maxNodesPerHistoryReadData: or(ops?.maxNodesPerHistoryReadData, 100),
  }
}

interface SubscriptionSlot {
  subscription: ClientSubscription
  used: number
}

/** Up to this many CreateMonitoredItems calls in flight: keeps 10,000 items fast without flooding the server. */
const PARALLEL_CALLS = 4

/**
 * The monitored items of one session, spread over as many subscriptions and calls as the server's limits require.
 * Every refused item is kept with its status code. node-opcua transfers or recreates these subscriptions
 * itself after a reconnect (same client handles), so items are never created twice.
 */
export class MonitoredItems {
  private readonly slots: SubscriptionSlot[] = []
  private readonly monitored = new Set<string>()
  private readonly failed = new Map<string, ItemFailure>()
  private readonly items = new Map<string, { item: ClientMonitoredItemBase; slot: SubscriptionSlot }>()
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly session: ClientSession,
    private readonly limits: ServerLimits,
    private readonly settings: OpcuaMonitoring & { samplingIntervalMs: number },
    private readonly onValue: (signal: string, dv: DataValue) => void,
  ) {}

  get count(): number {
    return this.monitored.size
  }

  failures(): ItemFailure[] {
    return [...this.failed.values()]
  }

  /** Creates items for the signals not yet monitored. Calls are serialized so two callers never race for a slot. */
  add(specs: MonitorSpec[]): Promise<ItemFailure[]> {
    const run = this.queue.then(() => this.create(specs))
    this.queue = run.catch(() => undefined)
    return run
  }

  private async create(specs: MonitorSpec[]): Promise<ItemFailure[]> {
    const fresh = specs.filter((s) => !this.monitored.has(s.signal))
    const failures: ItemFailure[] = []
    const parsed: { spec: MonitorSpec; nodeId: NodeId }[] = []
    for (const spec of fresh) {
      try {
        parsed.push({ spec, nodeId: coerceNodeId(spec.nodeId) })
      } catch {
        failures.push({ signal: spec.signal, nodeId: spec.nodeId, status: 'BadNodeIdInvalid' })
      }
    }
    const batches: { slot: SubscriptionSlot; items: typeof parsed }[] = []
    let rest = parsed
    while (rest.length > 0) {
      const slot = await this.slotWithRoom()
      const room = Math.min(this.limits.maxMonitoredItemsPerSubscription - slot.used, this.limits.maxMonitoredItemsPerCall)
      const items = rest.slice(0, room)
      rest = rest.slice(room)
      slot.used += items.length
      batches.push({ slot, items })
    }
    for (let i = 0; i < batches.length; i += PARALLEL_CALLS) {
      const results = await Promise.all(batches.slice(i, i + PARALLEL_CALLS).map((b) => this.createBatch(b.slot, b.items)))
      failures.push(...results.flat())
    }
    for (const f of failures) if (f.signal) this.failed.set(f.signal, f)
    return failures
  }

  private async createBatch(slot: SubscriptionSlot, items: { spec: MonitorSpec; nodeId: NodeId }[]): Promise<ItemFailure[]> {
    const group = ClientMonitoredItemGroup.create(
      slot.subscription,
      items.map((i) => ({ nodeId: i.nodeId, attributeId: AttributeIds.Value })),
      this.parameters(),
      TimestampsToReturn.Both,
    )
    const signals = items.map((i) => i.spec.signal)
    group.on('changed', (_item, dv, index) => {
      const signal = signals[index]
      if (signal !== undefined) this.onValue(signal, dv)
    })
    try {
      await new Promise<void>((resolve, reject) => {
        group.once('initialized', resolve)
        group.once('terminated', (err?: Error) => reject(err ?? new Error('monitored items terminated')))
      })
    } catch (e) {
      slot.used -= items.length
      return items.map((i) => ({ signal: i.spec.signal, nodeId: i.spec.nodeId, status: `BadRequestFailed: ${(e as Error).message}`.slice(0, 128) }))
    }
    const failures: ItemFailure[] = []
    group.monitoredItems.forEach((item, index) => {
      const it = items[index]!
      if (item.statusCode.isGood()) {
        this.monitored.add(it.spec.signal)
        this.items.set(it.spec.signal, { item, slot })
        this.failed.delete(it.spec.signal)
      } else {
        slot.used--
        failures.push({ signal: it.spec.signal, nodeId: it.spec.nodeId, status: item.statusCode.name })
      }
    })
    return failures
  }

  /**
   * Deletes the items of these signals on the server. Each item is terminated on its own, which also takes it out
   * of its subscription's bookkeeping, so node-opcua does not recreate it after a reconnect.
   */
  remove(signals: string[]): Promise<void> {
    const run = this.queue.then(async () => {
      const doomed = signals.flatMap((s) => {
        this.failed.delete(s)
        const h = this.items.get(s)
        if (!h) return []
        this.items.delete(s)
        this.monitored.delete(s)
        h.slot.used--
        return [h.item]
      })
      for (let i = 0; i < doomed.length; i += 100) await Promise.all(doomed.slice(i, i + 100).map((item) => item.terminate().catch(() => undefined)))
    })
    this.queue = run.catch(() => undefined)
    return run
  }

  private parameters(): MonitoringParametersOptions {
    const d = this.settings.deadband
    const params: MonitoringParametersOptions = {
      samplingInterval: this.settings.samplingIntervalMs,
      queueSize: this.settings.queueSize,
      discardOldest: this.settings.discardOldest,
    }
    if (d) {
      params.filter = new DataChangeFilter({
        trigger: DataChangeTrigger.StatusValue,
        deadbandType: d.type === 'percent' ? DeadbandType.Percent : DeadbandType.Absolute,
        deadbandValue: d.value,
      })
    }
    return params
  }

  private async slotWithRoom(): Promise<SubscriptionSlot> {
    const open = this.slots.find((s) => s.used < this.limits.maxMonitoredItemsPerSubscription)
    if (open) return open
    const subscription = await this.session.createSubscription2({
      requestedPublishingInterval: this.settings.publishingIntervalMs,
      // keep-alive after 10 empty cycles; lifetime 6× that, so a short outage does not kill the subscription
      requestedMaxKeepAliveCount: 10,
      requestedLifetimeCount: 60,
      maxNotificationsPerPublish: 0,
      publishingEnabled: true,
      priority: 1,
    })
    const slot = { subscription, used: 0 }
    this.slots.push(slot)
    return slot
  }

  async terminate(): Promise<void> {
    await Promise.all(this.slots.splice(0).map((s) => s.subscription.terminate().catch(() => undefined)))
    this.monitored.clear()
    this.items.clear()
  }
}
