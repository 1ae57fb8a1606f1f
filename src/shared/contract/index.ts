import type { z } from 'zod'
import { assets, assetsEvents } from './assets'
import { assetModel, assetModelEvents } from './asset-model'
import { connections, connectionsEvents } from './connections'
import { mqtt, mqttEvents } from './mqtt'
import { certificates } from './certificates'
import { opcua, opcuaEvents } from './opcua'
import { signals, signalsEvents } from './signals'
import { system, systemEvents } from './system'
import { sync, syncEvents } from './sync'
import { trends, trendsEvents } from './trends'
import { alarms, alarmsEvents } from './alarms'
import { conditions, conditionsEvents } from './conditions'
import { audit } from './audit'
import { commands } from './commands'
import { auth, users } from './auth'
import { workspace } from './workspace'

/** THE API: every method the renderer may call. A new endpoint is one entry here plus one core function. */
export const contract = { ...system, ...connections, ...assets, ...assetModel, ...signals, ...trends, ...opcua, ...certificates, ...mqtt, ...alarms, ...conditions, ...commands, ...sync, ...audit, ...auth, ...users, ...workspace } as const
/** Every event the core may push. */
export const events = { ...systemEvents, ...connectionsEvents, ...assetsEvents, ...assetModelEvents, ...signalsEvents, ...trendsEvents, ...opcuaEvents, ...mqttEvents, ...alarmsEvents, ...conditionsEvents, ...syncEvents } as const

export type Contract = typeof contract
export type Events = typeof events
export type MethodName = keyof Contract
export type EventName = keyof Events
export type Params<M extends MethodName> = z.input<Contract[M]['input']>
export type Result<M extends MethodName> = z.output<Contract[M]['output']>
export type EventPayload<E extends EventName> = z.output<Events[E]>

export * from './define'
export * from './system'
export * from './assets'
export * from './asset-model'
export * from './trends'
export * from './opcua'
export * from './certificates'
export * from './mqtt'
export * from './sync'
export * from './alarms'
export * from './conditions'
export * from './audit'
export * from './command-def'
export * from './commands'
export * from './auth'
export * from './workspace'
