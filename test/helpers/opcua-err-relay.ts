import { connect, createServer, type Socket } from 'node:net'
import { packTcpMessage, TCPErrorMessage, type StatusCode } from 'node-opcua'

export interface ErrRelay {
  url: string
  /** Secured OpenSecureChannel requests answered with ERR so far. */
  refused(): number
  close(): Promise<void>
}

/**
 * A relay in front of a real server that answers every *secured* OpenSecureChannel with a transport ERR message
 * (the given status, no reason text) and closes the socket, as stacks do that refuse a client certificate at the
 * transport level (node-opcua's own server did so before 2.18x). Unsecured channels (GetEndpoints) pass unchanged.
 */
export async function startErrRelay(targetPort: number, status: StatusCode): Promise<ErrRelay> {
  const sockets = new Set<Socket>()
  let refused = 0
  const relay = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1')
    sockets.add(client).add(upstream)
    const drop = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('error', drop).on('close', drop)
    upstream.on('error', drop).on('close', drop)
    upstream.pipe(client)
    // Read the client's messages (8-byte header: type, final flag, size) until its first OpenSecureChannel decides.
    let buffered = Buffer.alloc(0)
    let passing = false
    client.on('data', (data: Buffer) => {
      if (passing) return void upstream.write(data)
      buffered = Buffer.concat([buffered, data])
      while (buffered.length >= 8 && buffered.length >= buffered.readUInt32LE(4)) {
        const size = buffered.readUInt32LE(4)
        const message = buffered.subarray(0, size)
        buffered = buffered.subarray(size)
        if (message.subarray(0, 3).toString() === 'OPN') {
          // OPN: header, secureChannelId (4), then the security policy URI as a length-prefixed string
          const uriLength = message.readInt32LE(12)
          const policy = uriLength > 0 ? message.subarray(16, 16 + uriLength).toString() : ''
          if (!policy.endsWith('#None')) {
            refused++
            client.end(packTcpMessage('ERR', new TCPErrorMessage({ statusCode: status, reason: '' })))
            upstream.destroy()
            return
          }
          passing = true
        }
        upstream.write(message)
      }
      if (passing && buffered.length > 0) upstream.write(buffered)
    })
  })
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve))
  const port = (relay.address() as { port: number }).port
  return {
    url: `opc.tcp://127.0.0.1:${port}`,
    refused: () => refused,
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => relay.close(() => resolve()))
    },
  }
}
