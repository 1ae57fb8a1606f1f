/// <reference lib="dom" />
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SHOTS, testid, useHeadlessPage } from '../helpers/e2e'
import { freePort, haveVictoria, Victoria } from '../fixtures/sync/victoria'

// The sync panel against the real thing: the demo plant's samples go to a REAL VictoriaMetrics (sink `vm`), and a
// second sink points at a port where nothing listens (`dead`): the panel shows one live, the other retrying with
// its error code and reason.

let vm: Victoria | undefined
let deadPort = 0
beforeAll(async () => {
  if (haveVictoria) vm = await Victoria.start()
  deadPort = await freePort()
})
const e2e = useHeadlessPage(() => ({
  sync: {
    backoff: { minMs: 200, maxMs: 1000 },
    sinks: [
      { id: 'vm', kind: 'line-protocol', endpoints: [vm?.url ?? 'http://127.0.0.1:1'], timeoutMs: 3000 },
      { id: 'dead', kind: 'line-protocol', endpoints: [`http://127.0.0.1:${deadPort}`], timeoutMs: 1000 },
    ],
  },
}))
afterAll(async () => {
  await vm?.close()
})

describe.skipIf(!haveVictoria)('the sync panel', () => {
  it('shows each sink whole: the live one delivering, the dead one retrying with its code and reason', async () => {
    const { page, server, pageErrors } = e2e
    await page.goto(server.url)
    await page.locator(testid('sync-panel-toggle')).click()
    const live = page.locator(testid('sync-row-vm'))
    await page.waitForFunction((sel) => ['live', 'draining'].includes(document.querySelector(sel)?.getAttribute('data-state') ?? ''), testid('sync-row-vm'), { timeout: 45_000 })
    await page.waitForFunction((sel) => ['backoff', 'error'].includes(document.querySelector(sel)?.getAttribute('data-state') ?? ''), testid('sync-row-dead'), { timeout: 45_000 })
    await expect(page.locator(testid('sync-row-error-dead')).textContent()).resolves.toMatch(/sync\.unreachable.*127\.0\.0\.1:\d+/)
    await expect(live.textContent()).resolves.toContain(vm!.url)
    // delivered counts grow, and they are what VictoriaMetrics holds (it answers 204 even when it drops a line: count there)
    await page.waitForFunction((sel) => /^[1-9][\d,]* ·/.test(document.querySelector(sel)?.querySelectorAll('td')[5]?.textContent ?? ''), testid('sync-row-vm'), { timeout: 30_000 })
    expect((await vm!.export()).length).toBeGreaterThan(0)
    await expect(page.locator(testid('sync-panel-store')).textContent()).resolves.toMatch(/Local store: \d/)
    await page.screenshot({ path: join(SHOTS, 'sync-panel-1366x768.png') })
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.screenshot({ path: join(SHOTS, 'sync-panel-1920x1080.png') })
    await page.setViewportSize({ width: 1366, height: 768 })
    expect(pageErrors).toEqual([])
  })
})
