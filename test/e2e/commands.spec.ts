/// <reference lib="dom" />
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SHOTS, testid, useHeadlessPage } from '../helpers/e2e'
import { openLoggedIn } from '../helpers/login'

const e2e = useHeadlessPage()
const row = (path: string) => `[data-testid="asset-node-${path}"]`

describe('commands on the faceplate', () => {
  it('an operator sets a pump\'s speed through the confirm dialog, the value changes on the server, and disabled commands say why', async () => {
    const { page, server, pageErrors } = e2e
    await page.goto(server.url)
    await page.locator(row('Demo plant/Line1')).waitFor({ timeout: 30_000 })
    await page.locator(`${row('Demo plant/Line1')} .twisty`).click()
    await page.locator(row('Demo plant/Line1/Pump101')).click()
    const panel = page.locator(testid('command-panel'))
    await panel.waitFor({ timeout: 20_000 })
    await expect(panel.locator('li').count()).resolves.toBe(3)
    await page.screenshot({ path: join(SHOTS, 'commands-panel-1366x768.png') })

    // the speed setpoint: select (the dialog shows what will happen), type, operate, verified outcome
    await page.locator(`${testid('command-SpeedSetpoint-setpoint')} button`).click()
    const dialog = page.locator(testid('command-dialog'))
    await page.waitForFunction(() => document.querySelector('[data-testid="command-current"]')?.textContent === '70.0 %')
    await expect(dialog.locator(testid('command-asset')).textContent()).resolves.toBe('Demo plant/Line1/Pump101')
    await expect(dialog.locator(testid('command-user')).textContent()).resolves.toBe('admin')
    await dialog.locator(testid('command-value')).fill('120')
    await dialog.locator(testid('command-operate')).click()
    await dialog.locator('[role="alert"]').waitFor()
    await expect(dialog.locator('[role="alert"]').textContent()).resolves.toMatch(/120 is outside 0\.\.100 %.*\[command\.out_of_range\]/)
    await dialog.locator(testid('command-value')).fill('80')
    await page.screenshot({ path: join(SHOTS, 'commands-dialog-1366x768.png') })
    await dialog.locator(testid('command-operate')).click()
    await dialog.locator(testid('command-outcome')).waitFor({ timeout: 15_000 })
    await expect(dialog.locator(testid('command-outcome')).textContent()).resolves.toBe('Success — read back 80.0 %')
    await page.screenshot({ path: join(SHOTS, 'commands-outcome-1366x768.png') })
    const { ws, client } = await openLoggedIn(server.url)
    try {
      await expect(client.call('opcua.attributes', { connection: 'demo-opcua', nodeId: 'ns=1;s=Line1.Pump101.SpeedSetpoint' }).then((a) => a.value)).resolves.toBe(80)
    } finally {
      ws.close()
    }
    await dialog.locator(testid('command-cancel')).click()

    // a critical command asks for the second person in the dialog
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.locator(`${testid('command-Running-start')} button`).click()
    await dialog.locator(testid('second-user')).waitFor()
    await expect(dialog.locator(testid('command-current')).textContent()).resolves.toBe('Stopped')
    await page.screenshot({ path: join(SHOTS, 'commands-two-person-1920x1080.png') })
    await dialog.locator(testid('command-cancel')).click()

    // a valve held by an operator command: Open is disabled with the interlock's reason
    await page.locator(`${row('Demo plant/Line1/Valve101')}`).click()
    await page.locator(`${testid('command-Position-close')} button`).click()
    await dialog.locator(testid('command-operate')).click()
    await expect(dialog.locator(testid('command-outcome')).textContent()).resolves.toMatch(/^Success/)
    await dialog.locator(testid('command-cancel')).click()
    await page.waitForFunction(() => document.querySelector('[data-testid="command-Position-open"] [data-testid="command-blocked"]')?.textContent?.includes('Interlocked'), undefined, { timeout: 20_000 })
    await expect(page.locator(`${testid('command-Position-open')} ${testid('command-blocked')}`).textContent()).resolves.toBe('Interlocked: the valve may open only in Auto: it is held by an operator command')
    await page.screenshot({ path: join(SHOTS, 'commands-interlocked-1920x1080.png') })
    expect(pageErrors).toEqual([])
  }, 90_000)
})
