import { spawn } from 'node:child_process'
import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { AppConfig } from '../../src/core/config/app-config'
import type { Logger } from '../../src/core/ports/logger'
import { startRuntime } from '../../src/host/runtime'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, it } from 'vitest'
import { PER_SIGNAL, SIGNALS, START, crashBatch } from '../fixtures/store/crash-writer'
import { openEngine, tempDir } from '../fixtures/store/engine'

const files = tempDir('store-crash')
afterAll(files.cleanup)
const writer = fileURLToPath(new URL('../fixtures/store/crash-writer.ts', import.meta.url))

/** Runs the writer until it has acknowledged `acks` batches, kills it with SIGKILL; returns the last ack. */
function writeThenKill(path: string, acks: number): Promise<{ batch: number; seq: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, path], { stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let last = { batch: -1, seq: 0 }
    child.on('error', reject)
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(last) : reject(new Error(`writer exited: ${code}`))))
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [word, batch, seq] = line.split(' ')
      if (word !== 'ack') return
      last = { batch: Number(batch), seq: Number(seq) }
      if (last.batch + 1 >= acks) child.kill('SIGKILL')
    })
  })
}

it('finds every acknowledged sample after the writer is killed with kill -9', async () => {
  const path = files.path('crash.db')
  const acked = await writeThenKill(path, 150)
  expect(acked.batch).toBeGreaterThanOrEqual(149)

  // what the file holds to replay: committed batches the crash left uncompacted (the kill may land just after a
  // compaction round, so this may be none)
  const peek = new Database(path, { readonly: true })
  const pending = peek
    .prepare("SELECT count(*) AS batches, coalesce(sum(n), 0) AS n FROM log WHERE seq > (SELECT value FROM meta WHERE key = 'compacted_seq')")
    .get() as { batches: number; n: number }
  peek.close()
  const t = openEngine(path)
  expect(t.engine.stats().durableSeq).toBeGreaterThanOrEqual(acked.seq)
  // the restart knows it follows a crash, and what it replayed
  expect(t.engine.recovery.unclean).toBe(true)
  expect(t.engine.recovery.batches).toBe(pending.batches)
  expect(t.engine.recovery.samples).toBeLessThanOrEqual(pending.n)
  const expected = Array.from({ length: acked.batch + 1 }, (_, k) => crashBatch(k)).flat()
  const until = START + (acked.batch + 1) * PER_SIGNAL - 1
  for (let s = 0; s < SIGNALS; s += 7) {
    const raw = t.engine.queryRaw(`crash/s${s}`, START, until, 1e6)
    const want = expected.filter((x) => x.signal === `crash/s${s}`)
    expect(raw.t).toEqual(want.map((x) => x.ts))
    expect(raw.v).toEqual(want.map((x) => x.value))
  }
  // The store is sound after the crash: compaction finishes and nothing was counted twice.
  t.engine.maintain()
  expect(t.engine.count('crash/s0', START, until)).toBe((acked.batch + 1) * PER_SIGNAL)
  expect(t.engine.stats().counters.duplicates).toBe(0)
  t.engine.close()
  // after a clean close, the next open reports no unclean stop
  const again = openEngine(path)
  expect(again.engine.recovery).toEqual({ unclean: false, batches: 0, samples: 0 })
  again.engine.close()
})

it('says in the log, on the start after a crash, that the stop was unclean and what was recovered', async () => {
  const dataDir = files.path('runtime')
  mkdirSync(join(dataDir, 'store'), { recursive: true })
  await writeThenKill(join(dataDir, 'store', 'samples.db'), 20)
  const lines: { level: string; obj: object | string; msg?: string | undefined }[] = []
  const logger: Logger = {
    debug: (obj, msg) => void lines.push({ level: 'debug', obj, msg }),
    info: (obj, msg) => void lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => void lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => void lines.push({ level: 'error', obj, msg }),
    child: () => logger,
  }
  const config = AppConfig.parse({ demo: { enabled: false } })
  const first = await startRuntime({ config, dataDir, logger, host: 'test', version: '0.0.0-test' })
  await first.stop()
  const unclean = lines.filter((l) => l.level === 'warn' && /^unclean stop detected/.test(l.msg ?? ''))
  expect(unclean).toHaveLength(1)
  expect(unclean[0]?.msg).toMatch(/\d+ batches replayed, \d+ samples recovered/)
  expect((unclean[0]?.obj as { store: { unclean: boolean } }).store.unclean).toBe(true)
  // a clean stop leaves nothing to report next time
  lines.length = 0
  const second = await startRuntime({ config, dataDir, logger, host: 'test', version: '0.0.0-test' })
  await second.stop()
  expect(lines.filter((l) => /unclean/.test(l.msg ?? ''))).toEqual([])
})

it('commits with an fsync per group commit when store.durability is power-loss (the default survives a crash of the process only)', async () => {
  const dataDir = files.path('durability')
  const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent }
  for (const durability of ['process-crash', 'power-loss'] as const) {
    const config = AppConfig.parse({ demo: { enabled: false }, store: { durability } })
    const rt = await startRuntime({ config, dataDir, logger: silent, host: 'test', version: '0.0.0-test' })
    const stats = await rt.store.stats()
    await rt.stop()
    expect(stats.durability).toBe(durability)
  }
  expect(() => AppConfig.parse({ store: { durability: 'sometimes' } })).toThrow()
})
