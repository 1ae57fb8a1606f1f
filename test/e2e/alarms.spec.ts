/// <reference lib="dom" />
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SHOTS, testid, useHeadlessPage } from '../helpers/e2e'
import { openLoggedIn } from '../helpers/login'

const e2e = useHeadlessPage()

describe('an operator handles an alarm', () => {
  it('sees a new alarm in the banner, acknowledges it with a note from the summary, and finds it in the journal', async () => {
    const { page, server, pageErrors } = e2e
    await page.goto(server.url)
    await page.locator(testid('alarm-banner')).waitFor()
    await page.waitForFunction(() => !document.querySelector('[data-testid="alarm-banner"]')?.textContent?.includes('waiting for the server'))

    // An engineer adds a high alarm that is active at once (a limit below any level) and wants a note on acknowledging.
    const { ws, client } = await openLoggedIn(server.url)
    let key: string
    try {
      const a = await client.call('model.create', {
        parent: null,
        name: 'Alarm drill',
        kind: 'tank',
        attributes: [
          {
            name: 'Level',
            dataType: 'number',
            unit: '%',
            decimals: 1,
            binding: { kind: 'opcua', connection: 'demo-opcua', nodeId: 'ns=1;s=Line1.Tank101.Level' },
            alarms: [{ id: 'drill', type: 'hi', priority: 'high', limit: -1, message: '{asset} level {value} {unit} above {limit} {unit}', guidance: 'Tell the shift lead', ackNote: true }],
          },
        ],
      })
      key = `${a.id}/Level/drill`
    } finally {
      ws.close()
    }

    // The banner shows it: the highest priority unacknowledged alarm, by shape and word as well as colour.
    await page.waitForFunction((k) => document.querySelector('[data-testid="alarm-banner-top"]')?.getAttribute('data-key') === k, key, { timeout: 20_000 })
    await expect(page.locator(testid('alarm-banner-top')).textContent()).resolves.toMatch(/HIGH.*Alarm drill.*level \d/)
    await expect(page.locator(testid('alarm-count-high')).getAttribute('data-count')).resolves.not.toBe('0')
    await page.screenshot({ path: join(SHOTS, 'alarms-banner-1366x768.png') })

    // The summary: select it, acknowledge; the note is required, so OK waits for one.
    await page.locator(testid('alarm-banner-top')).click()
    const row = page.locator(testid(`alarm-row-${key}`))
    await row.waitFor()
    await expect(row.getAttribute('data-state')).resolves.toBe('unack')
    await row.click()
    await page.locator(testid('alarm-ack')).click()
    await page.locator(testid('alarm-dialog')).waitFor()
    await expect(page.locator(testid('alarm-dialog-ok')).isDisabled()).resolves.toBe(true)
    await page.locator(testid('alarm-note')).fill('Shift lead told; level transmitter check booked')
    await page.screenshot({ path: join(SHOTS, 'alarms-ack-1366x768.png') })
    await page.locator(testid('alarm-dialog-ok')).click()
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-state') === 'ack', testid(`alarm-row-${key}`))
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.screenshot({ path: join(SHOTS, 'alarms-summary-1920x1080.png') })
    await page.setViewportSize({ width: 1366, height: 768 })
    // acknowledged, it leaves the banner's headline
    await page.waitForFunction((k) => document.querySelector('[data-testid="alarm-banner-top"]')?.getAttribute('data-key') !== k, key)

    // The journal: the raise and the acknowledgement with its note and who.
    await page.locator(testid('alarms-tab-journal')).click()
    await page.locator(`${testid('journal-table')} tr[data-key="${key}"][data-event="ack"]`).waitFor()
    const ack = page.locator(`${testid('journal-table')} tr[data-key="${key}"][data-event="ack"]`)
    await expect(ack.textContent()).resolves.toMatch(/Shift lead told.*|.*session.*/)
    await expect(ack.textContent()).resolves.toContain('Shift lead told; level transmitter check booked')
    await expect(page.locator(`${testid('journal-table')} tr[data-key="${key}"][data-event="raise"]`).count()).resolves.toBe(1)
    await page.screenshot({ path: join(SHOTS, 'alarms-journal-1366x768.png') })

    // The operator tree marks the asset, by its alarm's priority.
    await page.locator(testid('view-operator')).click()
    await page.locator(`${testid('asset-node-Alarm drill')} [data-testid="alarm-mark"][data-priority="high"]`).waitFor()

    expect(pageErrors).toEqual([])
  }, 120_000)
})
