import net from 'node:net'

/**
 * True for the listen errors another port cures: the port is taken (EADDRINUSE), or refused to
 * us (EACCES: a port below 1024 without privileges, or one of Windows' reserved port ranges).
 */
function isPortUnavailable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code
  return code === 'EADDRINUSE' || code === 'EACCES'
}

/**
 * Runs `start(port)`; when that port is unavailable, reports it through `onFallback` and runs
 * `start(0)` so the OS picks a free port. `start` must release whatever it acquired before it
 * rejects. Any other error, or a failure on port 0, propagates.
 */
export async function withPortFallback<T>(host: string, port: number, start: (port: number) => Promise<T>, onFallback: (error: Error) => void): Promise<T> {
  // Probing first spares a start that is costly to undo (node-opcua loads its whole nodeset
  // before it listens); the catch below still covers a port taken between probe and start.
  const busy = port === 0 ? undefined : await probe(host, port)
  if (busy !== undefined) {
    onFallback(busy)
    return start(0)
  }
  try {
    return await start(port)
  } catch (error) {
    if (port === 0 || !isPortUnavailable(error)) throw error
    onFallback(error as Error)
    return start(0)
  }
}

/** Resolves with the error that makes the port unavailable, or undefined when it is free. */
async function probe(host: string, port: number): Promise<Error | undefined> {
  const server = net.createServer()
  try {
    await listen(server, port, host)
    return undefined
  } catch (error) {
    if (isPortUnavailable(error)) return error as Error
    // Anything else (a bad host, say) is for the real start to report.
    return undefined
  } finally {
    await close(server)
  }
}

/** The address a local client reaches a server on: wildcard addresses become loopback. */
export function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1'
  return host === '::' ? '::1' : host
}

/** `reachableHost` as the host part of a URL: IPv6 addresses get brackets. */
export function urlHost(host: string): string {
  const reachable = reachableHost(host)
  return net.isIPv6(reachable) ? `[${reachable}]` : reachable
}

/** Listens and resolves with the bound port, or rejects with the listen error (e.g. EADDRINUSE). */
export function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error)
    server.once('error', onError)
    server.listen({ port, host }, () => {
      server.off('error', onError)
      resolve((server.address() as net.AddressInfo).port)
    })
  })
}

/** Closes a server; resolves at once if it was not listening. */
export function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve()
    server.close(() => resolve())
  })
}
