import { MqttConnectionConfig, MqttSignalConfig } from '../mqtt/mqtt-config'
import { OpcuaConnectionConfig, OpcuaSignalConfig } from '../opcua/opcua-config'
import { CalcConnectionConfig, CalcSignalConfig } from '../calc/calc-config'

/**
 * Each protocol's configuration: the one place of the config layer that names them (one line per protocol).
 * `signalKeys`: the protocol's signal fields, in the order a person writes them into a file (after id and name).
 */
export const connectionKinds = [
  { connection: OpcuaConnectionConfig, signal: OpcuaSignalConfig, signalKeys: ['nodeId'] },
  { connection: MqttConnectionConfig, signal: MqttSignalConfig, signalKeys: ['topic', 'metric', 'path', 'tsPath', 'tsFormat'] },
  { connection: CalcConnectionConfig, signal: CalcSignalConfig, signalKeys: ['expression'] },
] as const
