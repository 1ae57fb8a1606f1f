/// <reference lib="dom" />
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../helpers/browser'
import { signIn } from '../helpers/e2e'
import { startHeadless, type Headless } from '../helpers/headless'
import { openClient } from '../helpers/ws-client'

const SHOTS = resolve(import.meta.dirname, '..', '..', 'test-results', 'screenshots')
const METER = 'Demo plant/Line1/EM101'
const POWER = 'demo-mqtt/EM101.power.total'
const dataDir = mkdtempSync(join(tmpdir(), 'plantdeck-restart-'))
let server: Headless | undefined
let browser: Browser | undefined

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

const testid = (id: string) => `[data-testid="${id}"]`
const wsUrl = (http: string) => http.replace(/^http/, 'ws') + 'api'

describe('the operator reopens Plantdeck after a restart', () => {
  it('still sees the history collected before the restart, in the API and in the trend', async () => {
    server = await startHeadless({}, { dataDir, keepDataDir: true })
    const first = await openClient(wsUrl(server.url))
    const deadline = Date.now() + 30_000
    let before = 0
    while (before < 5 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000))
      const now = Date.now()
      const { series } = await first.client.call('trends.query', { signals: [POWER], from: now - 600_000, to: now, points: 1000 })
      before = series[0]!.t.length
    }
    expect(before).toBeGreaterThanOrEqual(5)
    first.ws.close()
    await server.stop()
    const restartedAt = Date.now()

    server = await startHeadless({}, { dataDir, keepDataDir: true })
    const second = await openClient(wsUrl(server.url))
    const now = Date.now()
    const { series } = await second.client.call('trends.query', { signals: [POWER], from: now - 600_000, to: now, points: 1000 })
    const old = series[0]!.t.filter((t) => t < restartedAt)
    expect(old.length).toBeGreaterThanOrEqual(before)
    second.ws.close()

    browser = await launchChromium()
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } })
    await signIn(page, server.url)
    await page.goto(server.url)
    await page.waitForSelector(testid('asset-tree'))
    if (!(await page.locator(testid(`asset-node-${METER}`)).isVisible())) await page.locator(`${testid('asset-node-Demo plant/Line1')} .twisty`).click()
    await page.locator(testid(`asset-node-${METER}`)).click()
    await page.locator(testid(`signal-row-${POWER}`)).click()
    await page.waitForFunction((sig) => document.querySelector('[data-testid="trend"]')?.getAttribute('data-signal') === sig, POWER)
    mkdirSync(SHOTS, { recursive: true })
    await page.waitForTimeout(1500)
    await page.screenshot({ path: join(SHOTS, 'history-after-restart.png') })
    // The trend's data starts before the restart: uPlot's first x value is older than restartedAt.
    const firstX = await page.locator(testid('trend')).getAttribute('data-first-t')
    expect(Number(firstX)).toBeLessThan(restartedAt)
  })
})
