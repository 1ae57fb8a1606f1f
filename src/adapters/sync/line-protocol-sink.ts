import { z } from 'zod'
import type { Sample } from '../../shared/model'
import type { BucketQuery, BucketSeries } from '../../core/ports/sample-store'
import { SinkError, type SinkProbe, type SinkSignal, type SinkWriteResult, type SyncSink } from '../../core/ports/sync-sink'
import { BucketAccumulator, planBuckets } from '../store-engine/buckets'
import { ColumnsBuilder, KIND_BOOLEAN, KIND_NULL, KIND_NUMBER, makeFlags } from '../store-engine/columns'
import { LineEncoder, bodies } from './line-protocol'
import { createEgressAgent, describeProxy, ProxySetting, resolveProxy, type ProxySpec } from './egress'
import { httpRequest, type HttpAnswer, type TlsOptions } from './http'
import type http from 'node:http'

const Url = z.string().refine((s) => {
  try {
    const u = new URL(s)
    return u.protocol === 'http:' || u.protocol === 'https:'
  } catch {
    return false
  }
}, 'must be an http:// or https:// URL')

/** The `line-protocol` kind's options in `sync.sinks[]` (beside id, kind, enabled, batchSamples, drainSamplesPerSecond). */
export const LineProtocolOptions = z.object({
  /** Base URLs, in order of preference: the first that answers is used; a failed one is left for the next and returned to. */
  endpoints: z.array(Url).min(1).max(8),
  /** Write path: `/write` (VictoriaMetrics, InfluxDB 1.x), `/influxdb/v1/write` (taosAdapter), `/api/v2/write` (InfluxDB 2). */
  writePath: z.string().startsWith('/').default('/write'),
  /** Extra query parameters of every write (`db`, `bucket`, `org`…). */
  query: z.record(z.string(), z.string()).default({}),
  precision: z.enum(['ms', 'us', 'ns']).default('us'),
  measurement: z.enum(['type', 'signal']).default('type'),
  prefix: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default('plantdeck'),
  /** Liveness probe path: `/health` (VictoriaMetrics), `/ping` (InfluxDB). */
  probePath: z.string().startsWith('/').default('/health'),
  /** A request body stays under this (default 4 MiB; VictoriaMetrics takes 32 MiB). */
  maxBodyBytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(4 * 1024 * 1024),
  /** A request without an answer after this fails (`sync.unreachable`, "did not answer within") and the next endpoint is tried. */
  timeoutMs: z.number().int().min(100).default(15_000),
  /** While on a later endpoint, the first is probed this often, and used again once it answers. */
  returnAfterMs: z.number().int().min(100).default(30_000),
  /** `Authorization: Token …` (InfluxDB 2), or basic auth. */
  token: z.string().min(1).optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  /** History read-through over VictoriaMetrics' export API (`/api/v1/export`); off for backends without it. */
  readThrough: z.boolean().default(true),
  /** Egress through a proxy for this sink (`socks5://`, `socks5h://`, `http://` CONNECT, or `direct`); else the global `sync.proxy`. */
  proxy: ProxySetting.optional(),
  /** TLS towards an https endpoint: a custom CA (PEM text), the name to check the certificate against. */
  tls: z.object({ ca: z.string().min(1).optional(), servername: z.string().min(1).optional(), rejectUnauthorized: z.boolean().optional() }).strict().optional(),
}).strict()
export type LineProtocolOptions = z.infer<typeof LineProtocolOptions>

/**
 * InfluxDB line protocol over HTTP, for VictoriaMetrics, InfluxDB and taosAdapter's `/influxdb/v1/write`.
 * Writes are idempotent on these backends (the same series and timestamp replace; VictoriaMetrics dedups with
 * `-dedup.minScrapeInterval`), so the engine may replay a batch.
 */
export class LineProtocolSink implements SyncSink {
  readonly kind = 'line-protocol'
  private current = 0
  private lastReturnCheck = 0
  private readonly enc: LineEncoder
  private readonly headers: Record<string, string>
  private readonly proxy: ProxySpec | null
  /** One keep-alive Agent per endpoint; with a proxy each connection is a tunnel through it (`egress.ts`). */
  private readonly agents: http.Agent[]
  private readonly tls: TlsOptions | undefined

  constructor(
    readonly id: string,
    private readonly o: LineProtocolOptions,
    /** `proxy`: the global egress setting (`sync.proxy`), used when the sink has none of its own. */
    deps: { proxy?: string | undefined } = {},
    private readonly now: () => number = Date.now,
  ) {
    try {
      this.proxy = resolveProxy(o.proxy, deps.proxy)
    } catch (e) {
      throw new SinkError('sync.proxy', (e as Error).message, false)
    }
    this.agents = o.endpoints.map((ep) => createEgressAgent(this.proxy, new URL(ep).protocol === 'https:', { timeoutMs: o.timeoutMs }))
    this.tls = o.tls
    this.enc = new LineEncoder({ measurement: o.measurement, prefix: o.prefix, precision: o.precision })
    this.headers = { 'content-type': 'text/plain; charset=utf-8' }
    if (o.token) this.headers.authorization = `Token ${o.token}`
    else if (o.username !== undefined) this.headers.authorization = `Basic ${Buffer.from(`${o.username}:${o.password ?? ''}`).toString('base64')}`
  }

  get endpoint(): string {
    return this.o.endpoints[this.current] ?? ''
  }

  /** The endpoint in use, and the proxy (if any) traffic goes through. */
  get route(): { endpoint: string; proxy: string | null } {
    return { endpoint: this.endpoint, proxy: this.proxy ? describeProxy(this.proxy) : null }
  }

  async write(samples: readonly Sample[], signals: ReadonlyMap<string, SinkSignal>): Promise<SinkWriteResult> {
    await this.maybeReturn()
    const result: SinkWriteResult = { written: 0, dropped: [] }
    for (const part of bodies(samples, signals, this.enc, this.o.maxBodyBytes)) {
      const refused = await this.post(part.body)
      if (refused) {
        // the backend refuses the content itself (400/422): retrying cannot help, so it is counted, not retried
        const bySignal = new Map<string, number>()
        for (let i = part.from; i < part.to; i++) {
          const s = samples[i]?.signal ?? ''
          bySignal.set(s, (bySignal.get(s) ?? 0) + 1)
        }
        for (const [signal, count] of bySignal) result.dropped.push({ signal, count, code: 'sync.rejected', reason: refused })
      } else result.written += part.to - part.from
    }
    return result
  }

  /** Posts one body, failing over across endpoints; returns the refusal text of a 400/422, else null. */
  private async post(body: string): Promise<string | null> {
    const qs = new URLSearchParams({ precision: this.o.precision === 'us' ? 'u' : this.o.precision === 'ns' ? 'n' : 'ms', ...this.o.query })
    let last: SinkError | null = null
    for (let k = 0; k < this.o.endpoints.length; k++) {
      const base = this.endpoint
      try {
        const res = await this.request(`${base}${this.o.writePath}?${qs}`, 'POST', body)
        if (ok(res)) return null
        const text = res.body.slice(0, 300)
        if (res.status === 401 || res.status === 403) throw new SinkError('sync.auth', `${base}: HTTP ${res.status} ${text}`.trim(), false)
        if (res.status === 400 || res.status === 422) return `HTTP ${res.status} ${text}`.trim()
        if (res.status === 413) throw new SinkError('sync.too_large', `${base}: HTTP 413: lower maxBodyBytes (${this.o.maxBodyBytes})`, false)
        const code = res.status === 429 || res.status === 503 ? 'sync.overloaded' : 'sync.bad_answer'
        throw new SinkError(code, `${base}: HTTP ${res.status} ${text}`.trim(), true)
      } catch (e) {
        const err = toSinkError(e, base)
        if (!err.retryable) throw err
        last = err
        this.current = (this.current + 1) % this.o.endpoints.length
      }
    }
    throw last ?? new SinkError('sync.unreachable', 'no endpoint', true)
  }

  /** On a later endpoint: probe the first now and then, and go back to it once it answers. */
  private async maybeReturn(): Promise<void> {
    if (this.current === 0 || this.now() - this.lastReturnCheck < this.o.returnAfterMs) return
    this.lastReturnCheck = this.now()
    const first = this.o.endpoints[0] ?? ''
    if ((await this.probeOne(first)).ok) this.current = 0
  }

  private request(url: string, method: 'GET' | 'POST', body?: string, headers?: Record<string, string>): Promise<HttpAnswer> {
    const at = Math.max(0, this.o.endpoints.findIndex((ep) => url.startsWith(ep)))
    return httpRequest({
      url: new URL(url),
      method,
      headers: { ...this.headers, ...headers },
      ...(body !== undefined ? { body } : {}),
      agent: this.agents[at]!,
      tls: this.tls,
      timeoutMs: this.o.timeoutMs,
    })
  }

  private async probeOne(base: string): Promise<SinkProbe> {
    try {
      const res = await this.request(`${base}${this.o.probePath}`, 'GET')
      if (ok(res)) return { ok: true, endpoint: base }
      return { ok: false, endpoint: base, code: res.status === 401 || res.status === 403 ? 'sync.auth' : 'sync.unreachable', reason: `HTTP ${res.status}` }
    } catch (e) {
      const err = toSinkError(e, base)
      return { ok: false, endpoint: base, code: err.code, reason: err.message }
    }
  }

  async probe(): Promise<SinkProbe> {
    let last: SinkProbe | null = null
    for (let k = 0; k < this.o.endpoints.length; k++) {
      const p = await this.probeOne(this.endpoint)
      if (p.ok) return p
      last = p
      this.current = (this.current + 1) % this.o.endpoints.length
    }
    return last ?? { ok: false, endpoint: this.endpoint, code: 'sync.unreachable' }
  }

  /**
   * Buckets from the backend: the raw samples of the range through VictoriaMetrics' export API, folded into the
   * same buckets as the local store's (same widths, alignment and aggregates). Numbers and booleans only (as the
   * backend keeps them); string signals come back empty.
   */
  async readBuckets(q: BucketQuery, signals: ReadonlyMap<string, SinkSignal>): Promise<BucketSeries[]> {
    const plan = planBuckets(q.from, q.to, q.points)
    const wanted = q.signals.filter((id) => signals.get(id)?.dataType !== 'string')
    const bySignal = new Map<string, ColumnsBuilder>()
    if (this.o.readThrough && wanted.length > 0) {
      const name = this.o.measurement === 'signal' ? `{__name__=~"${wanted.map(promRegex).join('|')}_value"` : `{__name__=~"${this.o.prefix}_(number|boolean)_value"`
      const selector = `${name},signal=~"${wanted.map(promRegex).join('|')}"}`
      const body = new URLSearchParams({ 'match[]': selector, start: (plan.start / 1000).toFixed(3), end: (plan.end / 1000).toFixed(3) })
      const base = this.endpoint
      let text: string
      try {
        const res = await this.request(`${base}/api/v1/export`, 'POST', body.toString(), { 'content-type': 'application/x-www-form-urlencoded' })
        text = res.body
        if (!ok(res)) throw new SinkError(res.status === 401 ? 'sync.auth' : 'sync.bad_answer', `${base}: export HTTP ${res.status} ${text.slice(0, 200)}`, true)
      } catch (e) {
        throw toSinkError(e, base)
      }
      for (const line of text.split('\n')) {
        if (!line.trim()) continue
        let row: { metric?: Record<string, string>; values?: number[]; timestamps?: number[] }
        try {
          row = JSON.parse(line)
        } catch {
          throw new SinkError('sync.bad_answer', `${base}: export answered something that is not JSON lines`, true)
        }
        const id = row.metric?.signal
        if (!id || !row.values || !row.timestamps) continue
        const kind = signals.get(id)?.dataType === 'boolean' ? KIND_BOOLEAN : KIND_NUMBER
        let b = bySignal.get(id)
        if (!b) bySignal.set(id, (b = new ColumnsBuilder()))
        row.timestamps.forEach((t, i) => {
          const v = row.values?.[i]
          b.push(t, v ?? 0, makeFlags(0, v === null || v === undefined ? KIND_NULL : kind))
        })
      }
    }
    return q.signals.map((id) => {
      const acc = new BucketAccumulator(plan, signals.get(id)?.dataType ?? 'number')
      const b = bySignal.get(id)
      if (b) acc.addColumns(sortedView(b))
      return acc.toSeries(id)
    })
  }

  async close(): Promise<void> {
    for (const a of this.agents) a.destroy()
  }
}

const ok = (a: HttpAnswer) => a.status >= 200 && a.status < 300

/** Export answers series by series, each ascending; a signal split over two series (a type change) is merged. */
function sortedView(b: ColumnsBuilder) {
  const c = b.view()
  const order = [...Array(c.n).keys()].sort((x, y) => (c.ts[x] ?? 0) - (c.ts[y] ?? 0))
  const out = new ColumnsBuilder(c.n)
  for (const i of order) out.pushFrom(c, i)
  return out.view()
}

const promRegex = (s: string) => s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&').replace(/["\\]/g, '\\$&')

/** A failed request as a SinkError: the network, a timeout, or an answer that is no HTTP. */
export function toSinkError(e: unknown, base: string): SinkError {
  if (e instanceof SinkError) return e
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } }
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return new SinkError('sync.timeout', `${base}: no answer in time`, true)
  const cause = err?.cause?.code ?? ''
  if (cause.startsWith('HPE_')) return new SinkError('sync.bad_answer', `${base}: the answer is not HTTP (${cause})`, true)
  return new SinkError('sync.unreachable', `${base}: ${cause || err?.message || 'request failed'}${err?.cause?.message ? ` (${err.cause.message})` : ''}`, true)
}
