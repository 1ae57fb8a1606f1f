import type { ConnectionConfig } from './config/schema'
import { mqttDriver } from './mqtt/mqtt-driver'
import { opcuaDriver } from './opcua/opcua-driver'
import { calcDriver } from './calc/calc-driver'
import type { CoreDriver, DriverDeps } from './ports/driver'
import type { AuditSpecs } from './audit/audited'

/** The protocols of the core: the one place that names them. A new protocol is one line here (see CoreDriver). */
const drivers = [opcuaDriver, mqttDriver, calcDriver] as const

type Drivers = (typeof drivers)[number]
type Intersect<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never
/** Every driver's methods of the API, merged. */
export type DriverHandlers = Intersect<ReturnType<Drivers['handlers']>>

export function driverOf(kind: ConnectionConfig['kind']): CoreDriver<ConnectionConfig> {
  const d = drivers.find((x) => x.kind === kind)
  if (!d) throw new Error(`no driver for connection kind "${kind}"`)
  return d as unknown as CoreDriver<ConnectionConfig>
}

export function driverHandlers(deps: DriverDeps): DriverHandlers {
  return Object.assign({}, ...drivers.map((d) => d.handlers(deps))) as DriverHandlers
}

/** Each protocol's attribute binding schema, by kind (the asset model adds its own kinds, such as `constant`). */
export function driverBindings(): ReadonlyMap<string, NonNullable<CoreDriver<ConnectionConfig>['binding']>> {
  return new Map(drivers.flatMap((d) => (d.binding ? [[d.kind, d.binding] as const] : [])))
}

/** Each protocol's part of the asset model's live link, by kind (see ModelSources). */
export function driverSources(): ReadonlyMap<string, NonNullable<CoreDriver<ConnectionConfig>['sources']>> {
  return new Map(drivers.flatMap((d) => ('sources' in d && d.sources ? [[d.kind, d.sources] as const] : [])))
}

/** Whether a connection kind's sources report by exception (see CoreDriver.reportsByException); unknown kinds: no. */
export function driverReportsByException(kind: string): boolean {
  return drivers.find((x) => x.kind === kind)?.reportsByException === true
}

/** Each protocol's alarm notification action, by kind (see NotificationAction; `webhook` is the notifier's own). */
export function driverNotificationActions(): ReadonlyMap<string, NonNullable<CoreDriver<ConnectionConfig>['notificationAction']>> {
  return new Map(drivers.flatMap((d) => ('notificationAction' in d && d.notificationAction ? [[d.kind, d.notificationAction] as const] : [])))
}

/** Every driver's audited methods (see CoreDriver.audited), merged. */
export function driverAudits(): AuditSpecs {
  return Object.assign({}, ...drivers.map((d) => ('audited' in d && d.audited ? d.audited : {}))) as AuditSpecs
}

/** Each protocol's commands, by connection kind (see CommandKinds; `setpoint` and `state` are the service's own). */
export function driverCommands(): ReadonlyMap<string, NonNullable<CoreDriver<ConnectionConfig>['commands']>> {
  return new Map(drivers.flatMap((d) => ('commands' in d && d.commands ? [[d.kind, d.commands] as const] : [])))
}
