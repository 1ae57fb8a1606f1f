/// <reference lib="dom" />
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BROWSE_PAGE } from '../../src/shared/contract/opcua'
import { SHOTS, testid, useHeadlessPage } from '../helpers/e2e'
import { startTestServer, type TestServer } from '../helpers/opcua-server'
import { openLoggedIn } from '../helpers/login'

const COUNT = 10_000
let ua: TestServer
let pkiDir: string
beforeAll(async () => {
  pkiDir = mkdtempSync(join(tmpdir(), 'plantdeck-e2e-ua-'))
  ua = await startTestServer({ pkiDir, bigCount: COUNT })
}, 60_000)
afterAll(async () => {
  await ua?.stop()
  rmSync(pkiDir, { recursive: true, force: true })
})

const e2e = useHeadlessPage(() => ({
  connections: [{ id: 'big', kind: 'opcua', name: 'Big server', endpoint: ua.url, securityMode: 'None', securityPolicy: 'None', signals: [] }],
}))

describe('the field engineer on a large address space', () => {
  it('opens a 10,000-node folder at once and pages on by scrolling', async () => {
    const { page, server, pageErrors } = e2e
    const { ws, client } = await openLoggedIn(server.url)
    const browseOnce = async (what: string) => {
      const t0 = performance.now()
      const p = await client.call('opcua.browse', { connection: 'big', nodeId: 'ns=1;s=Big', max: BROWSE_PAGE })
      console.log(`opcua.browse over the WebSocket API (${what}): ${p.children.length} children in ${(performance.now() - t0).toFixed(1)} ms`)
      expect(p.children).toHaveLength(BROWSE_PAGE)
    }
    await page.goto(server.url)
    await page.locator(testid('view-engineering')).click()
    await page.locator(testid('eng-nav-opcua:big')).click()
    await page.locator(testid('opcua-browser-big')).waitFor()
    const twisty = page.locator(testid('opcua-twisty-ns=1;s=Big'))
    await twisty.waitFor({ timeout: 30_000 })
    await browseOnce('first, cold server')
    // timed in the page: from the click event to the frame that shows the first child
    await twisty.evaluate((el) => el.addEventListener('click', () => ((window as unknown as { t0: number }).t0 = performance.now()), { once: true }))
    await twisty.click()
    const ms = await page.waitForFunction(
      (sel) => document.querySelector(sel) && performance.now() - (window as unknown as { t0: number }).t0,
      testid('opcua-node-ns=1;s=Big.V0'),
      { polling: 'raf' },
    )
    console.log(`first ${BROWSE_PAGE} of ${COUNT} children on screen ${Math.round((await ms.jsonValue()) as number)} ms after the click (browser, WebSocket, server, OPC UA)`)
    for (let k = 0; k < 3; k++) await browseOnce('after')
    ws.close()

    // Scrolling to the end of the tree shows the next page without a click, page after page.
    const tree = page.locator('[role="tree"]')
    for (const firstOfPage of [BROWSE_PAGE, 2 * BROWSE_PAGE]) {
      await tree.evaluate((el) => el.scrollTo(0, el.scrollHeight))
      await page.locator(testid(`opcua-node-ns=1;s=Big.V${firstOfPage}`)).waitFor({ timeout: 15_000 })
    }
    await tree.evaluate((el) => el.scrollTo(0, el.scrollHeight))
    await page.locator(testid(`opcua-node-ns=1;s=Big.V${3 * BROWSE_PAGE - 1}`)).waitFor({ timeout: 15_000 })
    // every child so far is listed exactly once: the tree's height is one row per node plus the "more" row
    const rows = await tree.evaluate((el) => Math.round(el.scrollHeight / (el.querySelector('.vrow') as HTMLElement).offsetHeight))
    expect(rows).toBeGreaterThanOrEqual(3 * BROWSE_PAGE)
    expect(rows).toBeLessThan(4 * BROWSE_PAGE + 10)
    await tree.evaluate((el) => el.scrollTo(0, 0))
    await page.locator(testid('opcua-node-ns=1;s=Big.V12')).click()
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'Double', `${testid('opcua-attributes')} [data-attr="DataType"] td`)
    await page.screenshot({ path: join(SHOTS, 'engineering-opcua-10k-folder-1366x768.png') })
    expect(pageErrors).toEqual([])
  })
})
