import { z } from 'zod'
import { ConnectionId, SampleValue, SignalId, SignalInfo } from '../model'
import { method } from './define'
import { CertificateSummary } from './certificates'
import { Saved } from './saved'

/**
 * An OPC UA NodeId as text: `i=85`, `ns=1;s=Line1.Pump101.Speed`, `ns=2;g=<guid>`, `ns=3;b=<base64>`,
 * optionally with `nsu=<uri>;` instead of `ns=`. Checked for shape here; the adapter parses it for real
 * and answers `opcua.bad_node_id` when the server's rules reject it.
 */
export const NodeIdText = z
  .string()
  .min(3)
  .max(512)
  .regex(
    /^(?:(?:ns=\d{1,5}|nsu=[^;]{1,256});)?(?:i=\d{1,10}|s=.+|g=[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|b=[A-Za-z0-9+/=]+)$/s,
    'not an OPC UA NodeId (examples: i=85, ns=1;s=Line1.Pump101.Speed)',
  )

const EndpointUrl = z.string().max(1024).regex(/^opc\.tcp:\/\/[^\s/:]+(?::\d{1,5})?(?:\/\S*)?$/, 'must look like opc.tcp://host:port/path')

export const SecurityModeName = z.enum(['None', 'Sign', 'SignAndEncrypt'])
export type SecurityModeName = z.infer<typeof SecurityModeName>

export const EndpointInfo = z.object({
  url: z.string(),
  securityMode: SecurityModeName,
  /** Short policy name, e.g. `Basic256Sha256`. */
  securityPolicy: z.string(),
  /** The server's own ranking; higher is more secure. */
  securityLevel: z.number().int(),
  /** Basic128Rsa15 and Basic256: broken, never used by Plantdeck. */
  deprecated: z.boolean(),
  userIdentities: z.array(z.enum(['anonymous', 'username', 'certificate'])),
  certificate: CertificateSummary.nullable(),
})
export type EndpointInfo = z.infer<typeof EndpointInfo>

/** Children per `opcua.browse` page in the UI: a screenful and more, small enough for a 20,000-node folder to open at once. */
export const BROWSE_PAGE = 200

export const NodeClassName = z.enum(['Object', 'Variable', 'Method', 'ObjectType', 'VariableType', 'ReferenceType', 'DataType', 'View', 'Unspecified'])

export const BrowseChild = z.object({
  nodeId: z.string(),
  browseName: z.string(),
  displayName: z.string(),
  nodeClass: NodeClassName,
  typeDefinition: z.string().optional(),
})
export type BrowseChild = z.infer<typeof BrowseChild>

export const BrowsePage = z.object({
  nodeId: z.string(),
  children: z.array(BrowseChild),
  /** Present when more children follow: pass it back to `opcua.browse` for the next page. */
  continuationPoint: z.string().optional(),
})
export type BrowsePage = z.infer<typeof BrowsePage>

export const NodeAttributes = z.object({
  nodeId: z.string(),
  nodeClass: NodeClassName,
  browseName: z.string(),
  displayName: z.string(),
  description: z.string().optional(),
  /** Built-in type name (`Double`, `Int32`...) or, for structures and enumerations, the DataType's browse name. */
  dataType: z.string().optional(),
  valueRank: z.number().int().optional(),
  accessLevel: z.array(z.enum(['read', 'write', 'history'])).optional(),
  minimumSamplingInterval: z.number().optional(),
  engineeringUnits: z.string().optional(),
  euRange: z.tuple([z.number(), z.number()]).optional(),
  value: z.unknown().optional(),
  /** Status of the value read, as a name (`Good`, `BadNotReadable`). */
  status: z.string().optional(),
})
export type NodeAttributes = z.infer<typeof NodeAttributes>

export const SearchMatch = z.object({ nodeId: z.string(), path: z.string(), nodeClass: NodeClassName })
export type SearchMatch = z.infer<typeof SearchMatch>

/** One item (signal or node) a server refused, with the reason as a status name. */
export const ItemFailure = z.object({ nodeId: z.string(), signal: z.string().optional(), status: z.string() })
export type ItemFailure = z.infer<typeof ItemFailure>

/** Status of a write or call, readable by a person: `Good`, `BadTypeMismatch`, `BadOutOfRange`... */
export const OpResult = z.object({ ok: z.boolean(), status: z.string(), message: z.string().optional() })

const Connection = { connection: ConnectionId }

export const opcua = {
  /** Endpoints a server offers, most secure first, with the certificate each presents. Needs no configured connection. */
  'opcua.endpoints': method(z.object({ url: EndpointUrl }).strict(), z.object({ endpoints: z.array(EndpointInfo) }), 'engineer'),
  /**
   * One page of a node's children (forward hierarchical references), never a recursive browse.
   * Default root: the Objects folder. Pass `continuationPoint` from the previous page for the next one.
   */
  'opcua.browse': method(
    z
      .object({ ...Connection, nodeId: NodeIdText.optional(), continuationPoint: z.string().max(1024).optional(), max: z.number().int().min(1).max(5000).default(1000) })
      .strict(),
    BrowsePage,
    'engineer',
  ),
  /** Attributes an engineer checks before using a node: type, rank, access, unit, range, description, value. */
  'opcua.attributes': method(z.object({ ...Connection, nodeId: NodeIdText }).strict(), NodeAttributes, 'engineer'),
  /** Nodes under `root` whose browse name contains `text` (case-insensitive), breadth-first, up to `max` matches. */
  'opcua.search': method(
    z.object({ ...Connection, root: NodeIdText.optional(), text: z.string().min(1).max(128), max: z.number().int().min(1).max(1000).default(100) }).strict(),
    z.object({ matches: z.array(SearchMatch), visited: z.number().int(), truncated: z.boolean() }),
    'engineer',
  ),
  /**
   * Every Variable under `root` becomes a signal of the running catalog (`<connection>/<browse path>`) and is subscribed.
   * Variables already known are skipped; refused items are listed with their status code. The added signals are saved
   * so they survive a restart (see `persisted`): into the configuration file when the connection is defined there,
   * else into `<dataDir>/plant-edits.yaml`.
   */
  'opcua.add': method(
    z.object({ ...Connection, root: NodeIdText, max: z.number().int().min(1).max(20_000).default(5000) }).strict(),
    z.object({ added: z.array(SignalInfo), skipped: z.number().int(), failed: z.array(ItemFailure), truncated: z.boolean(), ...Saved }),
    'engineer',
  ),
  /**
   * Stops collecting signals of a connection (their monitored items are deleted); they stay in the catalog with their
   * history until the next start. Ids the connection does not collect are listed in `unknown`. Saved like `opcua.add`.
   */
  'opcua.remove': method(
    z.object({ ...Connection, signals: z.array(SignalId).min(1).max(20_000) }).strict(),
    z.object({ removed: z.array(z.string()), unknown: z.array(z.string()), ...Saved }),
    'engineer',
  ),
  /** Monitored items of a connection that the server refused, with their status codes. */
  'opcua.failures': method(z.object(Connection).strict(), z.object({ monitored: z.number().int(), failed: z.array(ItemFailure) }), 'viewer'),
  /** Write one value with the node's real DataType; out-of-range and wrong-type values are refused before sending. */
  'opcua.write': method(z.object({ ...Connection, nodeId: NodeIdText, value: z.union([SampleValue, z.array(SampleValue).max(10_000)]) }).strict(), OpResult, 'engineer'),
  /** Call a method with its declared input argument types; outputs are returned as plain values. */
  'opcua.call': method(
    z.object({ ...Connection, objectId: NodeIdText, methodId: NodeIdText, args: z.array(z.union([SampleValue, z.array(SampleValue).max(10_000)])).max(64).default([]) }).strict(),
    OpResult.extend({ outputs: z.array(z.unknown()), inputStatus: z.array(z.string()).optional() }),
    'engineer',
  ),
} as const

export const opcuaEvents = {} as const
