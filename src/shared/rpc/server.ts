import type { z } from 'zod'
import type { EventMap, MethodMap } from '../contract/define'
import { AppError, type ErrorCode, type ErrorShape } from '../model/errors'
import { hasAccess, type Access, type Principal } from '../model/principal'
import { DEFAULT_MAX_MESSAGE, RequestMsg } from './envelope'
import { createRateLimiter, type RateLimitOptions } from './rate-limit'
import type { Transport } from './transport'

/** One connected client. Handlers use it to push events to this client only. */
export interface Session {
  readonly id: number
  emit(event: string, payload: unknown): void
  onClose(cb: () => void): void
  /** Bytes sent to this client and not yet taken by it (0 when the transport cannot tell). */
  unsent(): number
  /** Where this client is, for the audit trail and rate limits: `ws 192.0.2.7`, `ipc`, `memory`. */
  readonly remote: string
  /** Who this session acts as: set by a login (or at connect, from a cookie the host checked), null before. */
  readonly principal: Principal | null
  /** Binds (or with null, ends) the session's identity; the login and logout handlers call it. */
  setPrincipal(p: Principal | null): void
}

export interface CallContext {
  session: Session
  /**
   * Who is calling: the session's principal, or the kiosk's for a viewer method the kiosk covers. Null only for
   * `public` methods called without a login; every other method is refused before its handler runs.
   */
  principal: Principal | null
}

/** How the server decides who may call what, before a method's params are looked at. */
export interface RpcAuthOptions {
  /**
   * The read-only kiosk: when it returns a principal, `viewer` methods are let through for sessions without a
   * login, as that principal. A login always takes precedence. Methods above `viewer` are never let through by it.
   */
  kiosk?: () => Principal | null
  /**
   * Checks a session's principal before each non-public call (the login session expired or was revoked, the user
   * was disabled, the role changed): answers the principal to use, or throws an AppError (`auth.expired`,
   * `auth.bad_session`); the session is then unbound and the call answered with that code.
   */
  check?: (p: Principal, session: Session) => Principal
  /** The refusal of a non-public call without a principal (default `auth.required`), e.g. `auth.setup_required` before the first user. */
  unauthenticated?: (session: Session, method: string) => ErrorShape | undefined
  /**
   * Told of each refusal the access checks make, before any handler, of a method above `viewer` (`auth.required`,
   * `auth.setup_required`, `auth.forbidden`, `rpc.rate_limited`, a login session that ended): for the audit trail.
   * Called after the refusal is sent; it must not throw or block (the core's RefusalAudit counts and defers).
   */
  refused?: (r: RefusalInfo) => void
}

/** A call the access checks refused (see `RpcAuthOptions.refused`). */
export interface RefusalInfo {
  method: string
  access: Access
  code: ErrorCode
  message: string
  session: Session
  /** Who the session was when refused (null: nobody, or a login session that just ended). */
  principal: Principal | null
}

export type HandlerMap<C extends MethodMap> = {
  [M in keyof C]: (params: z.output<C[M]['input']>, ctx: CallContext) => Promise<z.input<C[M]['output']>> | z.input<C[M]['output']>
}

export interface RpcServerOptions<C extends MethodMap, E extends EventMap> {
  contract: C
  events: E
  handlers: HandlerMap<C>
  maxMessage?: number
  /** Validate every result against its schema (tests turn it on; a mismatch is answered as rpc.bad_result). */
  validateResults?: boolean
  /** Called for every rejected message, so the host can log and count it. */
  onReject?: (code: ErrorCode, session: number, detail: string) => void
  /** Calls one session may have in progress (default 16); a call over it is answered `rpc.busy` at once, never queued. */
  maxInFlight?: number
  auth?: RpcAuthOptions
  /** Token buckets per user and per address on every call; over them a call is answered `rpc.rate_limited`. */
  rateLimit?: RateLimitOptions
}

/** What `connect` may know of a client before its first message. */
export interface ConnectOptions {
  /** Where it is (default `memory`). */
  remote?: string
  /** Its identity when the host already checked one (a session cookie at the WebSocket upgrade). */
  principal?: Principal | null
}

/** What the RPC layer counts, for `system.diagnostics`. */
export interface RpcStats {
  sessions: number
  /** Calls being worked on now, all sessions together. */
  inFlight: number
  maxInFlightPerSession: number
  /** Rejections by code since start (`rpc.busy` included). */
  rejected: Record<string, number>
  /** Calls refused by the token buckets, by bucket kind. */
  rateLimited: { byUser: number; byAddress: number }
}

export interface RpcServer<E extends EventMap> {
  connect(transport: Transport, o?: ConnectOptions): Session
  broadcast<K extends keyof E & string>(event: K, payload: z.input<E[K]>): void
  /** Rejections by code since start: in the log (summarised) and in `system.diagnostics`. */
  readonly rejected: Readonly<Record<string, number>>
  readonly sessionCount: number
  stats(): RpcStats
}

export const DEFAULT_MAX_IN_FLIGHT = 16

/** Transport-agnostic RPC server: validates every incoming message and call, answers with stable codes. */
export function createRpcServer<C extends MethodMap, E extends EventMap>(opts: RpcServerOptions<C, E>): RpcServer<E> {
  const maxMessage = opts.maxMessage ?? DEFAULT_MAX_MESSAGE
  const maxInFlight = opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT
  const sessions = new Set<Session>()
  /** Per session: calls between their handler starting and their answer being sent. */
  const inFlight = new Map<Session, number>()
  let inFlightTotal = 0
  const rejected: Record<string, number> = {}
  let nextId = 1
  const limiter = createRateLimiter(opts.rateLimit)
  const handlers = opts.handlers as Record<string, (p: unknown, ctx: CallContext) => unknown>

  const reject = (t: Transport, sid: number, id: string | number | null, err: ErrorShape) => {
    rejected[err.code] = (rejected[err.code] ?? 0) + 1
    opts.onReject?.(err.code, sid, err.message)
    t.send(JSON.stringify({ id, ok: false, error: err }))
  }

  async function handle(t: Transport, session: Session, text: string) {
    if (typeof text !== 'string') return reject(t, session.id, null, { code: 'rpc.bad_envelope', message: 'message must be JSON text' })
    if (text.length > maxMessage) {
      return reject(t, session.id, null, {
        code: 'rpc.too_large',
        message: `message of ${text.length} bytes exceeds the limit of ${maxMessage}`,
      })
    }
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch {
      return reject(t, session.id, null, { code: 'rpc.bad_json', message: 'message is not valid JSON' })
    }
    const env = RequestMsg.safeParse(raw)
    if (!env.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : null
      return reject(t, session.id, id, { code: 'rpc.bad_envelope', message: 'expected {id, method, params}' })
    }
    const { id, method, params } = env.data
    if (!Object.hasOwn(opts.contract, method)) {
      return reject(t, session.id, id, { code: 'rpc.unknown_method', message: `unknown method "${method}"` })
    }
    const spec = opts.contract[method]!
    // Who may call it is decided before the params are looked at: a caller without the right learns nothing from validation.
    /** A refusal of the access checks: answered, then told to the audit (methods above viewer; reads are only counted). */
    const refuse = (err: ErrorShape, who: Principal | null) => {
      reject(t, session.id, id, err)
      if (spec.access !== 'public' && spec.access !== 'viewer' && opts.auth?.refused) {
        try {
          opts.auth.refused({ method, access: spec.access, code: err.code, message: err.message, session, principal: who })
        } catch {
          /* the audit of a refusal never changes its answer */
        }
      }
    }
    let principal = session.principal
    if (principal && spec.access !== 'public' && opts.auth?.check) {
      const was = principal
      try {
        principal = opts.auth.check(principal, session)
        if (principal !== session.principal) session.setPrincipal(principal)
      } catch (e) {
        session.setPrincipal(null)
        principal = null
        if (e instanceof AppError) return refuse(e.toShape(), was)
        return refuse({ code: 'auth.bad_session', message: 'the login session could not be checked' }, was)
      }
    }
    const limited = limiter.take(principal ? `${principal.kind} ${principal.user}` : undefined, session.remote)
    if (limited) {
      return refuse({ code: 'rpc.rate_limited', message: `too many calls from this ${limited}; slow down`, details: { bucket: limited } }, principal)
    }
    if (spec.access !== 'public') {
      if (!principal && spec.access === 'viewer') principal = opts.auth?.kiosk?.() ?? null
      if (!principal) return refuse(opts.auth?.unauthenticated?.(session, method) ?? { code: 'auth.required', message: `${method} needs a login` }, null)
      if (!hasAccess(principal, spec.access)) {
        return refuse({ code: 'auth.forbidden', message: `${method} needs the ${spec.access} role; ${principal.user} has ${principal.roles.join(', ') || 'none'}` }, principal)
      }
    }
    const parsed = spec.input.safeParse(params ?? {})
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message }))
      const first = issues[0]
      return reject(t, session.id, id, {
        code: 'rpc.bad_params',
        message: `bad params for ${method}: ${first ? `${first.path || '(root)'}: ${first.message}` : 'invalid'}`,
        details: issues,
      })
    }
    // Answered at once, not queued: a queue would only move the unbounded memory from replies to requests.
    const busy = inFlight.get(session) ?? 0
    if (busy >= maxInFlight) {
      return reject(t, session.id, id, { code: 'rpc.busy', message: `${maxInFlight} calls of this session are in progress; retry when one is answered` })
    }
    inFlight.set(session, busy + 1)
    inFlightTotal++
    try {
      let result = await handlers[method]!(parsed.data, { session, principal })
      if (opts.validateResults) {
        const out = spec.output.safeParse(result)
        if (!out.success) {
          return reject(t, session.id, id, { code: 'rpc.bad_result', message: `${method} produced an invalid result: ${out.error.message}` })
        }
        result = out.data
      }
      t.send(JSON.stringify({ id, ok: true, result }))
    } catch (e) {
      if (e instanceof AppError) return reject(t, session.id, id, e.toShape())
      return reject(t, session.id, id, { code: 'rpc.internal', message: `${method} failed: ${(e as Error)?.message ?? String(e)}` })
    } finally {
      inFlightTotal--
      if (inFlight.has(session)) inFlight.set(session, inFlight.get(session)! - 1)
    }
  }

  return {
    connect(t, o = {}) {
      const closeCbs: (() => void)[] = []
      let open = true
      let principal: Principal | null = o.principal ?? null
      const session: Session = {
        remote: o.remote ?? 'memory',
        get principal() {
          return principal
        },
        setPrincipal(p) {
          principal = p
        },
        id: nextId++,
        emit(event, payload) {
          if (open) t.send(JSON.stringify({ event, payload }))
        },
        onClose(cb) {
          closeCbs.push(cb)
        },
        unsent: () => t.unsent?.() ?? 0,
      }
      sessions.add(session)
      inFlight.set(session, 0)
      t.onMessage((text) => void handle(t, session, text))
      t.onClose(() => {
        if (!open) return
        open = false
        sessions.delete(session)
        inFlight.delete(session)
        for (const cb of closeCbs.splice(0)) {
          try {
            cb()
          } catch {
            /* a failing cleanup must not stop the others */
          }
        }
      })
      return session
    },
    broadcast(event, payload) {
      if (sessions.size === 0) return
      for (const s of sessions) s.emit(event, payload)
    },
    get rejected() {
      return rejected
    },
    get sessionCount() {
      return sessions.size
    },
    stats: () => ({ sessions: sessions.size, inFlight: inFlightTotal, maxInFlightPerSession: maxInFlight, rejected: { ...rejected }, rateLimited: limiter.stats() }),
  }
}
