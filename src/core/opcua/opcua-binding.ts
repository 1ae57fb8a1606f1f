import { z } from 'zod'
import { OPCUA } from './opcua-port'

/** An asset attribute bound to an OPC UA node of a connection. */
export const OpcuaBinding = z.object({ kind: z.literal(OPCUA), connection: z.string().min(1).max(100), nodeId: z.string().min(1).max(512) }).strict()
