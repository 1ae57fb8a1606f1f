import { createServer, connect, type Server, type Socket } from 'node:net'

/** A TCP relay in front of a server: `cut()` drops every connection and refuses new ones until `restore()`. A network outage, without restarting the server. */
export interface TcpProxy {
  url: string
  cut(): void
  restore(): void
  /**
   * A cable pulled: no byte passes either way, yet no socket is closed and new connections are accepted and held.
   * Bytes sent meanwhile wait in the relay and pass on `resume()`, as TCP retransmits them once the cable is back.
   */
  stall(): void
  resume(): void
  /** Connections accepted since the start: a client that reconnected opened more than one. */
  accepted(): number
  close(): Promise<void>
}

export async function startProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  const pairs = new Set<[Socket, Socket]>()
  let down = false
  let stalled = false
  let accepted = 0
  const flow = ([client, upstream]: [Socket, Socket]) => {
    client.pipe(upstream)
    upstream.pipe(client)
  }
  const hold = ([client, upstream]: [Socket, Socket]) => {
    client.unpipe(upstream)
    upstream.unpipe(client)
    client.pause()
    upstream.pause()
  }
  const server: Server = createServer((client) => {
    if (down) return client.destroy()
    accepted++
    const upstream = connect(targetPort, '127.0.0.1')
    const pair: [Socket, Socket] = [client, upstream]
    pairs.add(pair)
    for (const s of pair) {
      sockets.add(s)
      s.on('error', () => undefined)
      s.on('close', () => {
        sockets.delete(s)
        pairs.delete(pair)
        client.destroy()
        upstream.destroy()
      })
    }
    if (stalled) hold(pair)
    else flow(pair)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  return {
    url: `opc.tcp://127.0.0.1:${port}`,
    cut() {
      down = true
      for (const s of sockets) s.destroy()
    },
    restore() {
      down = false
    },
    stall() {
      stalled = true
      for (const p of pairs) hold(p)
    },
    resume() {
      stalled = false
      for (const p of pairs) flow(p)
    },
    accepted: () => accepted,
    close: () => {
      for (const s of sockets) s.destroy()
      return new Promise((r) => server.close(() => r()))
    },
  }
}
