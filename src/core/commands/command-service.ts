import type { Asset, AssetAttribute } from '../../shared/contract/asset-model'
import type { CommandDef } from '../../shared/contract/command-def'
import { commands as commandsContract, type CommandBlock, type CommandInfo, type CommandResult, type CommandSelection } from '../../shared/contract/commands'
import { AppError, isAppError, type ErrorCode } from '../../shared/model/errors'
import type { ConnectionHealth, SampleValue } from '../../shared/model'
import { hasAccess, inScope, type Principal } from '../../shared/model/principal'
import type { HandlerMap } from '../../shared/rpc/server'
import { compileExpression, type ExprValue } from '../assets-model/expression'
import type { AssetStore } from '../ports/asset-store'
import type { AuditEntryInput, AuditTrail } from '../ports/audit'
import type { Clock } from '../ports/clock'
import type { Collector } from '../ports/collector'
import type { CommandKinds, CommandSent, SourceBinding } from '../ports/driver'
import type { CredentialCheck } from '../ports/identity'
import type { Logger } from '../ports/logger'
import type { LiveValues } from '../signals/live-values'
import { checkCommand, driverFor, inputOf, limitsOf, stateValue, WRITE_KINDS } from './command-check'

export type CommandHandlers = HandlerMap<typeof commandsContract>

export const DEFAULT_LOCK_MS = 30_000
export const DEFAULT_VERIFY_MS = 5_000
/** Past the verify timeout, how long a driver that has not answered is given before the outcome is `timeout`. */
const SEND_GRACE_MS = 2_000
/** Connection health that lets a command go (degraded: some items refused, the session is up). */
const HEALTHY: readonly ConnectionHealth[] = ['connected', 'degraded']

export interface CommandServiceDeps {
  store: AssetStore | undefined
  /** Each protocol's commands, by connection kind (core/drivers.ts). */
  drivers: ReadonlyMap<string, CommandKinds>
  /** Configured connections (id and kind). */
  connections: () => readonly { id: string; kind: string }[]
  /** A connection's health now (the connection registry). */
  health: (connection: string) => ConnectionHealth | undefined
  collectors: readonly Collector[]
  /** The signal an attribute's live values arrive on (the live link). */
  signalFor: (assetId: string, at: AssetAttribute) => string | undefined
  live: LiveValues
  /** Without one, select and operate answer `audit.unavailable`: no command without its record. */
  audit?: AuditTrail | undefined
  /** Checks a second person's credentials (two-person rule); without one, critical commands answer `command.bad_approval`. */
  credentials?: CredentialCheck | undefined
  clock: Clock
  log: Logger
  /** How long a selection holds the target (default 30 s). */
  lockMs?: number
  newToken?: () => string
  /** Resolves after `ms` (tests may drive it); default setTimeout. */
  sleep?: (ms: number) => Promise<void>
}

interface Target {
  asset: Asset
  at: AssetAttribute
  def: CommandDef
  driverKind: string
  driver: CommandKinds
  connection: string
  target: Record<string, unknown> | undefined
}

interface Selection {
  token: string
  user: string
  assetId: string
  attribute: string
  command: string
  key: string
  expiresAt: number
  current: SampleValue
}

const defaultToken = () => globalThis.crypto.randomUUID()
const defaultSleep = (ms: number) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms)
    ;(t as { unref?: () => void }).unref?.()
  })

/**
 * Select-before-operate over the asset model's command definitions (see docs/commands.md). Keeps the selections
 * (locks and tokens) in memory: a restart forgets them, which only means selecting again.
 */
export class CommandService {
  private readonly selections = new Map<string, Selection>()
  /** Target key (`<asset id>/<attribute>`) → the token holding it. */
  private readonly locks = new Map<string, string>()
  /** Tokens used or cancelled, until they would have expired: a second use is a replay. */
  private readonly spent = new Map<string, number>()
  private readonly lockMs: number
  private readonly newToken: () => string
  private readonly sleep: (ms: number) => Promise<void>

  constructor(private readonly d: CommandServiceDeps) {
    this.lockMs = d.lockMs ?? DEFAULT_LOCK_MS
    this.newToken = d.newToken ?? defaultToken
    this.sleep = d.sleep ?? defaultSleep
  }

  handlers(): CommandHandlers {
    return {
      'commands.list': ({ asset }, { principal }) => this.list(asset, principal!),
      'commands.select': (p, { principal }) => this.select(p, principal!),
      'commands.operate': (p, { principal }) => this.operate(p, principal!),
      'commands.cancel': ({ token }, { principal }) => this.cancel(token, principal!),
    }
  }

  // --- list ---

  list(assetId: string, p: Principal): { asset: { id: string; path: string }; items: CommandInfo[] } {
    this.sweep()
    const asset = this.asset(assetId)
    const items: CommandInfo[] = []
    for (const at of asset.attributes) {
      for (const def of at.commands ?? []) {
        const info = this.info(at, def)
        const block = this.blocked(asset, at, def, p)
        items.push(block ? { ...info, enabled: false, blocked: block.blocked, reason: block.reason } : info)
      }
    }
    return { asset: { id: asset.id, path: asset.path }, items }
  }

  private blocked(asset: Asset, at: AssetAttribute, def: CommandDef, p: Principal): { blocked: CommandBlock; reason: string } | undefined {
    let t: Target
    try {
      t = this.resolve(asset, at, def)
    } catch (e) {
      return { blocked: 'bad_definition', reason: (e as Error).message }
    }
    const role = def.role ?? 'operator'
    if (!hasAccess(p, role)) return { blocked: 'role', reason: `needs the ${role} role (${p.user} has ${p.roles.join(', ') || 'none'})` }
    if (!inScope(p, asset.path)) return { blocked: 'scope', reason: `${asset.path} is outside ${p.user}'s areas (${p.scopes?.join(', ')})` }
    const health = this.d.health(t.connection)
    if (!health || !HEALTHY.includes(health)) return { blocked: 'not_connected', reason: `connection "${t.connection}" is ${health ?? 'not configured'}` }
    const il = this.interlock(asset, def)
    if (il) return { blocked: 'interlock', reason: il }
    const holder = this.holder(asset.id, at.name)
    if (holder && holder.user !== p.user) return { blocked: 'locked', reason: `selected by ${holder.user} until ${new Date(holder.expiresAt).toISOString()}` }
    return undefined
  }

  private info(at: AssetAttribute, def: CommandDef): CommandInfo {
    const input = inputOf(def)
    const info: CommandInfo = { attribute: at.name, id: def.id, label: def.label, kind: def.kind, input, critical: def.critical === true, role: def.role ?? 'operator', enabled: true }
    const unit = def.unit ?? at.unit
    if (unit !== undefined) info.unit = unit
    const decimals = def.decimals ?? at.decimals
    if (decimals !== undefined) info.decimals = decimals
    if (input === 'number') {
      const lim = limitsOf(def, at)
      if (lim) info.limits = lim
      if (def.maxStep !== undefined) info.maxStep = def.maxStep
    }
    if (at.enumeration) info.labels = { ...at.enumeration }
    if (input === 'state' && at.enumeration) {
      info.states = (def.states ?? Object.keys(at.enumeration)).map((key) => ({ key, label: at.enumeration![key] ?? key }))
    }
    return info
  }

  // --- select ---

  async select(p: { asset: string; attribute: string; command: string }, who: Principal): Promise<CommandSelection> {
    this.sweep()
    const targetText = `${p.asset}/${p.attribute}/${p.command}`
    const asset = this.d.store?.get(p.asset)
    const at = asset?.attributes.find((x) => x.name === p.attribute)
    const def = at?.commands?.find((c) => c.id === p.command)
    if (!asset || !at || !def) {
      throw await this.refuse(who, 'command.select', targetText, new AppError('command.unknown', `no command "${p.command}" on ${asset ? `${asset.path}/${p.attribute}` : `asset ${p.asset}`}`))
    }
    const target = `${asset.path}/${at.name} ${def.id}`
    const t = await this.resolveOrRefuse(who, 'command.select', target, asset, at, def)
    const denied = this.access(who, t)
    if (denied) throw await this.refuse(who, 'command.select', target, denied)
    const holder = this.holder(asset.id, at.name)
    if (holder && holder.user !== who.user) {
      throw await this.refuse(who, 'command.select', target, new AppError('command.locked', `${asset.path}/${at.name} is selected by ${holder.user} until ${new Date(holder.expiresAt).toISOString()}`, { user: holder.user, expiresAt: holder.expiresAt }))
    }
    const down = this.connectionProblem(t)
    if (down) throw await this.refuse(who, 'command.select', target, down)
    const current = await this.current(t)
    const token = this.newToken()
    const expiresAt = this.d.clock.now() + this.lockMs
    // the record first: no lock without its entry
    await this.record({ action: 'command.select', who, target, oldValue: current, result: 'ok', detail: `${def.label}; locked until ${new Date(expiresAt).toISOString()}` })
    if (holder) this.release(holder.token, false) // this user's earlier selection of the target is replaced
    const key = lockKey(asset.id, at.name)
    this.selections.set(token, { token, user: who.user, assetId: asset.id, attribute: at.name, command: def.id, key, expiresAt, current })
    this.locks.set(key, token)
    return { token, expiresAt, asset: { id: asset.id, path: asset.path }, attribute: at.name, command: this.info(at, def), current, user: who.user }
  }

  // --- operate ---

  async operate(
    p: { token: string; asset: string; attribute: string; command: string; value?: SampleValue | undefined; approval?: { user: string; password: string } | undefined },
    who: Principal,
  ): Promise<CommandResult> {
    this.sweep()
    const sel = this.selections.get(p.token)
    const asset = this.d.store?.get(p.asset)
    const at = asset?.attributes.find((x) => x.name === p.attribute)
    const def = at?.commands?.find((c) => c.id === p.command)
    const target = asset && at ? `${asset.path}/${at.name} ${p.command}` : `${p.asset}/${p.attribute}/${p.command}`
    const newValue = p.value ?? null
    const refuse = async (e: AppError, oldValue?: SampleValue) => this.refuse(who, 'command.operate', target, e, oldValue, newValue)
    // the token: this user's, this target's, not spent, not expired
    if (!sel) {
      const why = this.spent.has(p.token) ? 'was already used (a replay)' : 'is unknown or expired'
      throw await refuse(new AppError('command.bad_select', `the select token ${why}: select the command again`))
    }
    if (sel.user !== who.user) throw await refuse(new AppError('command.bad_select', `the select token is ${sel.user}'s, not ${who.user}'s`))
    if (sel.assetId !== p.asset || sel.attribute !== p.attribute || sel.command !== p.command) {
      throw await refuse(new AppError('command.bad_select', `the select token is for another target (${sel.attribute} ${sel.command})`))
    }
    if (this.d.clock.now() >= sel.expiresAt) {
      this.release(sel.token, true)
      throw await refuse(new AppError('command.bad_select', `the selection expired at ${new Date(sel.expiresAt).toISOString()}: select the command again`))
    }
    if (!asset || !at || !def) {
      this.release(sel.token, true)
      throw await refuse(new AppError('command.unknown', `the command "${p.command}" is no longer on ${p.attribute}`))
    }
    const t = await this.resolveOrRefuse(who, 'command.operate', target, asset, at, def)
    const denied = this.access(who, t)
    if (denied) {
      this.release(sel.token, true)
      throw await refuse(denied)
    }
    // the value: type, range, step (a refusal here keeps the selection: nothing was sent, the operator corrects it)
    const previous = (await this.current(t).catch(() => null)) ?? sel.current
    const value = await this.value(t, p.value, previous, (e) => refuse(e, previous))
    if (def.critical && !p.approval) {
      throw await refuse(new AppError('command.needs_approval', `${def.label} is critical: a second person with the ${def.role ?? 'operator'} role confirms with their credentials`), previous)
    }
    // from here on the token is spent, whatever happens
    this.release(sel.token, true)
    const il = this.interlock(asset, def)
    if (il) throw await refuse(new AppError('command.interlocked', il), previous)
    const down = this.connectionProblem(t)
    if (down) throw await refuse(down, previous)
    let approvedBy: string | undefined
    if (def.critical) approvedBy = await this.approve(t, who, p.approval!, (e) => refuse(e, previous))
    // the record before anything goes out: when it cannot be written, nothing is sent
    await this.record({ action: 'command.operate', who, target, oldValue: previous, newValue: value, result: 'ok', detail: `${def.label}${approvedBy ? `; approved by ${approvedBy}` : ''}` })
    const sent = await this.send(t, value, who)
    let audited = true
    try {
      await this.record({ action: 'command.outcome', who, target, oldValue: previous, newValue: value, result: sent.outcome, detail: `${sent.status}${sent.readBack !== undefined ? `; read back ${JSON.stringify(sent.readBack)}` : ''}` })
    } catch (e) {
      audited = false
      this.d.log.error({ target, outcome: sent.outcome, err: (e as Error).message }, 'command outcome not audited')
    }
    return { outcome: sent.outcome, status: sent.status, ...(sent.readBack !== undefined ? { readBack: sent.readBack } : {}), value, previous, ...(approvedBy ? { approvedBy } : {}), audited }
  }

  async cancel(token: string, who: Principal): Promise<{ cancelled: boolean }> {
    this.sweep()
    const sel = this.selections.get(token)
    if (!sel || sel.user !== who.user) return { cancelled: false }
    this.release(token, true)
    const asset = this.d.store?.get(sel.assetId)
    await this.record({ action: 'command.cancel', who, target: `${asset?.path ?? sel.assetId}/${sel.attribute} ${sel.command}`, result: 'ok' }).catch((e: Error) =>
      this.d.log.warn({ err: e.message }, 'command cancel not audited'),
    )
    return { cancelled: true }
  }

  // --- the checks ---

  private asset(id: string): Asset {
    const a = this.d.store?.get(id)
    if (!a) throw new AppError(this.d.store ? 'command.unknown' : 'model.unavailable', this.d.store ? `no asset with id "${id}"` : 'this host keeps no asset model')
    return a
  }

  /** The command's driver, connection and target, its definition checked again (one saved before the checks is refused here). */
  private resolve(asset: Asset, at: AssetAttribute, def: CommandDef): Target {
    const where = `${asset.path}/${at.name}.commands (${def.id})`
    checkCommand(def, at, asset.attributes, this.d.drivers, where)
    const own = driverFor(def, at, this.d.drivers)!
    const write = (WRITE_KINDS as readonly string[]).includes(def.kind)
    const target = write ? undefined : (own.driver.kinds[def.kind]!.parse(def.target ?? {}) as Record<string, unknown>)
    const connection = (target && own.driver.connectionOf?.(target)) ?? (typeof at.binding?.['connection'] === 'string' ? (at.binding['connection'] as string) : undefined)
    if (connection === undefined) throw new AppError('command.bad_definition', `${where}: no connection: bind the attribute or name one in the target`)
    const conf = this.d.connections().find((c) => c.id === connection)
    if (!conf || conf.kind !== own.kind) throw new AppError('command.bad_definition', `${where}: no ${own.kind} connection "${connection}"`)
    return { asset, at, def, driverKind: own.kind, driver: own.driver, connection, target }
  }

  private async resolveOrRefuse(who: Principal, action: string, target: string, asset: Asset, at: AssetAttribute, def: CommandDef): Promise<Target> {
    try {
      return this.resolve(asset, at, def)
    } catch (e) {
      throw await this.refuse(who, action, target, e as AppError)
    }
  }

  private access(who: Principal, t: Target): AppError | undefined {
    const role = t.def.role ?? 'operator'
    if (!hasAccess(who, role)) return new AppError('auth.forbidden', `${t.def.label} needs the ${role} role; ${who.user} has ${who.roles.join(', ') || 'none'}`)
    if (!inScope(who, t.asset.path)) return new AppError('auth.forbidden', `${t.asset.path} is outside ${who.user}'s areas (${who.scopes?.join(', ')})`)
    return undefined
  }

  private connectionProblem(t: Target): AppError | undefined {
    const h = this.d.health(t.connection)
    if (h && HEALTHY.includes(h) && this.collector(t.connection)) return undefined
    return new AppError('command.not_connected', `connection "${t.connection}" is ${h ?? 'not configured'}: the command is not sent (and never queued)`, { connection: t.connection })
  }

  private collector(id: string): Collector | undefined {
    return this.d.collectors.find((c) => c.id === id)
  }

  /** The operator's value checked and made the attribute's: type, engineering range, step from the current value, state. */
  private async value(t: Target, given: SampleValue | undefined, previous: SampleValue, refuse: (e: AppError) => Promise<AppError>): Promise<SampleValue> {
    const { def, at } = t
    const input = inputOf(def)
    if (input === 'none') {
      if (given !== undefined && given !== null) throw await refuse(new AppError('command.bad_value', `${def.label} takes no value`))
      return null
    }
    if (input === 'number') {
      if (typeof given !== 'number' || !Number.isFinite(given)) throw await refuse(new AppError('command.bad_value', `${def.label} needs a number, got ${JSON.stringify(given ?? null)}`))
      const lim = limitsOf(def, at)!
      if (given < lim.lo || given > lim.hi) throw await refuse(new AppError('command.out_of_range', `${given} is outside ${lim.lo}..${lim.hi}${unitText(def, at)}`, { limits: lim }))
      if (def.maxStep !== undefined) {
        if (typeof previous !== 'number') throw await refuse(new AppError('command.step_too_large', `the current value is unknown, so the step to ${given} cannot be checked against ${def.maxStep}`))
        const step = Math.abs(given - previous)
        if (step > def.maxStep + 1e-9) throw await refuse(new AppError('command.step_too_large', `a step of ${round(step)} from ${previous} to ${given} is larger than ${def.maxStep}${unitText(def, at)}`, { maxStep: def.maxStep }))
      }
      return given
    }
    // a state: its key ("1") or its label ("Running")
    const keys = def.states ?? Object.keys(at.enumeration ?? {})
    const text = given === null || given === undefined ? undefined : typeof given === 'boolean' ? (given ? '1' : '0') : String(given)
    const key = keys.find((k) => k === text) ?? keys.find((k) => at.enumeration?.[k] === text)
    if (key === undefined) throw await refuse(new AppError('command.bad_value', `${JSON.stringify(given ?? null)} is not one of ${keys.map((k) => `${k}=${at.enumeration?.[k] ?? k}`).join(', ')}`))
    return stateValue(at, key)!
  }

  /** The first interlock that does not hold, as its message; a missing input does not hold. */
  private interlock(asset: Asset, def: CommandDef): string | undefined {
    for (const il of def.interlocks ?? []) {
      const missing: string[] = []
      let v: ExprValue
      try {
        v = compileExpression(il.when).evaluate((name) => {
          const x = this.attributeValue(asset, name)
          if (x === undefined) missing.push(name)
          return x
        })
      } catch {
        v = null
      }
      if (missing.length > 0) return `${il.message} (cannot be checked: no good value for ${missing.join(', ')})`
      if (v !== true && !(typeof v === 'number' && v !== 0)) return il.message
    }
    return undefined
  }

  private attributeValue(asset: Asset, name: string): ExprValue | undefined {
    const at = asset.attributes.find((a) => a.name === name)
    if (!at) return undefined
    if (at.binding?.kind === 'constant') return exprOf(at.binding['value'])
    const signal = this.d.signalFor(asset.id, at)
    const s = signal === undefined ? undefined : this.d.live.get(signal)
    if (!s || s.quality !== 'good') return undefined
    return exprOf(s.value) ?? undefined
  }

  /** The target's value now: read from the device for a write where the driver can, else the live value. */
  private async current(t: Target): Promise<SampleValue> {
    const collector = this.collector(t.connection)
    const b = t.at.binding as SourceBinding | undefined
    if (t.driver.read && b && (WRITE_KINDS as readonly string[]).includes(t.def.kind) && collector) {
      try {
        const v = await t.driver.read(b, collector)
        if (v !== undefined) return v
      } catch (e) {
        if (isAppError(e) && e.code.endsWith('.not_connected')) throw new AppError('command.not_connected', e.message, { connection: t.connection })
        // fall back to the live value
      }
    }
    if (t.at.binding?.kind === 'constant') return (t.at.binding['value'] as SampleValue) ?? null
    const signal = this.d.signalFor(t.asset.id, t.at)
    return (signal === undefined ? undefined : this.d.live.get(signal)?.value) ?? null
  }

  private async approve(t: Target, who: Principal, approval: { user: string; password: string }, refuse: (e: AppError) => Promise<AppError>): Promise<string> {
    if (approval.user === who.user) throw await refuse(new AppError('command.bad_approval', 'the second person must be another user'))
    if (!this.d.credentials) throw await refuse(new AppError('command.bad_approval', 'this host cannot check a second person\'s credentials'))
    let second: Principal
    try {
      second = await this.d.credentials.verify(approval.user, approval.password, who.from)
    } catch (e) {
      const code = isAppError(e) ? e.code : 'rpc.internal'
      throw await refuse(new AppError('command.bad_approval', `the second person's credentials were not accepted (${code})`, { cause: code }))
    }
    const role = t.def.role ?? 'operator'
    if (second.user === who.user) throw await refuse(new AppError('command.bad_approval', 'the second person must be another user'))
    if (!hasAccess(second, role)) throw await refuse(new AppError('command.bad_approval', `${second.user} does not have the ${role} role`))
    if (!inScope(second, t.asset.path)) throw await refuse(new AppError('command.bad_approval', `${t.asset.path} is outside ${second.user}'s areas`))
    return second.user
  }

  /** Sends through the driver and verifies; every result once sent is an outcome. */
  private async send(t: Target, value: SampleValue, who: Principal): Promise<CommandSent> {
    const collector = this.collector(t.connection)!
    const timeoutMs = t.def.verifyTimeoutMs ?? DEFAULT_VERIFY_MS
    const decimals = t.def.decimals ?? t.at.decimals ?? 6
    const same = (a: SampleValue | undefined, b: SampleValue | undefined) =>
      typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) < 0.5 * 10 ** -decimals + 1e-12 : a === b
    const signal = this.d.signalFor(t.asset.id, t.at)
    // samples from before the send on, so a quick device's report is not missed
    const seen: SampleValue[] = []
    const waiters = new Set<() => void>()
    const unsub = signal === undefined ? () => {} : this.d.live.onSamples((batch) => {
      let hit = false
      for (const s of batch) if (s.signal === signal) (seen.push(s.value), (hit = true))
      if (hit) waiters.forEach((w) => w())
    })
    const awaitValue = (expected: SampleValue, ms: number) =>
      new Promise<{ matched: boolean; last?: SampleValue; seen: number }>((resolve) => {
        const check = () => {
          const ok = expected === null ? seen.length > 0 : seen.some((v) => same(v, expected))
          if (!ok) return false
          done({ matched: true, last: seen.at(-1)!, seen: seen.length })
          return true
        }
        const done = (r: { matched: boolean; last?: SampleValue; seen: number }) => {
          waiters.delete(waiter)
          resolve(r)
        }
        const waiter = () => void check()
        if (check()) return
        waiters.add(waiter)
        void this.sleep(ms).then(() => done(seen.length > 0 ? { matched: false, last: seen.at(-1)!, seen: seen.length } : { matched: false, seen: 0 }))
      })
    const fields: Record<string, string> = { asset: t.asset.path, attribute: t.at.name, command: t.def.id, user: who.user }
    const text = (template: string, o: { json?: boolean } = {}) =>
      template.replace(/\{(value|asset|attribute|command|user)\}/g, (_m, k: string) => {
        if (k === 'value') return o.json ? JSON.stringify(value) : String(value ?? '')
        return o.json ? JSON.stringify(fields[k]).slice(1, -1) : fields[k]!
      })
    try {
      const sent = t.driver.send({ kind: t.def.kind, binding: t.at.binding as SourceBinding | undefined, target: t.target, value, text, timeoutMs, same, awaitValue }, collector)
      const late = this.sleep(timeoutMs + SEND_GRACE_MS).then((): CommandSent => ({ outcome: 'timeout', status: `no answer from the driver within ${timeoutMs} ms` }))
      return await Promise.race([sent, late])
    } catch (e) {
      // the driver refused before sending (a value its node's type refuses, the session gone at the last moment)
      const code = isAppError(e) ? e.code : 'rpc.internal'
      if (code.endsWith('.not_connected')) return { outcome: 'rejected', status: `not sent: ${(e as Error).message}` }
      return { outcome: 'rejected', status: `${code}: ${(e as Error).message}` }
    } finally {
      unsub()
      waiters.clear()
    }
  }

  // --- selections ---

  private holder(assetId: string, attribute: string): Selection | undefined {
    const token = this.locks.get(lockKey(assetId, attribute))
    const sel = token === undefined ? undefined : this.selections.get(token)
    return sel && sel.expiresAt > this.d.clock.now() ? sel : undefined
  }

  private release(token: string, spend: boolean): void {
    const sel = this.selections.get(token)
    if (!sel) return
    this.selections.delete(token)
    if (this.locks.get(sel.key) === token) this.locks.delete(sel.key)
    if (spend) this.spent.set(token, sel.expiresAt)
  }

  /** Forgets expired locks; an expired token stays known as such until operate or the next sweep past its expiry. */
  private sweep(): void {
    const now = this.d.clock.now()
    for (const [key, token] of this.locks) {
      const sel = this.selections.get(token)
      if (!sel || sel.expiresAt <= now) this.locks.delete(key)
    }
    for (const [token, sel] of this.selections) if (sel.expiresAt + this.lockMs <= now) this.selections.delete(token)
    for (const [token, until] of this.spent) if (until + this.lockMs <= now) this.spent.delete(token)
  }

  // --- the audit trail ---

  private async record(e: { action: string; who: Principal; target: string; oldValue?: SampleValue; newValue?: SampleValue; result: string; detail?: string }): Promise<void> {
    if (!this.d.audit) throw new AppError('audit.unavailable', 'this host keeps no audit trail: no command is sent without its record')
    const entry: AuditEntryInput = { action: e.action, user: e.who.user, from: e.who.from, target: e.target, result: e.result }
    if (e.oldValue !== undefined) entry.oldValue = e.oldValue
    if (e.newValue !== undefined) entry.newValue = e.newValue
    if (e.detail !== undefined) entry.detail = e.detail
    try {
      await this.d.audit.append(entry)
    } catch (err) {
      if (isAppError(err) && (err.code === 'audit.write_failed' || err.code === 'audit.unavailable')) throw err
      throw new AppError('audit.write_failed', `the audit entry could not be written: ${(err as Error).message}`)
    }
  }

  /** Audits a refusal (best effort: the refusal stands either way) and answers it, to be thrown. */
  private async refuse(who: Principal, action: string, target: string, e: AppError, oldValue?: SampleValue, newValue?: SampleValue): Promise<AppError> {
    if (!isAppError(e)) e = new AppError('rpc.internal', String((e as Error)?.message ?? e))
    try {
      await this.record({ action, who, target, ...(oldValue !== undefined ? { oldValue } : {}), ...(newValue !== undefined ? { newValue } : {}), result: e.code as ErrorCode, detail: e.message })
    } catch (err) {
      this.d.log.warn({ action, target, code: e.code, err: (err as Error).message }, 'command refusal not audited')
    }
    return e
  }
}

const lockKey = (assetId: string, attribute: string) => `${assetId}/${attribute}`
const round = (x: number) => Math.round(x * 1e6) / 1e6
const unitText = (def: CommandDef, at: AssetAttribute) => {
  const u = def.unit ?? at.unit
  return u ? ` ${u}` : ''
}
const exprOf = (v: unknown): ExprValue | undefined => (typeof v === 'number' || typeof v === 'boolean' ? v : undefined)
