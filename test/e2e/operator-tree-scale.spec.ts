/// <reference lib="dom" />
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openAppDb } from '../../src/adapters/app-db/sqlite-asset-store'
import type { AssetState } from '../../src/core/ports/asset-store'
import { launchChromium } from '../helpers/browser'
import { testid, signIn } from '../helpers/e2e'
import { startHeadless, type Headless } from '../helpers/headless'

const LINES = 40
const PER_LINE = 1_000
const BIG = 10_000

/** 50,041 assets: a site, 40 lines of 1,000 pumps, and one line of 10,000 (pages of 200 as it scrolls). */
function buildModel(dataDir: string): number {
  const db = openAppDb({ path: join(dataDir, 'app.db') })
  const put: AssetState[] = []
  const asset = (id: string, parent: string | null, name: string, kind: string): AssetState => ({ id, parent, name, description: '', kind, templateId: null, references: [], attributes: [] })
  put.push(asset('site', null, 'Scale plant', 'site'))
  for (let l = 0; l < LINES; l++) {
    put.push(asset(`l${l}`, 'site', `Line ${String(l).padStart(2, '0')}`, 'line'))
    for (let p = 0; p < PER_LINE; p++) put.push(asset(`l${l}p${p}`, `l${l}`, `Pump ${String(p).padStart(4, '0')}`, 'pump'))
  }
  put.push(asset('big', 'site', 'Zz big line', 'line'))
  for (let p = 0; p < BIG; p++) put.push(asset(`bp${p}`, 'big', `Unit ${String(p).padStart(5, '0')}`, 'unit'))
  db.apply({ put, remove: [] }, 'test', 'a 50,000-node model')
  db.close()
  return put.length
}

const rowsInDom = (page: Page) => page.locator('[data-testid="asset-tree"] [role="treeitem"]').count()

describe('the operator tree with a 50,000-node model', () => {
  let server: Headless
  let browser: Browser
  let page: Page
  let total = 0
  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'plantdeck-scale-'))
    total = buildModel(dataDir)
    server = await startHeadless({}, { dataDir })
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } })
    await signIn(page, server.url)
  })
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('keeps a bounded number of rows in the page however many assets are open, and pages in children as they scroll into view', async () => {
    expect(total).toBe(1 + LINES * (PER_LINE + 1) + 1 + BIG)
    await page.goto(server.url)
    // the first start opens the top asset: its 41 lines show
    await page.locator(testid('asset-node-Scale plant/Line 00')).waitFor({ timeout: 30_000 })
    // open three lines (from the bottom up: an opened line pushes those below it out of the window), 200 pumps each
    for (const l of [2, 1, 0]) await page.locator(`${testid(`asset-node-Scale plant/Line ${String(l).padStart(2, '0')}`)} .twisty`).click()
    await page.locator(testid('asset-node-Scale plant/Line 00/Pump 0000')).waitFor()
    const afterOpen = await rowsInDom(page)
    expect(afterOpen).toBeGreaterThan(10)
    expect(afterOpen).toBeLessThan(80)
    // the tree's scroll height covers every loaded row, not just those in the DOM
    const height = await page.locator(testid('asset-tree')).evaluate((el) => el.scrollHeight)
    const rowPx = await page.locator(testid('asset-node-Scale plant/Line 00')).evaluate((el) => el.getBoundingClientRect().height)
    expect(height).toBeGreaterThan(rowPx * 600) // 3 × 200 loaded pumps at least

    // the big line: scroll to its end again and again; each "more" row in view loads the next 200
    for (let l = 0; l < 3; l++) await page.locator(`${testid(`asset-node-Scale plant/Line ${String(l).padStart(2, '0')}`)} .twisty`).click()
    await page.locator(testid('asset-node-Scale plant/Line 02/Pump 0000')).waitFor({ state: 'detached' })
    // to the end of the tree, again on each poll: the rows just closed may still be leaving when the first scroll runs
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="asset-tree"]')
      if (el) el.scrollTop = el.scrollHeight
      return !!document.querySelector('[data-testid="asset-node-Scale plant/Zz big line"]')
    })
    await page.locator(`${testid('asset-node-Scale plant/Zz big line')} .twisty`).click()
    await page.locator(testid('asset-node-Scale plant/Zz big line/Unit 00000')).waitFor()
    for (let i = 0; i < 4; i++) {
      await page.locator(testid('asset-tree')).evaluate((el) => el.scrollTo(0, el.scrollHeight))
      await page.waitForFunction(
        ({ sel, n }) => [...document.querySelectorAll(sel)].some((e) => Number(e.getAttribute('aria-setsize')) >= n),
        { sel: '[data-testid="asset-tree"] [role="treeitem"][aria-level="3"]', n: 200 * (i + 2) },
        { timeout: 20_000 },
      )
      expect(await rowsInDom(page)).toBeLessThan(80)
    }
    // the last rows in view are far down the big line, and the first rows are gone from the DOM
    const last = await page.locator('[data-testid="asset-tree"] [role="treeitem"]').last().getAttribute('data-testid')
    expect(Number(/Unit (\d+)/.exec(last ?? '')?.[1])).toBeGreaterThanOrEqual(800)
    expect(await page.locator(testid('asset-node-Scale plant/Zz big line/Unit 00000')).count()).toBe(0)
  })
})
