import type { ConnectionHealth, SampleBatch, SampleValue } from '../../shared/model'

export type Unsubscribe = () => void

/** Health report of one collector. `reason` says why it is not `connected`. */
export interface CollectorState {
  health: ConnectionHealth
  reason?: string
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
  onSamples(cb: (batch: SampleBatch) => void): Unsubscribe
  onState(cb: (state: CollectorState) => void): Unsubscribe
  /** Inputs rejected since start (malformed payloads, bad status...), for the status bar. */
  readonly rejected: number
}
