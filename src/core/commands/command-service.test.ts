import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { Asset } from '../../shared/contract/asset-model'
import type { ConnectionHealth, SampleValue } from '../../shared/model'
import type { AppError } from '../../shared/model/errors'
import type { Principal } from '../../shared/model/principal'
import type { AssetStore } from '../ports/asset-store'
import type { Collector } from '../ports/collector'
import type { CommandKinds, CommandSend, CommandSent } from '../ports/driver'
import { silentLogger } from '../ports/logger'
import { LiveValues } from '../signals/live-values'
import { testPrincipal } from '../testing/call-context'
import { FakeCollector } from '../testing/fake-collector'
import { FakeCredentials, MemoryAuditTrail } from '../testing/memory-audit'
import { CommandService } from './command-service'

/** A driver of kind `fake`: writes setpoint/state, has its own `pulse` kind, answers what the test tells it. */
class FakeDriver implements CommandKinds {
  readonly kinds = { pulse: z.object({ channel: z.number().int() }).strict() as unknown as z.ZodType<Record<string, unknown>> }
  readonly writes = true
  readonly sent: { req: CommandSend; auditedBefore: number }[] = []
  device: SampleValue = 40
  answer: (req: CommandSend) => Promise<CommandSent> = async (req) => ({ outcome: 'success', status: 'Good', readBack: req.value })
  constructor(private readonly audit: MemoryAuditTrail) {}
  async read(): Promise<SampleValue> {
    return this.device
  }
  async send(req: CommandSend): Promise<CommandSent> {
    this.sent.push({ req, auditedBefore: this.audit.list.length })
    return this.answer(req)
  }
}

const PUMP: Asset = {
  id: 'p1',
  name: 'P-101',
  description: '',
  kind: 'pump',
  templateId: null,
  parent: 'l1',
  references: [],
  path: 'Plant/Line 1/P-101',
  attributes: [
    {
      name: 'SpeedSetpoint', dataType: 'number', unit: '%', range: { min: 0, max: 100 }, decimals: 1, binding: { kind: 'fake', connection: 'plc', node: 'sp' },
      commands: [{ id: 'sp', label: 'Speed setpoint', kind: 'setpoint', maxStep: 20 }],
    },
    {
      name: 'Running', dataType: 'boolean', enumeration: { '0': 'Stopped', '1': 'Running' }, binding: { kind: 'fake', connection: 'plc', node: 'run' },
      commands: [
        { id: 'run', label: 'Run / stop', kind: 'state', interlocks: [{ when: 'Suction == 1', message: 'the pump may start only if its suction valve is open' }] },
        { id: 'start', label: 'Start', kind: 'pulse', target: { channel: 1 }, critical: true },
        { id: 'tune', label: 'Tune', kind: 'pulse', target: { channel: 2 }, role: 'engineer' },
      ],
    },
    { name: 'Suction', dataType: 'number', binding: { kind: 'fake', connection: 'plc', node: 'suction' } },
  ],
}

function setup(o: { assets?: Asset[] } = {}) {
  let now = 1_000_000
  const clock = { now: () => now }
  const audit = new MemoryAuditTrail({ now: () => clock.now() })
  const driver = new FakeDriver(audit)
  const live = new LiveValues()
  const health = new Map<string, ConnectionHealth>([['plc', 'connected']])
  const collector: Collector = new FakeCollector('plc')
  const assets = new Map((o.assets ?? [PUMP]).map((a) => [a.id, a]))
  const credentials = new FakeCredentials({ bob: { password: 'bob-secret', role: 'operator' }, vic: { password: 'vic-secret', role: 'viewer' }, far: { password: 'far-secret', role: 'operator', scopes: ['Plant/Line 2'] } })
  let n = 0
  const svc = new CommandService({
    store: { get: (id: string) => assets.get(id) } as unknown as AssetStore,
    drivers: new Map([['fake', driver]]),
    connections: () => [{ id: 'plc', kind: 'fake' }],
    health: (id) => health.get(id),
    collectors: [collector],
    signalFor: (_asset, at) => `plc/${String(at.binding?.['node'])}`,
    live,
    audit,
    credentials,
    clock,
    log: silentLogger,
    newToken: () => `tok-${++n}`,
  })
  const sample = (node: string, value: SampleValue, quality: 'good' | 'bad' = 'good') => live.ingest([{ signal: `plc/${node}`, ts: now, value, quality }])
  sample('suction', 1)
  return { svc, audit, driver, live, health, sample, advance: (ms: number) => (now += ms) }
}

const alice = testPrincipal('operator', 'alice')
const carol = testPrincipal('operator', 'carol')
const rejection = async (p: Promise<unknown>): Promise<AppError> => {
  try {
    await p
  } catch (e) {
    return e as AppError
  }
  throw new Error('expected a refusal')
}
const sp = { asset: 'p1', attribute: 'SpeedSetpoint', command: 'sp' }

describe('commands.list', () => {
  it('lists every command with enabled or disabled and the reason for this principal', async () => {
    const s = setup()
    const byId = (p: Principal) => Object.fromEntries(s.svc.list('p1', p).items.map((c) => [c.id, c]))
    const a = byId(alice)
    expect(a['sp']).toMatchObject({ enabled: true, input: 'number', limits: { lo: 0, hi: 100 }, maxStep: 20, unit: '%', decimals: 1, critical: false })
    expect(a['run']).toMatchObject({ enabled: true, input: 'state', states: [{ key: '0', label: 'Stopped' }, { key: '1', label: 'Running' }], labels: { '0': 'Stopped', '1': 'Running' } })
    expect(a['start']).toMatchObject({ enabled: true, critical: true, input: 'none' })
    expect(a['tune']).toMatchObject({ enabled: false, blocked: 'role', reason: expect.stringMatching(/needs the engineer role/) })
    expect(byId(testPrincipal('viewer', 'kiosk'))['sp']).toMatchObject({ enabled: false, blocked: 'role' })
    expect(byId(testPrincipal('operator', 'lin2', ['Plant/Line 2']))['sp']).toMatchObject({ enabled: false, blocked: 'scope' })
    s.sample('suction', 0)
    expect(byId(alice)['run']).toMatchObject({ enabled: false, blocked: 'interlock', reason: 'the pump may start only if its suction valve is open' })
    await s.svc.select(sp, carol)
    expect(byId(alice)['sp']).toMatchObject({ enabled: false, blocked: 'locked', reason: expect.stringMatching(/^selected by carol/) })
    expect(byId(carol)['sp']).toMatchObject({ enabled: true })
    s.health.set('plc', 'error')
    expect(byId(alice)['sp']).toMatchObject({ enabled: false, blocked: 'not_connected' })
  })
})

describe('select, operate, verify', () => {
  it('selects (lock, current value read from the device, audited), operates once with the entry written before sending', async () => {
    const s = setup()
    const sel = await s.svc.select(sp, alice)
    expect(sel).toMatchObject({ token: 'tok-1', expiresAt: 1_030_000, asset: { id: 'p1', path: 'Plant/Line 1/P-101' }, attribute: 'SpeedSetpoint', current: 40, user: 'alice', command: { limits: { lo: 0, hi: 100 } } })
    expect(s.audit.of('command.select')).toEqual([expect.objectContaining({ user: 'alice', target: 'Plant/Line 1/P-101/SpeedSetpoint sp', oldValue: 40, result: 'ok' })])
    const r = await s.svc.operate({ token: sel.token, ...sp, value: 55 }, alice)
    expect(r).toEqual({ outcome: 'success', status: 'Good', readBack: 55, value: 55, previous: 40, audited: true })
    expect(s.driver.sent).toHaveLength(1)
    expect(s.driver.sent[0]!.req).toMatchObject({ kind: 'setpoint', value: 55, binding: { node: 'sp' } })
    // select, operate were recorded before the driver was called; the outcome after
    expect(s.driver.sent[0]!.auditedBefore).toBe(2)
    expect(s.audit.list.map((x) => [x.action, x.result])).toEqual([['command.select', 'ok'], ['command.operate', 'ok'], ['command.outcome', 'success']])
    expect(s.audit.of('command.operate')[0]).toMatchObject({ oldValue: 40, newValue: 55 })
    // single use: a replay is refused and nothing more is sent
    const again = await rejection(s.svc.operate({ token: sel.token, ...sp, value: 56 }, alice))
    expect(again).toMatchObject({ code: 'command.bad_select', message: expect.stringMatching(/already used/) })
    expect(s.driver.sent).toHaveLength(1)
    expect(s.audit.list.at(-1)).toMatchObject({ action: 'command.operate', result: 'command.bad_select', newValue: 56 })
  })

  it('locks the target: a second operator selecting it is refused command.locked until the lock expires or is cancelled', async () => {
    const s = setup()
    const sel = await s.svc.select(sp, alice)
    expect(await rejection(s.svc.select(sp, carol))).toMatchObject({ code: 'command.locked', details: { user: 'alice' } })
    expect(s.audit.list.at(-1)).toMatchObject({ action: 'command.select', user: 'carol', result: 'command.locked' })
    // the same attribute's other commands are the same target
    expect((await rejection(s.svc.select({ asset: 'p1', attribute: 'SpeedSetpoint', command: 'sp' }, carol))).code).toBe('command.locked')
    expect(await s.svc.cancel(sel.token, carol)).toEqual({ cancelled: false }) // not carol's to cancel
    expect(await s.svc.cancel(sel.token, alice)).toEqual({ cancelled: true })
    const hers = await s.svc.select(sp, carol)
    s.advance(30_001)
    expect((await s.svc.select(sp, alice)).user).toBe('alice') // carol's lock expired
    expect(await rejection(s.svc.operate({ token: hers.token, ...sp, value: 45 }, carol))).toMatchObject({ code: 'command.bad_select' })
    expect(s.driver.sent).toHaveLength(0)
  })

  it('refuses an expired token (fake clock), another user\'s token and another target\'s token, sending nothing', async () => {
    const s = setup()
    const sel = await s.svc.select(sp, alice)
    expect(await rejection(s.svc.operate({ token: sel.token, ...sp, value: 45 }, carol))).toMatchObject({ code: 'command.bad_select', message: expect.stringMatching(/alice's, not carol's/) })
    expect(await rejection(s.svc.operate({ token: sel.token, asset: 'p1', attribute: 'Running', command: 'run', value: 1 }, alice))).toMatchObject({ code: 'command.bad_select', message: expect.stringMatching(/another target/) })
    s.advance(29_999)
    const late = await s.svc.select({ asset: 'p1', attribute: 'Running', command: 'run' }, alice)
    s.advance(2)
    expect(await rejection(s.svc.operate({ token: sel.token, ...sp, value: 45 }, alice))).toMatchObject({ code: 'command.bad_select', message: expect.stringMatching(/expired/) })
    expect(await rejection(s.svc.operate({ token: 'forged', ...sp, value: 45 }, alice))).toMatchObject({ code: 'command.bad_select', message: expect.stringMatching(/unknown or expired/) })
    expect(s.driver.sent).toHaveLength(0)
    // the other selection is still good
    expect((await s.svc.operate({ token: late.token, asset: 'p1', attribute: 'Running', command: 'run', value: 'Running' }, alice)).outcome).toBe('success')
    expect(s.driver.sent[0]!.req.value).toBe(true) // the label "Running" → the enumeration key "1" → true for a boolean
    expect(s.audit.list.filter((r) => r.result === 'command.bad_select')).toHaveLength(4)
  })

  it('checks the value: type, engineering range, maximum step from the current value; the selection survives a bad value', async () => {
    const s = setup()
    const sel = await s.svc.select(sp, alice)
    const op = (value: SampleValue) => s.svc.operate({ token: sel.token, ...sp, value }, alice)
    expect(await rejection(op('fast'))).toMatchObject({ code: 'command.bad_value' })
    expect(await rejection(op(101))).toMatchObject({ code: 'command.out_of_range', message: '101 is outside 0..100 %' })
    expect(await rejection(op(-1))).toMatchObject({ code: 'command.out_of_range' })
    expect(await rejection(op(61))).toMatchObject({ code: 'command.step_too_large', message: 'a step of 21 from 40 to 61 is larger than 20 %' })
    expect(s.driver.sent).toHaveLength(0)
    expect(s.audit.list.slice(1).map((r) => r.result)).toEqual(['command.bad_value', 'command.out_of_range', 'command.out_of_range', 'command.step_too_large'])
    expect((await op(60)).outcome).toBe('success')
    // a state outside the enumeration
    const run = await s.svc.select({ asset: 'p1', attribute: 'Running', command: 'run' }, alice)
    expect(await rejection(s.svc.operate({ token: run.token, asset: 'p1', attribute: 'Running', command: 'run', value: 'Sideways' }, alice))).toMatchObject({ code: 'command.bad_value', message: expect.stringMatching(/0=Stopped, 1=Running/) })
    const start = await s.svc.select({ asset: 'p1', attribute: 'Running', command: 'start' }, alice)
    expect(await rejection(s.svc.operate({ token: start.token, asset: 'p1', attribute: 'Running', command: 'start', value: 3 }, alice))).toMatchObject({ code: 'command.bad_value' })
  })

  it('refuses when an interlock does not hold or cannot be checked, and when the connection is down; never queued', async () => {
    const s = setup()
    const run = { asset: 'p1', attribute: 'Running', command: 'run' }
    s.sample('suction', 0)
    let sel = await s.svc.select(run, alice)
    expect(await rejection(s.svc.operate({ token: sel.token, ...run, value: '1' }, alice))).toMatchObject({ code: 'command.interlocked', message: 'the pump may start only if its suction valve is open' })
    s.sample('suction', 1, 'bad')
    sel = await s.svc.select(run, alice)
    expect(await rejection(s.svc.operate({ token: sel.token, ...run, value: '1' }, alice))).toMatchObject({ code: 'command.interlocked', message: expect.stringMatching(/cannot be checked: no good value for Suction/) })
    s.sample('suction', 1)
    sel = await s.svc.select(run, alice)
    s.health.set('plc', 'connecting')
    expect(await rejection(s.svc.operate({ token: sel.token, ...run, value: '1' }, alice))).toMatchObject({ code: 'command.not_connected' })
    expect(await rejection(s.svc.select(run, alice))).toMatchObject({ code: 'command.not_connected' })
    s.health.set('plc', 'connected')
    expect(s.driver.sent).toHaveLength(0) // nothing was kept to be sent later
    expect(s.audit.list.map((r) => r.result).filter((r) => r !== 'ok')).toEqual(['command.interlocked', 'command.interlocked', 'command.not_connected', 'command.not_connected'])
  })

  it('refuses a role or subtree the principal lacks with auth.forbidden, audited', async () => {
    const s = setup()
    expect(await rejection(s.svc.select({ asset: 'p1', attribute: 'Running', command: 'tune' }, alice))).toMatchObject({ code: 'auth.forbidden', message: expect.stringMatching(/needs the engineer role/) })
    const lin2 = testPrincipal('operator', 'lin2', ['Plant/Line 2'])
    expect(await rejection(s.svc.select(sp, lin2))).toMatchObject({ code: 'auth.forbidden', message: expect.stringMatching(/outside lin2's areas/) })
    expect(s.audit.list.map((r) => [r.user, r.result])).toEqual([['alice', 'auth.forbidden'], ['lin2', 'auth.forbidden']])
    expect((await s.svc.select({ asset: 'p1', attribute: 'Running', command: 'tune' }, testPrincipal('engineer', 'eve'))).user).toBe('eve')
    expect(await rejection(s.svc.select({ asset: 'p1', attribute: 'Nope', command: 'x' }, alice))).toMatchObject({ code: 'command.unknown' })
  })

  it('two-person rule: a critical command needs another user with the role, checked by their credentials', async () => {
    const s = setup()
    const start = { asset: 'p1', attribute: 'Running', command: 'start' }
    const sel = await s.svc.select(start, alice)
    expect(sel.command.critical).toBe(true)
    const op = (approval?: { user: string; password: string }) => s.svc.operate({ token: sel.token, ...start, ...(approval ? { approval } : {}) }, alice)
    expect(await rejection(op())).toMatchObject({ code: 'command.needs_approval' })
    expect(await rejection(op({ user: 'alice', password: 'x' }))).toMatchObject({ code: 'command.bad_approval', message: expect.stringMatching(/another user/) })
    // a failed approval spends the selection: the next try selects again
    expect(await rejection(op({ user: 'bob', password: 'bob-secret' }))).toMatchObject({ code: 'command.bad_select' })
    const tryWith = async (user: string, password: string) => {
      const again = await s.svc.select(start, alice)
      return s.svc.operate({ token: again.token, ...start, approval: { user, password } }, alice)
    }
    expect(await rejection(tryWith('bob', 'wrong'))).toMatchObject({ code: 'command.bad_approval', message: expect.stringMatching(/auth.bad_credentials/) })
    expect(await rejection(tryWith('vic', 'vic-secret'))).toMatchObject({ code: 'command.bad_approval', message: 'vic does not have the operator role' })
    expect(await rejection(tryWith('far', 'far-secret'))).toMatchObject({ code: 'command.bad_approval', message: expect.stringMatching(/outside far's areas/) })
    expect(s.driver.sent).toHaveLength(0)
    const ok = await tryWith('bob', 'bob-secret')
    expect(ok).toMatchObject({ outcome: 'success', approvedBy: 'bob', value: null })
    expect(s.driver.sent[0]!.req).toMatchObject({ kind: 'pulse', target: { channel: 1 } })
    expect(s.audit.of('command.operate').at(-1)).toMatchObject({ result: 'ok', detail: 'Start; approved by bob' })
  })

  it('fails closed: when the audit entry cannot be written nothing is selected or sent (audit.write_failed)', async () => {
    const s = setup()
    s.audit.failing = true
    expect(await rejection(s.svc.select(sp, alice))).toMatchObject({ code: 'audit.write_failed' })
    s.audit.failing = false
    expect(s.svc.list('p1', carol).items.find((c) => c.id === 'sp')).toMatchObject({ enabled: true }) // no lock was taken
    const sel = await s.svc.select(sp, alice)
    s.audit.failing = true
    expect(await rejection(s.svc.operate({ token: sel.token, ...sp, value: 50 }, alice))).toMatchObject({ code: 'audit.write_failed' })
    expect(s.driver.sent).toHaveLength(0)
    // without an audit trail at all: no command either
    const bare = new CommandService({ ...(s.svc as unknown as { d: ConstructorParameters<typeof CommandService>[0] }).d, audit: undefined })
    expect(await rejection(bare.select(sp, alice))).toMatchObject({ code: 'audit.unavailable' })
  })

  it('answers every driver outcome as it is, never "probably fine"', async () => {
    const s = setup()
    const go = async () => s.svc.operate({ token: (await s.svc.select(sp, alice)).token, ...sp, value: 50 }, alice)
    s.driver.answer = async () => ({ outcome: 'rejected', status: 'BadOutOfRange' })
    expect(await go()).toMatchObject({ outcome: 'rejected', status: 'BadOutOfRange' })
    s.driver.answer = async () => ({ outcome: 'mismatch', status: 'read back 49.5', readBack: 49.5 })
    expect(await go()).toMatchObject({ outcome: 'mismatch', readBack: 49.5 })
    s.driver.answer = async () => ({ outcome: 'timeout', status: 'no answer' })
    expect(await go()).toMatchObject({ outcome: 'timeout' })
    s.driver.answer = async () => {
      throw Object.assign(new Error('the value is out of range for Byte'), { code: 'opcua.bad_value' })
    }
    expect(await go()).toMatchObject({ outcome: 'rejected' })
    expect(s.audit.of('command.outcome').map((r) => r.result)).toEqual(['rejected', 'mismatch', 'timeout', 'rejected'])
    // the outcome entry failing does not hide the outcome: it says so
    s.driver.answer = async (req) => ({ outcome: 'success', status: 'Good', readBack: req.value })
    const sel = await s.svc.select(sp, alice)
    const appendOnce = s.audit.append.bind(s.audit)
    let calls = 0
    s.audit.append = async (e) => (++calls === 2 ? Promise.reject(new Error('disk full')) : appendOnce(e))
    expect(await s.svc.operate({ token: sel.token, ...sp, value: 50 }, alice)).toMatchObject({ outcome: 'success', audited: false })
  })

  it('verify by report: awaitValue sees the samples from before the send on, matches within the decimals, else mismatch or timeout', async () => {
    const s = setup()
    let fire: () => void = () => {}
    const svc = new CommandService({
      ...(s.svc as unknown as { d: ConstructorParameters<typeof CommandService>[0] }).d,
      sleep: () => new Promise<void>((r) => (fire = r)),
    })
    const results: unknown[] = []
    s.driver.answer = async (req) => {
      s.sample('sp', 50.04) // reported while the driver was still sending
      const seen = await req.awaitValue(req.value, req.timeoutMs)
      results.push(seen)
      return { outcome: seen.matched ? 'success' : seen.seen ? 'mismatch' : 'timeout', status: 'reported' }
    }
    expect((await svc.operate({ token: (await svc.select(sp, alice)).token, ...sp, value: 50 }, alice)).outcome).toBe('success')
    s.driver.answer = async (req) => {
      s.sample('sp', 50.2)
      const p = req.awaitValue(req.value, req.timeoutMs)
      fire()
      return { outcome: (await p).seen ? 'mismatch' : 'timeout', status: 'x' }
    }
    expect((await svc.operate({ token: (await svc.select(sp, alice)).token, ...sp, value: 50 }, alice)).outcome).toBe('mismatch')
    expect(results).toEqual([{ matched: true, last: 50.04, seen: 1 }])
  })
})
