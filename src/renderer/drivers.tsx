import type { ConnectionKind, ConnectionState } from '../shared/model'
import { CalcPanel } from './features/engineering/calc/CalcPanel'
import { MqttBrowser } from './features/engineering/mqtt/MqttBrowser'
import { MqttSources } from './features/engineering/mqtt/MqttSources'
import { OpcuaBrowser } from './features/engineering/opcua/OpcuaBrowser'
import { OpcuaSources } from './features/engineering/opcua/OpcuaSources'

/** One protocol's part of the screen. */
export interface UiDriver {
  /** The protocol's name, as an operator knows it. */
  label: string
  /** What the engineering view offers for one of its connections. */
  browserLabel: string
  /** The source reports by exception (OPC UA): a value that does not change is not stale. */
  reportsByException: boolean
  Browser: (props: { connection: ConnectionState }) => React.JSX.Element
  /** Its sources as a draggable list beside the asset model (drop one on an asset to bind it); absent: nothing to drag. */
  Sources?: (props: { connection: string; online: boolean }) => React.JSX.Element
}

/** The protocols of the screen, by connection kind: the one place in the renderer that names them (one line per protocol). */
const drivers: Readonly<Record<string, UiDriver>> = {
  opcua: { label: 'OPC UA', browserLabel: 'OPC UA browser', reportsByException: true, Browser: OpcuaBrowser, Sources: OpcuaSources },
  mqtt: { label: 'MQTT', browserLabel: 'MQTT topics', reportsByException: false, Browser: MqttBrowser, Sources: MqttSources },
  calc: { label: 'Calculated', browserLabel: 'Calculated signals', reportsByException: true, Browser: CalcPanel },
}

export const uiDriverOf = (kind: ConnectionKind | undefined): UiDriver | undefined => (kind === undefined ? undefined : drivers[kind])
