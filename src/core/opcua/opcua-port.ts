import type {
  BrowsePage,
  EndpointInfo,
  ItemFailure,
  NodeAttributes,
  SearchMatch,
} from '../../shared/contract/opcua'
import type { CertificateEntry, CertificateSummary } from '../../shared/contract/certificates'
import type { SampleValue } from '../../shared/model'
import type { Collector, EngineeringAccess } from '../ports/collector'
import type { OpcuaSignalConfig } from './opcua-config'

export type OpcuaValue = SampleValue | SampleValue[]

/** The OPC UA driver's kind: connections with `kind: opcua`. */
export const OPCUA = 'opcua'

/** A collector's OPC UA engineering access, if it is an OPC UA connection. */
export const opcuaAccessOf = (c: Collector | undefined): OpcuaAccess | undefined =>
  c?.engineering?.kind === OPCUA ? (c.engineering as OpcuaAccess) : undefined

export interface OpResult {
  ok: boolean
  /** Status code name, e.g. `Good`, `BadTypeMismatch`. */
  status: string
  /** What went wrong, in words, when `ok` is false. */
  message?: string
}

/**
 * Engineering access to one OPC UA connection's live session. Every method throws `AppError`
 * (`opcua.not_connected`, `opcua.bad_node_id`, `opcua.bad_value`, `opcua.service_failed`), never a raw error.
 */
export interface OpcuaAccess extends EngineeringAccess {
  readonly kind: typeof OPCUA
  browse(nodeId: string | undefined, continuationPoint: string | undefined, max: number): Promise<BrowsePage>
  attributes(nodeId: string): Promise<NodeAttributes>
  search(root: string | undefined, text: string, max: number): Promise<{ matches: SearchMatch[]; visited: number; truncated: boolean }>
  /** Variables under `root`, up to `max`, as signal configs named `<connection>/<browse path>`. */
  variablesUnder(root: string, max: number): Promise<{ signals: OpcuaSignalConfig[]; truncated: boolean }>
  /** Subscribe to more signals at runtime; returns the items the server refused. */
  addSignals(signals: OpcuaSignalConfig[]): Promise<ItemFailure[]>
  /** Stop collecting signals (their monitored items are deleted); ids the connection does not have are `unknown`. */
  removeSignals(signals: string[]): Promise<{ removed: string[]; unknown: string[] }>
  /**
   * Every signal the connection collects (configured, added at runtime, collected for the asset model) with its node,
   * and the server's status when it refused that item; while disconnected none is refused yet.
   */
  signals(): { signal: string; nodeId: string; refused?: string }[]
  /** Monitored items refused by the server, by signal. */
  failures(): { monitored: number; failed: ItemFailure[] }
  write(nodeId: string, value: OpcuaValue): Promise<OpResult>
  /** One read of a variable's value, with its status name (`Good`, `BadNodeIdUnknown`); a command's read back. */
  read(nodeId: string): Promise<{ value: unknown; status: string }>
  call(objectId: string, methodId: string, args: OpcuaValue[]): Promise<OpResult & { outputs: unknown[]; inputStatus?: string[] }>
}

/**
 * The OPC UA tools that need no configured connection: endpoint discovery and the application's
 * certificate store (one PKI folder shared by every OPC UA connection).
 */
export interface OpcuaTools {
  endpoints(url: string): Promise<EndpointInfo[]>
  certificates(): Promise<{ certificates: CertificateEntry[]; own: CertificateSummary | null }>
  /** Throws `opcua.unknown_certificate` when no certificate with that thumbprint was ever seen. */
  trust(thumbprint: string): Promise<CertificateEntry>
  reject(thumbprint: string): Promise<CertificateEntry>
}
