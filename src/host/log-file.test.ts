import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { LogFile } from './log-file'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

it('rotates by size: plantdeck.log, .1 … .N, the total bounded, every line whole', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pd-logfile-'))
  dirs.push(dir)
  const path = join(dir, 'plantdeck.log')
  const file = new LogFile({ path, maxBytes: 8192, files: 3 })
  const line = (i: number) => `${JSON.stringify({ i, msg: 'y'.repeat(80) })}\n`
  for (let i = 0; i < 2000; i++) {
    file.write(line(i))
    if (i % 100 === 99) await file.flushed() // several writes, so several rotations
  }
  await file.close()

  expect(readdirSync(dir).sort()).toEqual(['plantdeck.log', 'plantdeck.log.1', 'plantdeck.log.2', 'plantdeck.log.3'])
  const names = ['plantdeck.log.3', 'plantdeck.log.2', 'plantdeck.log.1', 'plantdeck.log']
  for (const n of names) expect(statSync(join(dir, n)).size).toBeLessThanOrEqual(8192)
  const h = file.health()
  expect(h).toMatchObject({ written: 2000, dropped: 0, failing: false })
  expect(h.rotations).toBeGreaterThan(3)
  // oldest to newest, the kept lines are the last ones written, in order and whole
  const kept = names.flatMap((n) => readFileSync(join(dir, n), 'utf8').split('\n').filter(Boolean)).map((l) => JSON.parse(l).i as number)
  expect(kept.at(-1)).toBe(1999)
  expect(kept).toEqual(kept.map((_, k) => kept[0]! + k))
  expect(existsSync(`${path}.4`)).toBe(false)
})

it('drops and counts lines beyond its queue bound instead of holding them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pd-logfile-'))
  dirs.push(dir)
  const file = new LogFile({ path: join(dir, 'plantdeck.log'), maxQueueBytes: 1000 })
  for (let i = 0; i < 100; i++) file.write(`${'z'.repeat(99)}\n`)
  await file.close()
  const h = file.health()
  expect(h.dropped).toBeGreaterThan(0)
  expect(h.written + h.dropped).toBe(100)
})

it('a rotation the file system refuses keeps the lines: they go on into the current file, the failure counted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pd-logfile-'))
  dirs.push(dir)
  const path = join(dir, 'plantdeck.log')
  // a non-empty folder where the rotated file should go: rename() refuses (even for root)
  mkdirSync(`${path}.1`)
  writeFileSync(join(`${path}.1`, 'keep'), 'x')
  const file = new LogFile({ path, maxBytes: 4096, files: 1 })
  for (let i = 0; i < 500; i++) {
    file.write(`${'r'.repeat(99)}\n`)
    if (i % 50 === 49) await file.flushed()
  }
  await file.close()
  const h = file.health()
  expect(h).toMatchObject({ written: 500, dropped: 0, rotations: 0 })
  expect(h.failures).toBeGreaterThan(0)
  expect(h.lastError).toMatch(/^E[A-Z]+$/)
  expect(readFileSync(path, 'utf8').split('\n').filter(Boolean).length).toBe(500)
})
