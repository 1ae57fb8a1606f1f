import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSqliteSampleStore } from '../../src/adapters/sqlite/create-sqlite-sample-store'
import { CRASH_SIGNALS } from '../fixtures/sync/sync-child'
import { T0, tempDir } from '../fixtures/sync/pipeline'
import { Victoria, haveVictoria, strictlyAscending } from '../fixtures/sync/victoria'

const files = tempDir('sync-crash')
afterAll(files.cleanup)
const child = fileURLToPath(new URL('../fixtures/sync/sync-child.ts', import.meta.url))

/** Runs the child; `stopWhen` sees each line and says when to kill it with SIGKILL. Resolves with every line. */
function run(args: string[], stopWhen: (line: string, lines: string[]) => boolean = () => false): Promise<string[]> {
  const p = spawn(process.execPath, ['--import', 'tsx', child, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  const lines: string[] = []
  return new Promise((resolve, reject) => {
    p.on('error', reject)
    p.on('exit', (code, signal) => (signal === 'SIGKILL' || code === 0 ? resolve(lines) : reject(new Error(`child exited: ${code ?? signal}`))))
    createInterface({ input: p.stdout }).on('line', (line) => {
      lines.push(line)
      if (stopWhen(line, lines)) p.kill('SIGKILL')
    })
  })
}

describe.skipIf(!haveVictoria)('kill -9 of the workstation during a drain', () => {
  let vm: Victoria
  beforeAll(async () => {
    vm = await Victoria.start()
  })
  afterAll(async () => {
    await vm.close()
  })

  it('loses nothing: after a restart every stored sample reaches VictoriaMetrics, once, in order', async () => {
    const db = files.path('crash.db')
    // 1. offline: a backlog builds up (no sink running)
    await run(['ingest', db, vm.url], (line) => line.startsWith('ack 300 '))
    // 2. the sink drains the backlog at its rate while collection goes on; killed in the middle of it
    let firstCursor = -1
    const lines = await run(['drain-ingest', db, vm.url], (line) => {
      if (!line.startsWith('cursor ')) return false
      const seq = Number(line.split(' ')[1])
      if (firstCursor < 0 && seq > 0) firstCursor = seq
      return firstCursor > 0 && seq > firstCursor + 20
    })
    const killedAt = Number(lines.filter((l) => l.startsWith('cursor ')).at(-1)?.split(' ')[1])
    const acked = lines.filter((l) => l.startsWith('ack ')).length
    expect(acked).toBeGreaterThan(0) // collection went on during the drain
    // 3. restart: the drain resumes from the stored cursor
    const drained = await run(['drain', db, vm.url])
    const last = Number(drained.find((l) => l.startsWith('drained '))?.split(' ')[1])
    expect(last).toBeGreaterThan(killedAt)

    const store = await openSqliteSampleStore({ path: db })
    const got = await vm.timestampsBySignal('{__name__="plantdeck_number_value",signal=~"crash/.*"}')
    for (const id of CRASH_SIGNALS) {
      const stored = await store.queryRaw(id, 0, Date.now(), 1e7)
      expect(stored.t.length, id).toBe(last) // one sample per step, one step per batch
      expect(got.get(id), id).toEqual(stored.t)
      expect(strictlyAscending(got.get(id) ?? []), id).toBe(true)
      expect(stored.t[0]).toBe(T0)
    }
    await store.close()
  })
})
