import http from 'node:http'
import https from 'node:https'
import { SinkError } from '../../core/ports/sync-sink'
import { ProxyError, PROXY_ERROR } from './egress'

/** TLS towards an https backend: a custom CA (PEM), and the name to check its certificate against. */
export interface TlsOptions {
  ca?: string | undefined
  rejectUnauthorized?: boolean | undefined
  servername?: string | undefined
}

export interface HttpRequest {
  url: URL
  method: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
  agent: http.Agent
  tls?: TlsOptions | undefined
  /** The whole exchange, connect to last byte: a stalled server is `sync.unreachable` after this (ms). */
  timeoutMs: number
  /** Answers longer than this are `sync.bad_answer` (bytes). */
  maxBytes?: number
}

export interface HttpAnswer {
  status: number
  body: string
}

const CERT_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|HOSTNAME|ALTNAME/

/**
 * One HTTP exchange for a sink, with every transport failure turned into a SinkError with a stable code:
 * `sync.proxy` (the proxy failed or refused), `sync.tls` (the backend's certificate is not trusted; not retried),
 * `sync.unreachable` (refused, reset, no route, stalled past the timeout), `sync.bad_answer` (too large).
 */
export function httpRequest(req: HttpRequest): Promise<HttpAnswer> {
  const secure = req.url.protocol === 'https:'
  const maxBytes = req.maxBytes ?? 64 * 1024 * 1024
  const where = `${req.url.protocol}//${req.url.host}`
  return new Promise<HttpAnswer>((resolve, reject) => {
    let done = false
    const settle = (e: SinkError | null, a?: HttpAnswer) => {
      if (done) return
      done = true
      clearTimeout(timer)
      if (e) reject(e)
      else resolve(a as HttpAnswer)
    }
    const headers: Record<string, string> = { ...req.headers }
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body))
    const options: https.RequestOptions = {
      method: req.method,
      host: req.url.hostname.startsWith('[') ? req.url.hostname.slice(1, -1) : req.url.hostname,
      port: req.url.port || (secure ? 443 : 80),
      path: `${req.url.pathname}${req.url.search}`,
      headers,
      agent: req.agent,
    }
    if (secure && req.tls) {
      if (req.tls.ca !== undefined) options.ca = req.tls.ca
      if (req.tls.rejectUnauthorized !== undefined) options.rejectUnauthorized = req.tls.rejectUnauthorized
      if (req.tls.servername !== undefined) options.servername = req.tls.servername
    }
    const r = (secure ? https : http).request(options, (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (c: Buffer) => {
        size += c.length
        if (size > maxBytes) {
          r.destroy()
          settle(new SinkError('sync.bad_answer', `${where} answered more than ${maxBytes} bytes`, true))
          return
        }
        chunks.push(c)
      })
      res.on('end', () => settle(null, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', (e) => settle(transportError(e, where)))
    })
    const timer = setTimeout(() => {
      r.destroy()
      settle(new SinkError('sync.unreachable', `${where} did not answer within ${req.timeoutMs} ms`, true))
    }, req.timeoutMs)
    r.on('error', (e) => settle(transportError(e, where)))
    r.end(req.body)
  })
}

export function transportError(e: unknown, where: string): SinkError {
  if (e instanceof SinkError) return e
  if (e instanceof ProxyError) return new SinkError(PROXY_ERROR, e.message, true)
  const err = e as NodeJS.ErrnoException
  const code = String(err.code ?? '')
  if (CERT_CODES.test(code) || /certificate/i.test(err.message)) {
    return new SinkError('sync.tls', `${where}: TLS certificate not trusted (${code || err.message}): set the backend's CA`, false)
  }
  return new SinkError('sync.unreachable', `${where} unreachable: ${err.message}`, true)
}
