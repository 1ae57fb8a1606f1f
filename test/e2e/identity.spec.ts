/// <reference lib="dom" />
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SHOTS, testid, useHeadlessPage } from '../helpers/e2e'
import { ADMIN_USER, TEST_PASSWORD } from '../helpers/login'

// not signed in: the kiosk (simulated plant on loopback) shows the plant read-only
const e2e = useHeadlessPage(undefined, { signIn: false })

describe('who is at the console', () => {
  it('kiosk → Sign in → login screen (wrong password refused) → admin → user administration; an operator has no Engineering', async () => {
    const { page, server, pageErrors, browser } = e2e
    await page.goto(server.url)
    await page.waitForSelector(testid('asset-tree'))
    // read-only plant: a Sign in button, Engineering disabled with the reason
    const signIn = page.locator(testid('sign-in'))
    await expect(signIn.textContent()).resolves.toMatch(/Read-only/)
    await expect(page.locator(testid('view-engineering')).isDisabled()).resolves.toBe(true)
    await expect(page.locator(testid('view-engineering')).getAttribute('title')).resolves.toMatch(/engineer role/)

    await signIn.click()
    await page.waitForSelector(testid('login-screen'))
    await page.locator(testid('login-user')).fill(ADMIN_USER)
    await page.locator(testid('login-password')).fill('not the password')
    await page.locator(testid('login-submit')).click()
    await expect(page.locator(testid('login-error')).textContent()).resolves.toMatch(/auth\.bad_credentials/)
    await page.screenshot({ path: join(SHOTS, 'identity-login-1366.png') })
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.screenshot({ path: join(SHOTS, 'identity-login-1920.png') })
    await page.setViewportSize({ width: 1366, height: 768 })

    await page.locator(testid('login-password')).fill(TEST_PASSWORD)
    await page.locator(testid('login-submit')).click()
    await page.waitForSelector(testid('user-menu'))
    await expect(page.locator(testid('user-menu')).textContent()).resolves.toBe(`${ADMIN_USER} · admin`)
    // the secret is in an HttpOnly cookie: page scripts do not see it
    const cookies = await page.context().cookies()
    const session = cookies.find((c) => c.name.startsWith('plantdeck_session_'))!
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' })
    expect(await page.evaluate(() => document.cookie)).not.toContain(session.value)
    await expect(page.locator(testid('view-engineering')).isDisabled()).resolves.toBe(false)

    // user administration: create an operator limited to Line 1
    await page.locator(testid('user-menu')).click()
    await page.locator(testid('menu-users')).click()
    await page.waitForSelector(testid(`user-row-${ADMIN_USER}`))
    await page.locator(testid('new-user-name')).fill('olga')
    await page.locator(testid('new-user-password')).fill('short')
    await page.locator(testid('new-user-create')).click()
    await expect(page.locator(testid('users-error')).textContent()).resolves.toMatch(/auth\.weak_password/)
    await page.locator(testid('new-user-password')).fill('operator password 1')
    await page.locator(testid('new-user-role')).selectOption('operator')
    await page.locator(testid('new-user-scopes')).fill('Demo plant/Line1')
    await page.locator(testid('new-user-create')).click()
    await page.waitForSelector(testid('user-row-olga'))
    await expect(page.locator(testid('user-row-olga')).textContent()).resolves.toMatch(/Demo plant\/Line1|olga/)
    await page.screenshot({ path: join(SHOTS, 'identity-users-1366.png') })
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.screenshot({ path: join(SHOTS, 'identity-users-1920.png') })

    // the operator, in another browser: signed in through the login screen; Engineering stays disabled
    const other = await browser.newPage({ viewport: { width: 1366, height: 768 } })
    await other.goto(server.url)
    await other.locator(testid('sign-in')).click()
    await other.locator(testid('login-user')).fill('olga')
    await other.locator(testid('login-password')).fill('operator password 1')
    await other.locator(testid('login-submit')).click()
    await other.waitForSelector(testid('user-menu'))
    await expect(other.locator(testid('user-menu')).textContent()).resolves.toBe('olga · operator')
    await expect(other.locator(testid('view-engineering')).isDisabled()).resolves.toBe(true)
    // sign out: back to the kiosk
    await other.locator(testid('user-menu')).click()
    await other.locator(testid('menu-logout')).click()
    await other.waitForSelector(testid('sign-in'))
    await other.close()
    expect(pageErrors.filter((e) => !/401|auth\./.test(e))).toEqual([])
  })
})
