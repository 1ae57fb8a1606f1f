import { MqttConnectionConfig, MqttSignalConfig } from '../mqtt/mqtt-config'
import { MqttNotifyAction } from '../mqtt/mqtt-notify'
import { OpcuaConnectionConfig, OpcuaSignalConfig } from '../opcua/opcua-config'
import { CalcConnectionConfig, CalcSignalConfig } from '../calc/calc-config'

/**
 * Each protocol's configuration: the one place of the config layer that names them (one line per protocol).
 * `signalKeys`: the protocol's signal fields, in the order a person writes them into a file (after id and name).
 * `notification`: the fields of the protocol's alarm notification action, when it has one.
 */
export const connectionKinds = [
  { connection: OpcuaConnectionConfig, signal: OpcuaSignalConfig, signalKeys: ['nodeId'] },
  { connection: MqttConnectionConfig, signal: MqttSignalConfig, signalKeys: ['topic', 'metric', 'path', 'tsPath', 'tsFormat'], notification: MqttNotifyAction },
  { connection: CalcConnectionConfig, signal: CalcSignalConfig, signalKeys: ['expression'] },
] as const
