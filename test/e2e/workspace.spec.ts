/// <reference lib="dom" />
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../helpers/browser'
import { SHOTS, signIn, testid } from '../helpers/e2e'
import { startHeadless, type Headless } from '../helpers/headless'

const PUMP1 = 'Demo plant/Line1/Pump101'
const PUMP2 = 'Demo plant/Line2/Pump201'
const SPEED = 'demo-opcua/Line2.Pump201.Speed'
const FLOW = 'demo-opcua/Line2.Pump201.Flow'
const WS = testid('workspace-tabs')

let server: Headless | undefined
let browser: Browser | undefined
afterAll(async () => {
  await browser?.close()
  await server?.stop()
  if (server) rmSync(server.dataDir, { recursive: true, force: true })
})

const attr = (page: Page, sel: string, name: string) => page.locator(sel).getAttribute(name)
/** The workspace's tabs as the strip shows them: kind and title. */
const tabsOf = (page: Page) =>
  page.locator(`${testid('workspace-tabs')} [role="tab"]`).evaluateAll((els) => els.map((e) => `${e.getAttribute('data-kind')}:${e.querySelector('.ws-title')?.textContent ?? ''}`))

async function openInTree(page: Page, path: string) {
  const row = page.locator(testid(`asset-node-${path}`))
  if (!(await row.isVisible())) await page.locator(`${testid(`asset-node-${path.slice(0, path.lastIndexOf('/'))}`)} .twisty`).click()
  await row.click()
}

async function newPage(url: string, size = { width: 1366, height: 768 }, o: { signIn?: boolean } = {}) {
  const context = await browser!.newContext({ viewport: size })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('console', (m) => m.type() === 'error' && !/Failed to load resource|WebSocket/.test(m.text()) && errors.push(m.text()))
  if (o.signIn !== false) await signIn(page, url)
  await page.goto(url)
  await page.waitForSelector(testid('asset-tree'))
  return { page, errors }
}

describe("the operator's workspace", () => {
  it('tabs, trends and theme are kept per user on the server: a restart and another browser find them as they were', async () => {
    mkdirSync(SHOTS, { recursive: true })
    server = await startHeadless({}, { keepDataDir: true })
    browser = await launchChromium()
    const { page, errors } = await newPage(server.url)
    // the status bar says who is signed in and that the workspace is kept on the server
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-user') === 'admin', testid('status-user'))

    // two asset tabs: opening one from the tree shows it, the other stays in the strip
    await openInTree(page, PUMP1)
    await page.locator(`${WS} [role="tab"][data-kind="asset"][aria-selected="true"]`).filter({ hasText: 'Pump101' }).waitFor()
    await openInTree(page, PUMP2)
    await page.locator(`${WS} [role="tab"][data-kind="asset"][aria-selected="true"]`).filter({ hasText: 'Pump201' }).waitFor()
    await expect(tabsOf(page)).resolves.toEqual(['overview:Overview', 'asset:Pump101', 'asset:Pump201'])

    // the asset tab's trend: Speed selected, Flow pinned; then that trend as a tab of its own, with a longer range
    await page.locator(testid(`signal-row-${SPEED}`)).click()
    await page.waitForFunction(([sel, sig]) => document.querySelector(sel!)?.getAttribute('data-signal') === sig, [testid('trend'), SPEED])
    await page.locator(testid(`signal-row-${FLOW}`)).hover()
    await page.locator(testid(`signal-add-trend-${FLOW}`)).click()
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-pens') === '2', testid('trend'))
    await page.locator(testid('trend-open-tab')).click()
    await page.locator(`${WS} [role="tab"][data-kind="trend"][aria-selected="true"]`).waitFor()
    await page.locator(testid('trend-range-1h')).click()
    await page.locator(testid(`trend-pen-compare-${FLOW}`)).selectOption('1d')
    // the trend tab's pens stay when the selection moves: back on Pump101's tab the asset trend follows its selection
    await page.locator(`${WS} [role="tab"][data-kind="asset"]`, { hasText: 'Pump101' }).click()
    await page.waitForFunction((sel) => !!document.querySelector(sel)?.getAttribute('data-signal')?.includes('Pump101'), testid('trend'))
    // the alarm summary as a tab too, shown in the centre; the keyboard moves along the strip
    await page.locator(testid('tab-open-alarms')).click()
    await page.locator(testid('alarms-view')).waitFor()
    await page.locator(testid('tab-alarms')).focus()
    await page.keyboard.press('End')
    await page.waitForFunction(() => document.querySelector('[data-testid="workspace-tabs"] [role="tab"][aria-selected="true"]')?.getAttribute('data-kind') === 'trend')
    await page.waitForFunction(([sel, sig]) => document.querySelector(sel!)?.getAttribute('data-pens') === '2' && document.querySelector(`[data-testid="trend-pen-${sig}"]`) !== null, [testid('trend'), FLOW])
    await expect(attr(page, testid('trend-range-1h'), 'aria-pressed')).resolves.toBe('true')
    // the light theme
    await page.locator('.theme-toggle').click()
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light')
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-workspace') === 'saved', testid('status-user'))
    await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-drawn')) > 2, testid('trend'))
    await page.screenshot({ path: join(SHOTS, 'workspace-trend-tab-1366x768.png') })
    const before = await tabsOf(page)
    expect(before).toEqual(['overview:Overview', 'alarms:Alarms', 'asset:Pump101', 'asset:Pump201', expect.stringMatching(/^trend:.*Speed/)])
    expect(errors).toEqual([])

    // restart the server on the same data dir; another browser (nothing in its localStorage) signs in
    const dataDir = server.dataDir
    await page.context().close()
    await server.stop()
    server = await startHeadless({}, { dataDir, keepDataDir: true })
    const again = await newPage(server.url, { width: 1366, height: 768 })
    const p2 = again.page
    await p2.waitForFunction(() => document.documentElement.dataset.theme === 'light')
    await p2.waitForFunction((n) => document.querySelectorAll('[data-testid="workspace-tabs"] [role="tab"]').length === n, before.length)
    await expect(tabsOf(p2)).resolves.toEqual(before)
    // the trend tab is shown, with its two pens, its range and Flow compared with yesterday
    await expect(p2.locator(`${WS} [role="tab"][aria-selected="true"]`).getAttribute('data-kind')).resolves.toBe('trend')
    await p2.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-pens') === '2', testid('trend'))
    for (const s of [SPEED, FLOW]) await p2.locator(testid(`trend-pen-${s}`)).waitFor()
    await expect(p2.locator(testid(`trend-pen-compare-${FLOW}`)).inputValue()).resolves.toBe('1d')
    await expect(attr(p2, testid('trend-range-1h'), 'aria-pressed')).resolves.toBe('true')
    // Pump201's tab: its asset trend as it was (Speed selected, Flow pinned)
    await p2.locator(`${WS} [role="tab"][data-kind="asset"]`, { hasText: 'Pump201' }).click()
    await p2.waitForFunction(([sel, sig]) => document.querySelector(sel!)?.getAttribute('data-signal') === sig, [testid('trend'), SPEED])
    await p2.locator(testid(`trend-pen-${FLOW}`)).waitFor()
    await p2.locator(testid('faceplate')).filter({ hasText: 'Pump201' }).waitFor()
    await p2.waitForFunction((sel) => /\d/.test(document.querySelector(sel)?.textContent ?? ''), testid(`signal-value-${FLOW}`))
    await p2.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-drawn')) > 2, testid('trend'))
    await p2.screenshot({ path: join(SHOTS, 'workspace-asset-1366x768.png') })

    // wider screens: the faceplate and its commands move into a right-hand panel beside the centre
    await p2.setViewportSize({ width: 1920, height: 1080 })
    await p2.locator(`${testid('right-panel')} ${testid('faceplate')}`).waitFor()
    await p2.waitForTimeout(400) // the chart re-lays out to its new width
    await p2.screenshot({ path: join(SHOTS, 'workspace-asset-1920x1080.png') })
    await p2.setViewportSize({ width: 2560, height: 1440 })
    await p2.waitForTimeout(400)
    await p2.screenshot({ path: join(SHOTS, 'workspace-asset-2560x1440.png') })
    await p2.locator(testid('tab-overview')).click()
    await p2.locator(testid('overview')).waitFor()
    await p2.waitForTimeout(400)
    await p2.screenshot({ path: join(SHOTS, 'workspace-overview-2560x1440.png') })
    // the dark theme at 1920, on the overview: the tabs read as well
    await p2.locator('.theme-toggle').click()
    await p2.setViewportSize({ width: 1920, height: 1080 })
    await p2.waitForTimeout(400)
    await p2.screenshot({ path: join(SHOTS, 'workspace-overview-dark-1920x1080.png') })
    // Delete closes a tab from the strip
    await p2.locator(`${WS} [role="tab"][data-kind="asset"]`, { hasText: 'Pump101' }).click()
    await p2.keyboard.press('Delete')
    await p2.waitForFunction(() => ![...document.querySelectorAll('[data-testid="workspace-tabs"] [role="tab"]')].some((e) => e.textContent?.includes('Pump101')))
    expect(again.errors).toEqual([])

    // the kiosk (no login, another browser): the read-only plant with its own workspace, kept in this browser only
    const kiosk = await newPage(server.url, { width: 1366, height: 768 }, { signIn: false })
    await kiosk.page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-workspace') === 'browser', testid('status-user'))
    await expect(kiosk.page.locator(testid('status-user')).textContent()).resolves.toBe('Kiosk · workspace in this browser')
    await openInTree(kiosk.page, PUMP1)
    await kiosk.page.locator(`${WS} [role="tab"][data-kind="asset"][aria-selected="true"]`).filter({ hasText: 'Pump101' }).waitFor()
    await expect(tabsOf(kiosk.page)).resolves.toEqual(['overview:Overview', 'asset:Pump101'])
    await kiosk.page.screenshot({ path: join(SHOTS, 'workspace-kiosk-1366x768.png') })
    expect(kiosk.errors).toEqual([])
  })
})
