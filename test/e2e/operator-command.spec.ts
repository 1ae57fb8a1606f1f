/// <reference lib="dom" />
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { SHOTS, testid, useHeadlessPage } from '../helpers/e2e'
import { openLoggedIn, TEST_PASSWORD } from '../helpers/login'

// a fresh page, signed out: the operator signs in through the login screen like anyone at the console
const e2e = useHeadlessPage(undefined, { signIn: false })
const row = (path: string) => `[data-testid="asset-node-${path}"]`
const SETPOINT = 'ns=1;s=Line1.Pump101.SpeedSetpoint'
const TARGET = 'Demo plant/Line1/Pump101/SpeedSetpoint setpoint'

/** The login screen, as a person uses it: Sign in, user, password, submit; resolves when the user menu names them. */
async function signInThroughScreen(page: Page, user: string, role: string) {
  await page.locator(testid('sign-in')).click()
  await page.locator(testid('login-screen')).waitFor()
  await page.locator(testid('login-user')).fill(user)
  await page.locator(testid('login-password')).fill(TEST_PASSWORD)
  await page.locator(testid('login-submit')).click()
  await page.locator(testid('user-menu')).waitFor({ timeout: 15_000 })
  await expect(page.locator(testid('user-menu')).textContent()).resolves.toBe(`${user} · ${role}`)
}

describe('an operator changes a pump\'s speed setpoint, and the audit trail shows it', () => {
  it('operator logs in → faceplate → confirm dialog (acting: the operator) → value on the OPC UA server → signs out → engineer sees command.operate and its outcome', async () => {
    const { page, server, pageErrors } = e2e
    // the administrator creates the operator and the engineer through the API (users.create)
    const admin = await openLoggedIn(server.url)
    try {
      await admin.client.call('users.create', { name: 'otto', password: TEST_PASSWORD, role: 'operator', scopes: ['Demo plant/Line1'] })
      await admin.client.call('users.create', { name: 'erin', password: TEST_PASSWORD, role: 'engineer' })
      expect(await admin.client.call('opcua.attributes', { connection: 'demo-opcua', nodeId: SETPOINT }).then((a) => a.value)).toBe(70)
    } finally {
      admin.ws.close()
    }

    // the page starts signed out: the kiosk shows the plant read-only, commands need a login
    await page.goto(server.url)
    await page.locator(testid('sign-in')).waitFor({ timeout: 30_000 })
    await signInThroughScreen(page, 'otto', 'operator')

    await page.locator(row('Demo plant/Line1')).waitFor({ timeout: 30_000 })
    await page.locator(`${row('Demo plant/Line1')} .twisty`).click()
    await page.locator(row('Demo plant/Line1/Pump101')).click()
    const command = page.locator(testid('command-SpeedSetpoint-setpoint'))
    await command.waitFor({ timeout: 20_000 })
    await page.waitForFunction(() => !document.querySelector('[data-testid="command-SpeedSetpoint-setpoint"] button')?.hasAttribute('disabled'), undefined, { timeout: 20_000 })
    await command.locator('button').click()

    // the dialog: what will happen, and who is acting — the operator, not an administrator
    const dialog = page.locator(testid('command-dialog'))
    await page.waitForFunction(() => document.querySelector('[data-testid="command-current"]')?.textContent === '70.0 %', undefined, { timeout: 15_000 })
    await expect(dialog.locator(testid('command-asset')).textContent()).resolves.toBe('Demo plant/Line1/Pump101')
    await expect(dialog.locator(testid('command-user')).textContent()).resolves.toBe('otto')
    await dialog.locator(testid('command-value')).fill('85')
    await page.screenshot({ path: join(SHOTS, 'operator-command-dialog-1366x768.png') })
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.screenshot({ path: join(SHOTS, 'operator-command-dialog-1920x1080.png') })
    await dialog.locator(testid('command-operate')).click()
    await dialog.locator(testid('command-outcome')).waitFor({ timeout: 15_000 })
    await expect(dialog.locator(testid('command-outcome')).textContent()).resolves.toBe('Success — read back 85.0 %')
    await page.screenshot({ path: join(SHOTS, 'operator-command-outcome-1920x1080.png') })
    await dialog.locator(testid('command-cancel')).click()
    await page.setViewportSize({ width: 1366, height: 768 })

    // the value is on the OPC UA server, read back by an engineer's API client
    const eng = await openLoggedIn(server.url, { user: 'erin', role: 'engineer' })
    try {
      expect(await eng.client.call('opcua.attributes', { connection: 'demo-opcua', nodeId: SETPOINT }).then((a) => a.value)).toBe(85)
    } finally {
      eng.ws.close()
    }
    // an operator has no audit view
    await expect(page.locator(testid('view-engineering')).isDisabled()).resolves.toBe(true)

    // the operator signs out; the engineer signs in at the same screen
    await page.locator(testid('user-menu')).click()
    await page.locator(testid('menu-logout')).click()
    await page.locator(testid('sign-in')).waitFor()
    await signInThroughScreen(page, 'erin', 'engineer')

    // Engineering › Audit trail: the operate entry by the operator with target and old → new, and its outcome
    await page.locator(testid('view-engineering')).click()
    await page.locator(testid('eng-nav-audit')).click()
    await page.locator(testid('audit-view')).waitFor()
    await page.locator(testid('audit-action')).fill('command.')
    await page.locator(testid('audit-search')).click()
    await page.waitForFunction(() => {
      const r = [...document.querySelectorAll('[data-testid="audit-rows"] [data-action]')]
      return r.length > 0 && r.every((e) => e.getAttribute('data-action')?.startsWith('command.'))
    }, undefined, { timeout: 15_000 })
    const rows = await page.locator('[data-testid="audit-rows"] [data-action]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-action'), e.getAttribute('data-result')]))
    // newest first: the outcome, the operate entry written before sending, the selection
    expect(rows.slice(0, 3)).toEqual([
      ['command.outcome', 'success'],
      ['command.operate', 'ok'],
      ['command.select', 'ok'],
    ])
    const operate = page.locator('[data-testid="audit-rows"] [data-action="command.operate"]').first()
    await expect(operate.textContent()).resolves.toMatch(new RegExp(`otto.*command\\.operate.*${TARGET.replace(/[./]/g, '\\$&')}70 → 85ok`))
    const outcome = page.locator('[data-testid="audit-rows"] [data-action="command.outcome"]').first()
    await expect(outcome.textContent()).resolves.toMatch(/otto.*command\.outcome.*70 → 85success/)
    await outcome.click()
    const detail = page.locator(testid('audit-detail'))
    await expect(detail.textContent()).resolves.toMatch(/Whootto.*TargetDemo plant\/Line1\/Pump101\/SpeedSetpoint setpoint.*Old value70.*New value85.*Resultsuccess.*DetailGood; read back 85/)
    await page.screenshot({ path: join(SHOTS, 'operator-command-audit-1366x768.png') })
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.screenshot({ path: join(SHOTS, 'operator-command-audit-1920x1080.png') })
    // the kiosk page before the first sign-in answers 401s for what it may not see; nothing else went wrong
    expect(pageErrors.filter((e) => !/401|auth\./.test(e))).toEqual([])
  }, 120_000)
})
