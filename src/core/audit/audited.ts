import { AppError } from '../../shared/model/errors'
import type { CallContext } from '../../shared/rpc/server'
import { type AuditRecord, type AuditTrail, auditWho } from '../ports/audit'
import type { Collector } from '../ports/collector'
import type { Logger } from '../ports/logger'

/** What an audit extractor may look up, cheaply, before the action: for old values. */
export interface AuditLookups {
  /** The collector of a connection. */
  collector(id: string): Collector | undefined
  /** A signal's live value now (undefined: not known). */
  live(signal: string): unknown
  /** An asset of the model as it is now (undefined: none, or no model). */
  asset(id: string): Record<string, unknown> | undefined
}

/**
 * How one API method is audited: the action's name, what it is done to, the new (and, where cheap, old) value.
 * `when`: whether this call changes anything at all (a delete without `confirm`, an import's dry run do not, and are
 * not audited). `outcome`: a detail for the entry after the action (counts, the device's status).
 */
export interface AuditSpec<P = any, R = any> {
  action: string
  target(params: P): string
  newValue?(params: P): unknown
  oldValue?(params: P, look: AuditLookups): unknown
  when?(params: P): boolean
  outcome?(result: R): string | undefined
  /** The outcome's result when the method answers a refusal as data (an OPC UA status): default `ok`. */
  resultOf?(result: R): string
}

export type AuditSpecs = Readonly<Record<string, AuditSpec>>

type Handler = (params: unknown, ctx: CallContext) => unknown

/** An extractor that throws leaves its field out: auditing never fails on a field it could not read. */
function tryGet<T>(f: (() => T) | undefined): T | undefined {
  if (!f) return undefined
  try {
    return f()
  } catch {
    return undefined
  }
}

/**
 * Wraps the methods `specs` names: before the handler runs, an entry (result `pending`: who, from where, target, new
 * and old value) is appended; when it cannot be (`audit.write_failed`, `audit.unavailable`), the call is refused with
 * that code and the handler never runs (fail closed: no entry, no action). After it, a second entry with the outcome:
 * `ok` or the error code, `detail` naming the first entry (`of #12`). An outcome entry that cannot be written is
 * logged (the action has happened; answering an error would say it had not).
 */
export function auditedHandlers<H extends object>(handlers: H, specs: AuditSpecs, trail: AuditTrail, look: AuditLookups, log: Logger): H {
  const out = { ...handlers } as Record<string, Handler>
  for (const [method, spec] of Object.entries(specs)) {
    const inner = out[method]
    if (!inner) continue
    out[method] = async (params, ctx) => {
      if (spec.when && !spec.when(params)) return inner(params, ctx)
      const who = auditWho(ctx.principal, ctx.session.remote)
      const target = tryGet(() => spec.target(params))
      let first: AuditRecord
      try {
        first = await trail.append({
          action: spec.action,
          ...who,
          ...(target !== undefined ? { target } : {}),
          oldValue: tryGet(spec.oldValue && (() => spec.oldValue!(params, look))),
          newValue: tryGet(spec.newValue && (() => spec.newValue!(params))),
          result: 'pending',
        })
      } catch (e) {
        const code = e instanceof AppError && (e.code === 'audit.write_failed' || e.code === 'audit.unavailable') ? e.code : 'audit.write_failed'
        log.error({ method, action: spec.action, target, user: who.user, err: (e as Error)?.message ?? String(e) }, `audit entry not written: ${method} refused`)
        throw new AppError(code, `${method} refused: its audit entry could not be written (${(e as Error)?.message ?? String(e)})`, { method })
      }
      const outcome = async (result: string, detail: string | undefined) => {
        try {
          await trail.append({ action: spec.action, ...who, ...(target !== undefined ? { target } : {}), result, detail: detail ? `of #${first.id}: ${detail}` : `of #${first.id}` })
        } catch (e) {
          log.error({ method, action: spec.action, target, entry: first.id, result, err: (e as Error)?.message ?? String(e) }, 'audit outcome entry not written (the action was carried out)')
        }
      }
      let result: unknown
      try {
        result = await inner(params, ctx)
      } catch (e) {
        await outcome(e instanceof AppError ? e.code : 'rpc.internal', (e as Error)?.message)
        throw e
      }
      await outcome(tryGet(spec.resultOf && (() => spec.resultOf!(result))) ?? 'ok', tryGet(spec.outcome && (() => spec.outcome!(result))))
      return result
    }
  }
  return out as H
}
