import { defaultClientTransportFactory, getStatusCodeFromCode, type IClientTransportFactory } from 'node-opcua'

/** What a server said in a transport ERR message: the status name (`BadSecurityChecksFailed`) and its reason text, if any. */
export interface ServerRefusal {
  status: string
  reason: string
}

/**
 * Many servers refuse a client certificate with a transport ERR message and close the socket. node-opcua logs it
 * ("Error message not specified" when it has no text) but drops it, and the connect fails as "socket has been
 * disconnected by third party": an engineer reads a network fault. This transport factory (node-opcua's own
 * transport, watched) keeps the last ERR message of one client, so the failure can be explained by what the server said.
 */
export class RefusalRecorder {
  private last: ServerRefusal | undefined

  readonly factory: IClientTransportFactory = {
    create: (settings) => {
      const transport = defaultClientTransportFactory.create(settings)
      transport.on('chunk', (chunk: Buffer) => {
        const refusal = parseErr(chunk)
        if (refusal) this.last = refusal
      })
      return transport
    },
  }

  /** The ERR message received since the last call, if any; forgets it. */
  take(): ServerRefusal | undefined {
    const r = this.last
    this.last = undefined
    return r
  }
}

/** `ERR` + final flag, message size (4), status code (4), reason (length-prefixed UTF-8, -1 for none). */
export function parseErr(chunk: Buffer): ServerRefusal | undefined {
  // every chunk of the connection passes here: compare bytes, allocate nothing for the others
  if (chunk.length < 12 || chunk[0] !== 0x45 || chunk[1] !== 0x52 || chunk[2] !== 0x52) return undefined
  const code = chunk.readUInt32LE(8)
  const length = chunk.length >= 16 ? chunk.readInt32LE(12) : -1
  const reason = length > 0 ? chunk.subarray(16, 16 + length).toString('utf8').trim() : ''
  let status: string
  try {
    status = getStatusCodeFromCode(code).name
  } catch {
    status = `0x${code.toString(16).padStart(8, '0')}`
  }
  return { status, reason }
}

/** The refusal as an error text `explain()` classifies by its status name. */
export const refusalError = (r: ServerRefusal): Error =>
  new Error(`the server refused the secure channel: ${r.status}${r.reason ? ` (${r.reason})` : ''}`)
