import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openSqliteSampleStore } from '../../src/adapters/sqlite/create-sqlite-sample-store'
import { startHeadless, type Headless } from '../helpers/headless'
import { openWs } from '../helpers/ws-client'
import { openLoggedIn } from '../helpers/login'

// Issue 10 §2: 1,000 concurrent 64×same-signal `points: 10000` queries from one session took the server down.
const SIGNAL = 'flood/level'
const SAMPLES = 30_000
const FLOOD = 1000
const HEAP_MB = 256
const MB = 1024 * 1024
const dataDir = mkdtempSync(join(tmpdir(), 'plantdeck-flood-'))
let server: Headless | undefined

afterAll(async () => {
  await server?.stop()
})

/** More raw samples than `points`, so every query takes the costliest path (raw read, then buckets). */
async function seedStore(now: number) {
  mkdirSync(join(dataDir, 'store'), { recursive: true })
  const store = await openSqliteSampleStore({ path: join(dataDir, 'store', 'samples.db') })
  await store.registerSignals([{ id: SIGNAL, name: 'level', dataType: 'number', connection: 'flood' }])
  for (let i = 0; i < SAMPLES; i += 10_000) {
    const batch = Array.from({ length: 10_000 }, (_, k) => ({ signal: SIGNAL, ts: now - (SAMPLES - i - k) * 100, value: Math.sin(i + k) * 1000 + 0.123456789, quality: 'good' as const }))
    await store.append(batch)
  }
  await store.close()
}

describe('one session flooding trends.query', () => {
  it('is answered rpc.busy over its in-flight limit; the server stays up, another session is served, the heap comes back', { timeout: 300_000 }, async () => {
    const now = Date.now()
    await seedStore(now)
    server = await startHeadless({ demo: { enabled: false }, server: { port: 0 } }, { dataDir, nodeArgs: [`--max-old-space-size=${HEAP_MB}`, '--expose-gc'] })
    const api = server.url.replace(/^http/, 'ws') + 'api'
    const other = await openLoggedIn(server.url)
    const heapBefore = (await other.client.call('system.diagnostics', { gc: true })).memory!.heapUsed

    const { ws } = await openWs(api, { Cookie: other.cookie })
    const replies = new Map<number, { ok: boolean; result?: { series: { signal: string; t: number[] }[]; points?: number }; error?: { code: string } }>()
    const allAnswered = new Promise<void>((resolve, reject) => {
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString())
        replies.set(m.id, m)
        if (replies.size === FLOOD) resolve()
      })
      ws.once('close', () => reject(new Error(`flooding session closed after ${replies.size} replies; server exit code ${server!.child.exitCode}`)))
    })
    const query = { signals: Array(64).fill(SIGNAL), from: now - SAMPLES * 100 - 1000, to: now + 1000, points: 10_000 }
    for (let id = 1; id <= FLOOD; id++) ws.send(JSON.stringify({ id, method: 'trends.query', params: query }))

    // While the flood is being worked off, the other session is answered.
    const pong = await other.client.call('system.ping', { nonce: 'still-there' })
    expect(pong.nonce).toBe('still-there')
    const { series } = await other.client.call('trends.query', { signals: [SIGNAL], from: now - 60_000, to: now + 1000, points: 100 })
    expect(series).toHaveLength(1)
    expect(series[0]!.t.length).toBeGreaterThan(0)

    await allAnswered
    expect(server.child.exitCode).toBeNull()
    const all = [...replies.values()]
    const ok = all.filter((r) => r.ok)
    const busy = all.filter((r) => !r.ok && r.error?.code === 'rpc.busy')
    expect(ok.length + busy.length).toBe(FLOOD)
    expect(ok.length).toBeGreaterThan(0)
    // At most 16 calls in progress and 32 MB of replies being built or unsent: most of the flood is busy (how many
    // exactly depends on how fast the replies are taken; the exact limit is unit-tested in in-flight.test.ts).
    expect(busy.length).toBeGreaterThan(FLOOD / 2)
    // Folded duplicates still answer in the order asked: 64 series, each the one signal with the same points,
    // `points` lowered so 64 series fit the 8 MB reply budget.
    for (const r of ok) {
      expect(r.result!.points).toBe(Math.floor((8 * MB) / (64 * 48))) // 48 bytes per point (a bucket stands for two)
      expect(r.result!.series).toHaveLength(64)
      expect(r.result!.series[0]!.t.length).toBeLessThanOrEqual(r.result!.points!)
      expect(new Set(r.result!.series.map((s) => s.signal))).toEqual(new Set([SIGNAL]))
      expect(r.result!.series[63]!.t.length).toBe(r.result!.series[0]!.t.length)
    }
    ws.close()

    const diag = await other.client.call('system.diagnostics', { gc: true })
    expect(diag.rpc.rejected['rpc.busy']).toBe(busy.length)
    expect(diag.rpc.busy).toBe(busy.length)
    expect(diag.memory!.heapUsed).toBeLessThan(heapBefore + 64 * MB)
    other.ws.close()
  })
})
