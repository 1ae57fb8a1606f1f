/// <reference lib="dom" />
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SHOTS, testid, useHeadlessPage } from '../helpers/e2e'
import { TEST_PASSWORD } from '../helpers/login'

// A fresh clone's first start: the simulated plant on loopback (the kiosk on), no user at all yet.
const e2e = useHeadlessPage(undefined, { admin: false })

/** Every overview key value's text, by its test id. */
const overviewValues = (page: typeof e2e.page) =>
  page.$$eval('[data-testid^="ov-value-"]', (els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-testid'), e.textContent ?? ''])))

describe('the PoC presenter on a first start: a living plant before any click, the administrator created from the top bar', () => {
  it('shows the overview alive with no user yet; creating the administrator signs in', async () => {
    const { page, server, pageErrors } = e2e
    await page.goto(server.url)
    // no login form in the way: the overview is the first screen, read-only
    await page.locator(testid('overview')).waitFor({ timeout: 30_000 })
    expect(await page.locator(testid('login-screen')).count()).toBe(0)
    await expect(page.locator(testid('sign-in')).textContent()).resolves.toBe('Read-only · Create the administrator')
    // values change without a click (tanks fill and drain, pumps run, meters tick)
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid^="ov-value-"]')].some((e) => /\d/.test(e.textContent ?? '')), undefined, { timeout: 30_000 })
    const first = await overviewValues(page)
    let changed = 0
    const deadline = Date.now() + 20_000
    while (changed < 3 && Date.now() < deadline) {
      await page.waitForTimeout(1000)
      const now = await overviewValues(page)
      changed = Object.keys(now).filter((k) => now[k] !== first[k]).length
    }
    expect(changed).toBeGreaterThanOrEqual(3)
    await page.screenshot({ path: join(SHOTS, 'first-start-kiosk-1366x768.png') })

    // read-only, the plant can still be looked into: a pump's state trended reads as its states, not as numbers
    await page.locator(testid('ov-item-Demo plant/Line1/Pump101')).click()
    const STATE = 'demo-opcua/Line1.Pump101.State'
    await page.locator(testid(`signal-row-${STATE}`)).click()
    await page.waitForFunction((sel) => /^(Stopped|Running|Tripped)$/.test(document.querySelector(sel)?.textContent ?? ''), `[data-now="${STATE}"]`, { timeout: 15_000 })
    // a constant is a number with its unit too (Tank101's Capacity, m³)
    await page.locator(testid('tab-overview')).click()
    await page.locator(testid('ov-item-Demo plant/Line1/Tank101')).click()
    const capacity = page.locator('[data-testid^="fixed-row-"][data-testid$="-Capacity"]')
    await capacity.waitFor()
    await expect(capacity.locator('td.unit').textContent()).resolves.toBe('m³')
    await page.locator(testid('tab-overview')).click()

    // the setup from the top bar; back to the plant is possible, then create the administrator for real
    await page.locator(testid('sign-in')).click()
    await page.locator(testid('login-repeat')).waitFor()
    await page.locator(testid('login-cancel')).click()
    await page.locator(testid('overview')).waitFor()
    await page.locator(testid('sign-in')).click()
    await expect(page.locator(testid('login-user')).inputValue()).resolves.toBe('admin')
    await page.locator(testid('login-password')).fill(TEST_PASSWORD)
    await page.locator(testid('login-repeat')).fill(TEST_PASSWORD)
    await page.locator(testid('login-submit')).click()
    await page.locator(testid('user-menu')).waitFor()
    await expect(page.locator(testid('user-menu')).textContent()).resolves.toBe('admin · admin')
    await page.locator(testid('overview')).waitFor()
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.waitForTimeout(500)
    await page.screenshot({ path: join(SHOTS, 'first-start-signed-in-1920x1080.png') })
    expect(pageErrors).toEqual([])
  })
})
