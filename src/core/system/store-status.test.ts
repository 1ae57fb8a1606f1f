import { expect, it } from 'vitest'
import type { Logger } from '../ports/logger'
import type { SampleStore, StoreEvent, StoreStats } from '../ports/sample-store'
import { StoreStatusTracker } from './store-status'

function fakeStore() {
  const listeners = new Set<(e: StoreEvent) => void>()
  const store = {
    onEvent: (cb: (e: StoreEvent) => void) => (listeners.add(cb), () => listeners.delete(cb)),
    stats: async () => ({ diskBytes: 4096, diskBudgetBytes: null, oldestTs: 1234 }) as StoreStats,
  } as unknown as SampleStore
  return { store, emit: (e: StoreEvent) => listeners.forEach((cb) => cb(e)) }
}

function recordingLogger() {
  const lines: { level: string; msg: string | undefined }[] = []
  const log: Logger = {
    debug: (_o, msg) => void lines.push({ level: 'debug', msg }),
    info: (_o, msg) => void lines.push({ level: 'info', msg }),
    warn: (_o, msg) => void lines.push({ level: 'warn', msg }),
    error: (_o, msg) => void lines.push({ level: 'error', msg }),
    child: () => log,
  }
  return { log, lines }
}

it('follows the store state for the screen and diagnostics, and logs each change once', async () => {
  const { store, emit } = fakeStore()
  const { log, lines } = recordingLogger()
  let now = 1000
  const changes: string[] = []
  const t = new StoreStatusTracker(store, { now: () => now }, log, (s) => changes.push(s.state))
  expect(await t.diagnostics()).toEqual({ state: 'ok', since: 1000, reason: null, diskBytes: 4096, diskBudgetBytes: null, oldestTs: 1234 })

  now = 2000
  emit({ type: 'state', state: 'full', message: 'database or disk is full' })
  emit({ type: 'error', message: 'compaction failed' }) // other events change nothing here
  expect(t.current).toEqual({ state: 'full', since: 2000, reason: 'database or disk is full' })
  now = 3000
  emit({ type: 'state', state: 'ok', message: 'an append committed' })
  expect(t.current).toEqual({ state: 'ok', since: 3000, reason: null })
  expect(changes).toEqual(['full', 'ok'])
  expect(lines.map((l) => `${l.level} ${l.msg}`)).toEqual([
    'error store full: writing paused (reads still work; retried with each append)',
    'info store writing again',
  ])
})

it('has no store section without a store, and answers without one when the store cannot be asked', async () => {
  const { log } = recordingLogger()
  expect(await new StoreStatusTracker(undefined, { now: () => 0 }, log, () => {}).diagnostics()).toBeNull()
  const dead = { onEvent: () => () => {}, stats: () => Promise.reject(new Error('store closed')) } as unknown as SampleStore
  expect(await new StoreStatusTracker(dead, { now: () => 0 }, log, () => {}).diagnostics()).toMatchObject({ state: 'ok', diskBytes: null })
})
