import { spawn } from 'node:child_process'
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

  const t = openEngine(path)
  expect(t.engine.stats().durableSeq).toBeGreaterThanOrEqual(acked.seq)
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
})
