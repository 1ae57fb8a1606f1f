import type { z } from 'zod'
import type { HandlerMap } from '../../shared/rpc/server'
import type { MethodMap } from '../../shared/contract/define'
import type { AssetCatalog } from '../assets/asset-catalog'
import type { Collector } from './collector'
import type { PlantPersistence } from './plant-persistence'
import type { SignalDef } from './sample-store'
import type { DataType, SampleValue } from '../../shared/model'
import type { CommandInput } from '../../shared/contract/command-def'
import type { RuntimeModel } from '../assets-model/runtime-assets'
import type { NotificationEvent } from '../alarms/ports'
import type { AuditSpecs } from '../audit/audited'

/** What a driver's API handlers may use: the same collaborators for every protocol. */
export interface DriverDeps {
  collectors: Collector[]
  catalog: AssetCatalog
  /** Makes signals added at runtime known to the local history before their first sample (absent without one). */
  register?: ((defs: SignalDef[]) => Promise<void>) | undefined
  /** Keeps runtime edits (signals added, changed, removed) across restarts; absent: they last until the next restart. */
  persistence?: PlantPersistence | undefined
  /** The asset model, when the host keeps one: signals added at runtime become bound attributes there too. */
  model?: RuntimeModel | undefined
  /** Host-made tools per driver kind (OPC UA endpoint discovery and trust list, say); a driver reads its own. */
  tools?: Readonly<Record<string, unknown>> | undefined
}

/** Where the signals a connection gains at runtime show in the asset tree, until the asset model places them. */
export interface RuntimeFolder {
  id: string
  name: string
  /** The attribute name a runtime signal shows under. */
  attribute(signal: { id: string; name: string }): string
}

/**
 * One protocol's part of the core. A protocol is a driver per layer, each registered in one place: its
 * connection schema (`core/config/connection-kinds.ts`), this (`core/drivers.ts`), its collector factory
 * (`host/drivers.ts`) and its screen (`renderer/drivers.tsx`). The generic layers never name a protocol.
 * Protocol-specific variants of the coming capabilities (an attribute's binding, a command kind, a notification
 * action) belong here too, beside `handlers`.
 */
export interface CoreDriver<C extends { id: string; kind: string }, M extends MethodMap = MethodMap> {
  readonly kind: C['kind']
  /** Where a connection points (an endpoint, a broker URL), shown with its health; never with credentials. */
  target(connection: C): string
  runtimeFolder(connection: C): RuntimeFolder
  /** The driver's methods of the API (its contract part). */
  handlers(deps: DriverDeps): HandlerMap<M>
  /** The fields of an asset attribute's binding of this kind (`{ kind, connection, ... }`), checked on every model change. */
  readonly binding?: z.ZodType<{ kind: string; connection: string }>
  /** How the asset model's bindings of this kind reach the connection's collector (the live link). */
  readonly sources?: ModelSources
  /**
   * The source reports by exception (an OPC UA subscription: a value that does not change sends nothing for hours), so
   * silence is not staleness while the connection is up. Absent: it publishes on a cadence (MQTT devices).
   */
  readonly reportsByException?: boolean
  /** An alarm notification action of this kind (`{ kind, connection, ... }` in a notification rule), e.g. publish a message. */
  readonly notificationAction?: NotificationAction
  /**
   * How the driver's methods that change something are audited (raw writes, signal and mapping edits, certificate
   * decisions, discovery): method → action, target, new and old value. The core appends an entry before each runs
   * and refuses it when the entry cannot be written (docs/audit.md).
   */
  readonly audited?: AuditSpecs
  /** The commands operators send through connections of this kind (its own kinds, writes for setpoint and state). */
  readonly commands?: CommandKinds
}

/**
 * One protocol's alarm notification action. Its fields in the configuration file are `schema` (registered for the
 * config layer in `core/config/connection-kinds.ts`); `run` sends one notification through the named connection's
 * collector and throws an AppError when it did not go (the notifier retries it). It never writes to equipment.
 */
export interface NotificationAction<A extends { kind: string; connection: string } = { kind: string; connection: string }> {
  readonly schema: z.ZodType<A>
  run(action: A, event: NotificationEvent, collector: Collector): Promise<void>
}

/** A binding of a protocol's kind, as the asset model keeps it. */
export type SourceBinding = { kind: string; connection: string } & Record<string, unknown>

/** A source a connection collects now: its binding's key, its signal, and the server's refusal when it refused it. */
export interface CollectedSource {
  key: string
  signal: string
  refused?: string
}

/** A source the model wants collected, with what the signal gets: name, type, unit, writable, and where the model shows it. */
export interface SourceSpec {
  binding: SourceBinding
  name: string
  dataType: DataType
  unit?: string | undefined
  writable?: boolean | undefined
  assetPath?: string | undefined
}

/** What the live link gives a driver to collect with. */
export interface CollectDeps {
  catalog: AssetCatalog
  /** Registers signal definitions with the local history before their first sample (absent without one). */
  register?: ((defs: SignalDef[]) => Promise<void>) | undefined
}

/**
 * One protocol's part of the asset model's live link: which sources its collector collects now, a canonical key per
 * binding (two bindings of one source have one key), and how to collect a source the connection does not collect yet.
 */
export interface ModelSources {
  /** The canonical key of a binding of this kind (the same source always gives the same key). */
  key(binding: SourceBinding): string
  /** What the collector collects now, as binding keys → signal ids. */
  collected(collector: Collector): CollectedSource[]
  /**
   * Makes the collector collect `wanted` (sources it does not collect yet): signal ids made, added to the catalog and
   * registered. Never throws for one source: `failed` names the refused ones by key, with the reason.
   */
  collect(collector: Collector, wanted: readonly SourceSpec[], deps: CollectDeps): Promise<{ failed: { key: string; reason: string }[] }>
  /**
   * The concrete sources a source picked in a browser stands for (an OPC UA object: its variables, up to `max`), each
   * with the attribute name it gets (browse name, last topic level) and its type, unit and writability. Throws AppError.
   */
  expand(collector: Collector, source: SourceBinding, max: number): Promise<{ sources: SourceSpec[]; truncated: boolean }>
}

/** What the command service hands a driver to send one command (all checks passed, the audit entry written). */
export interface CommandSend {
  /** `setpoint`, `state`, or one of the driver's own kinds. */
  kind: string
  /** The attribute's binding (setpoint and state write there). */
  binding: SourceBinding | undefined
  /** The driver's own fields (`CommandDef.target`, patterns filled), for its kinds. */
  target: Record<string, unknown> | undefined
  /** The value to send, already of the attribute's data type (a state's key made a number or boolean); null for a push button. */
  value: SampleValue
  /** Fills `{value}`, `{asset}`, `{attribute}`, `{command}`, `{user}` in a driver's template (JSON-escaped with `json`). */
  text(template: string, o?: { json?: boolean }): string
  /** How long verify may take, send included. */
  timeoutMs: number
  /** Equal within the command's decimals (numbers), else strictly. */
  same(a: SampleValue | undefined, b: SampleValue | undefined): boolean
  /**
   * Waits for the attribute's live value (its bound signal's next samples) to become `expected` (null: any new sample);
   * resolves with whether it did and the last value seen, within `ms`.
   */
  awaitValue(expected: SampleValue, ms: number): Promise<{ matched: boolean; last?: SampleValue; seen: number }>
}

/** How one command went, as the driver saw it (see CommandOutcome). */
export interface CommandSent {
  outcome: 'success' | 'rejected' | 'mismatch' | 'timeout'
  status: string
  readBack?: SampleValue
}

/**
 * One protocol's commands: its own kinds with their `target` fields, whether `setpoint` and `state` can go through a
 * binding of its kind, how to read a target's current value, and how to send (and verify) one command. `send` throws
 * an AppError only when nothing was sent (`*.not_connected`, a value the node's type refuses); once sent, every result
 * is an outcome.
 */
export interface CommandKinds {
  /** The driver's own kinds, each with the fields of `CommandDef.target` (string fields are patterns on templates). */
  readonly kinds: Readonly<Record<string, z.ZodType<Record<string, unknown>>>>
  /** `setpoint` and `state` can be written through a binding of this driver's kind. */
  readonly writes: boolean
  /**
   * What is wrong with a target of one of the driver's own kinds given the command's input (an operator's number goes
   * nowhere, an argument waits for an input there is none of); undefined: nothing. Checked with the definition.
   */
  inputProblem?(kind: string, target: Record<string, unknown>, input: CommandInput): string | undefined
  /** The connection a command of one of the driver's own kinds talks to (default: the attribute binding's). */
  connectionOf?(target: Record<string, unknown>): string | undefined
  /** The target's value now, read from the device; undefined: the core uses the attribute's live value. */
  read?(binding: SourceBinding, collector: Collector): Promise<SampleValue | undefined>
  send(req: CommandSend, collector: Collector): Promise<CommandSent>
}
