import { randomBytes } from 'node:crypto'
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'

export interface RawAnswer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/**
 * One request to 127.0.0.1:port with exactly these headers (Host included, which fetch cannot forge), over TLS
 * without verifying the certificate when `tls`. `upgrade`: a WebSocket handshake; 101 when accepted.
 */
export function rawRequest(port: number, path: string, headers: OutgoingHttpHeaders, opts: { tls?: boolean; upgrade?: boolean } = {}): Promise<RawAnswer> {
  const all: OutgoingHttpHeaders = opts.upgrade
    ? { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64'), ...headers }
    : headers
  const req = (opts.tls ? httpsRequest : httpRequest)({ host: '127.0.0.1', port, path, headers: all, rejectUnauthorized: false, agent: false })
  return new Promise((resolve, reject) => {
    req.once('error', reject)
    req.once('upgrade', (res, socket) => {
      socket.destroy()
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' })
    })
    req.once('response', (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      res.once('error', reject)
    })
    req.end()
  })
}

/** A logger that keeps what it is given, to count log lines and search them for secrets. */
export function recordingLogger() {
  const lines: { level: string; obj: unknown; msg?: string }[] = []
  const at = (level: string) => (obj: object | string, msg?: string) => void lines.push({ level, obj, ...(msg !== undefined ? { msg } : {}) })
  const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger }
  return { logger, lines }
}
