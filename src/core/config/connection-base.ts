import { z } from 'zod'
import { ConnectionId, DataType, SignalId } from '../../shared/model'

/** What every protocol's connection config has. */
export const ConnectionBase = {
  id: ConnectionId,
  name: z.string().min(1).max(128),
}

/** What every protocol's signal config has; a driver adds its binding (an OPC UA node, an MQTT topic and path...). */
export const SignalBase = {
  /** Globally unique id, conventionally `<connection>/<path>`. */
  id: SignalId,
  name: z.string().min(1).max(128),
  dataType: DataType.default('number'),
  unit: z.string().max(32).optional(),
  range: z.tuple([z.number(), z.number()]).optional(),
  writable: z.boolean().default(false),
  description: z.string().max(512).optional(),
}
