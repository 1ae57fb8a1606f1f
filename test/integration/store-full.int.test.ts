import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { openSqliteSampleStore } from '../../src/adapters/sqlite/create-sqlite-sample-store'
import type { WorkerSampleStore } from '../../src/adapters/sqlite/store-client'
import type { StoreEvent } from '../../src/core/ports/sample-store'
import type { Sample } from '../../src/shared/model'

// A full disk is a state of the store, not a crash (issue 10, section 4). `PRAGMA max_page_count` stands in for
// the full disk: SQLite answers both with SQLITE_FULL.

const dir = mkdtempSync(join(tmpdir(), 'plantdeck-store-full-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const T0 = Date.UTC(2026, 0, 1)
const samples = (from: number, n: number): Sample[] =>
  Array.from({ length: n }, (_, i) => ({ signal: 'a', ts: T0 + (from + i) * 1000, value: from + i, quality: 'good' as const }))

it('rejects appends with store.disk_full while full, keeps answering reads, and writes again once room returns', async () => {
  const store = (await openSqliteSampleStore({ path: join(dir, 'full.db') })) as WorkerSampleStore
  const events: StoreEvent[] = []
  store.onEvent((e) => events.push(e))
  await store.registerSignals([{ id: 'a', name: 'A', dataType: 'number', connection: 'c' }])
  await store.append(samples(0, 100))
  expect((await store.stats()).state).toBe('ok')

  // no page more than the file has now: the next append that needs one fails
  await store.setMaxPageCount(1)
  const full = await store.append(samples(100, 50_000)).then(
    () => null,
    (e: Error & { code?: string }) => e,
  )
  expect(full?.code).toBe('store.disk_full')
  expect(full?.message).toContain('store.disk_full')
  const stats = await store.stats()
  expect(stats.state).toBe('full')
  expect(stats.counters.accepted).toBe(100) // nothing of the failed batch was counted as stored
  expect(events.filter((e) => e.type === 'state')).toEqual([{ type: 'state', state: 'full', message: expect.stringContaining('full') }])
  // a second failure is no new state
  await expect(store.append(samples(100, 50_000))).rejects.toMatchObject({ code: 'store.disk_full' })

  // reads keep answering, with what was stored
  expect(await store.count('a', T0, T0 + 1e9)).toBe(100)
  expect((await store.queryRaw('a', T0, T0 + 1e9)).t.length).toBe(100)
  const [buckets] = await store.queryBuckets({ signals: ['a'], from: T0, to: T0 + 99_000, points: 10 })
  expect(buckets?.count.reduce((a, b) => a + b, 0)).toBe(100)
  expect((await store.latest(['a']))[0]?.value).toBe(99)

  // room again: the next append commits, no restart
  await store.setMaxPageCount(1_000_000)
  const receipt = await store.append(samples(100, 50_000))
  expect(receipt.accepted).toBe(50_000)
  expect((await store.stats()).state).toBe('ok')
  expect(events.filter((e) => e.type === 'state').map((e) => e.type === 'state' && e.state)).toEqual(['full', 'ok'])
  expect(await store.count('a', T0, T0 + 1e9)).toBe(50_100)
  await store.close()
})
