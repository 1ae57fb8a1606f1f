import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLogger, type HostLogger } from '../../src/app/logger'

// A full log destination must never stop or kill the process (issue 10, section 4): lines are dropped and
// counted, the event loop keeps turning, stdout keeps working, and the file is written again once it can be.

const LINE = 'x'.repeat(160)
const cleanups: (() => void)[] = []
afterEach(() => {
  // each runs even if one before it throws, so no tmpfs stays mounted
  for (const c of cleanups.splice(0).reverse()) {
    try {
      c()
    } catch {
      /* next */
    }
  }
})

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'pd-log-'))
  cleanups.push(() => rmSync(d, { recursive: true, force: true }))
  return d
}

/** Logs `rounds` × `perRound` lines, letting timers run between rounds; returns how many timer turns ran. */
async function logMany(logger: HostLogger, rounds: number, perRound: number): Promise<{ immediates: number; timers: number }> {
  let immediates = 0
  let running = true
  const spin = () => {
    immediates++
    if (running) setImmediate(spin)
  }
  setImmediate(spin)
  let timers = 0
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < perRound; i++) logger.info({ r, i }, LINE)
    // a blocked event loop never fires this timer: the test would hang (and time out) here
    await new Promise((resolve) => setTimeout(resolve, 0))
    timers++
  }
  await new Promise((resolve) => setTimeout(resolve, 5))
  running = false
  return { immediates, timers }
}

function captureStdout(): { write(s: string): boolean; lines: string[] } {
  const lines: string[] = []
  return { lines, write: (s: string) => (lines.push(s), true) }
}

function errorsDuring(): { errors: unknown[] } {
  const errors: unknown[] = []
  const on = (e: unknown) => errors.push(e)
  process.on('uncaughtException', on)
  cleanups.push(() => process.off('uncaughtException', on))
  return { errors }
}

describe('logger on a full destination', () => {
  it('/dev/full: lines are dropped and counted, the loop turns, stdout works', async () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'logs'))
    symlinkSync('/dev/full', join(dir, 'logs', 'plantdeck.log'))
    const { errors } = errorsDuring()
    const out = captureStdout()
    const logger = createLogger(dir, 'info', { stdout: out, retryMs: 20 })
    cleanups.push(() => void logger.closeLog?.())

    const turns = await logMany(logger, 20, 250)
    expect(turns.timers).toBe(20)
    expect(turns.immediates).toBeGreaterThan(20)
    await new Promise((resolve) => setTimeout(resolve, 50)) // let a failing write report, as it would on main
    expect(errors).toEqual([])
    expect(out.lines.length).toBe(5000)
    await vi.waitFor(() => expect(logger.logHealth().dropped).toBe(5000))
    const h = logger.logHealth()
    expect(h).toMatchObject({ written: 0, failing: true, lastError: 'ENOSPC' })
    expect(h.failures).toBeGreaterThan(0)
    expect(out.lines.length).toBe(5000)
    expect(errors).toEqual([])
  })

  it('a full tmpfs: dropped while full, written again once space returns', async (ctx) => {
    const dir = tempDir()
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { stdio: 'ignore' })
    } catch {
      ctx.skip() // mounting needs root (or CAP_SYS_ADMIN); /dev/full above covers the failing destination
    }
    cleanups.push(() => execFileSync('umount', ['-l', dir]))
    const { errors } = errorsDuring()
    const out = captureStdout()
    // a queue smaller than the file system, so that the backlog does not fill it again once space returns
    const logger = createLogger(dir, 'info', { stdout: out, retryMs: 20, maxQueueBytes: 64 * 1024 })
    cleanups.push(() => void logger.closeLog?.())
    // fill the file system, leaving it no room
    const filler = join(dir, 'filler')
    try {
      writeFileSync(filler, Buffer.alloc(512 * 1024))
    } catch {
      // ENOSPC once it is full: what we want
    }

    const turns = await logMany(logger, 20, 250)
    expect(turns.timers).toBe(20)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(errors).toEqual([])
    expect(out.lines.length).toBe(5000)
    await vi.waitFor(() => expect(logger.logHealth()).toMatchObject({ failing: true, lastError: 'ENOSPC' }))
    const full = logger.logHealth()
    expect(full.dropped).toBeGreaterThan(0)
    expect(full.written + full.dropped).toBeLessThanOrEqual(5000)
    expect(out.lines.length).toBe(5000)

    unlinkSync(filler)
    logger.info('space is back')
    await vi.waitFor(() => expect(logger.logHealth().failing).toBe(false))
    await vi.waitFor(() => expect(readFileSync(join(dir, 'logs', 'plantdeck.log'), 'utf8').includes('space is back')).toBe(true))
    const after = logger.logHealth()
    expect(after.written).toBeGreaterThan(full.written)
    // every line the logger took is accounted for in the file: written or dropped. stdout keeps every line, so it is
    // the count of lines taken: 5,001 of the test's, plus any node-opcua emits meanwhile (its deferred W27 notice
    // about Node's RSA padding arrives at no fixed time, and its warnings go to this logger)
    expect(out.lines.length).toBeGreaterThanOrEqual(5001)
    expect(after.written + after.dropped).toBe(out.lines.length)
    expect(errors).toEqual([])
  })
})
