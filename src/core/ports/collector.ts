import type { ConnectionHealth, ErrorCode, SampleBatch, SampleValue } from '../../shared/model'

export type Unsubscribe = () => void

/** Health report of one collector. `reason` says why it is not `connected`. */
export interface CollectorState {
  health: ConnectionHealth
  reason?: string
  /** Stable code of the problem, when the collector knows one. */
  code?: ErrorCode
  /** What the connection runs on, readable by a person (MQTT: protocol version, client id, session). */
  detail?: string
}

/** What every protocol's engineering access has: the protocol it belongs to (a driver's `kind`). */
export interface EngineeringAccess {
  readonly kind: string
}

export interface CollectorRejection {
  signal?: string
  reason: string
}

export interface WriteRequest {
  /** Signal id as configured. */
  signal: string
  value: SampleValue
}

export interface WriteResult {
  ok: boolean
  /** OPC UA status name or broker reason, readable by a person. */
  status: string
}

/**
 * A data source. Reconnects by itself; reports health through onState; never throws from callbacks.
 * `start` resolves once connecting has begun (not when connected): a dead server is a state, not an error.
 */
export interface Collector {
  readonly id: string
  start(): Promise<void>
  stop(): Promise<void>
  write(cmd: WriteRequest): Promise<WriteResult>
  /** The callback may return a promise that resolves once the batch is durable; collectors that acknowledge upstream wait for it. */
  onSamples(cb: (batch: SampleBatch) => void | Promise<unknown>): Unsubscribe
  onState(cb: (state: CollectorState) => void): Unsubscribe
  /** Inputs rejected since start (malformed payloads, bad status...), for the status bar. */
  readonly rejected: number
  /**
   * Samples the collector's decoder refused, each with its stable reason (`signal` absent: a message that names
   * none, such as a payload no mapping of its topic could read). Reason `duplicate`: a redelivery of a message
   * already stored, counted as a duplicate. Never called for inputs that produce samples.
   */
  onRejected?(cb: (rejections: readonly CollectorRejection[]) => void): Unsubscribe
  /**
   * The protocol's engineering access to this connection (OPC UA browse and writes, MQTT topics and mappings...),
   * told apart by `kind`; each protocol's core folder reads its own (`opcuaAccessOf`, `mqttAccessOf`).
   */
  readonly engineering?: EngineeringAccess
}
