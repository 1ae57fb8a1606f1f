/// <reference lib="dom" />
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SHOTS, testid, useHeadlessPage } from '../helpers/e2e'

const PUMP = 'Demo plant/Line2/Pump201'
const SPEED = 'demo-opcua/Line2.Pump201.Speed'
const FLOW = 'demo-opcua/Line2.Pump201.Flow'

const e2e = useHeadlessPage()

describe('an operator works with a multi-pen trend', () => {
  it('adds pens, zooms, switches range, compares with yesterday, moves cursors, exports CSV and PNG, saves and reopens a view', async () => {
    const { page, server, pageErrors } = e2e
    await page.goto(server.url)
    await page.waitForSelector(testid('asset-tree'))
    if (!(await page.locator(testid(`asset-node-${PUMP}`)).isVisible())) await page.locator(`${testid('asset-node-Demo plant/Line2')} .twisty`).click()
    await page.locator(testid(`asset-node-${PUMP}`)).click()
    await page.locator(testid(`signal-row-${SPEED}`)).click()
    const trend = testid('trend')
    await page.waitForFunction(([sel, sig]) => document.querySelector(sel!)?.getAttribute('data-signal') === sig, [trend, SPEED])

    // + trend on the Flow row pins a second pen; a third row is dragged onto the chart.
    await page.locator(testid(`signal-row-${FLOW}`)).hover()
    await page.locator(testid(`signal-add-trend-${FLOW}`)).click()
    const rows = await page.locator(`${testid('faceplate')} tr[data-signal]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-signal')!))
    const third = rows.find((r) => r !== SPEED && r !== FLOW)!
    expect(third, `rows: ${rows.join(', ')}`).toBeTruthy()
    await page.locator(testid(`signal-row-${third}`)).dragTo(page.locator(testid('trend-drop')))
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-pens') === '3', trend)
    for (const s of [SPEED, FLOW, third]) await page.locator(testid(`trend-pen-${s}`)).waitFor()
    // the legend shows each pen's live value with its unit
    await page.waitForFunction((sel) => /\d.*m³\/h/.test(document.querySelector(sel)?.textContent ?? ''), `${testid(`trend-pen-${FLOW}`)} td.now`)
    await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-drawn')) > 2, trend)
    await page.screenshot({ path: join(SHOTS, 'trends-live-1366x768.png') })

    // Reorder, hide and show a pen.
    await page.locator(testid(`trend-pen-up-${third}`)).click()
    await expect(page.locator(`${testid('trend-legend')} tbody tr`).evaluateAll((els) => els.map((e) => e.getAttribute('data-signal')))).resolves.toEqual([SPEED, third, FLOW])
    await page.locator(testid(`trend-pen-toggle-${FLOW}`)).click()
    await expect(page.locator(testid(`trend-pen-${FLOW}`)).getAttribute('class')).resolves.toContain('is-hidden')
    await page.locator(testid(`trend-pen-toggle-${FLOW}`)).click()

    // Drag on the chart zooms into history; "Back to live" returns.
    const over = page.locator(`${testid('trend-chart')} .u-over`)
    const box = (await over.boundingBox())!
    const before = await page.locator(trend).getAttribute('data-to').then(Number)
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 5 })
    await page.mouse.up()
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-range-kind') === 'fixed', trend)
    // the chart shows the dragged stretch: a fifth of the 10 minutes (the frame loop writes what it drew)
    await page.waitForFunction((sel) => {
      const el = document.querySelector(sel)
      return Number(el?.getAttribute('data-to')) - Number(el?.getAttribute('data-from')) < 300_000
    }, trend)
    const zoomed = { from: Number(await page.locator(trend).getAttribute('data-from')), to: Number(await page.locator(trend).getAttribute('data-to')) }
    expect(zoomed.to - zoomed.from).toBeLessThan(10 * 60_000 * 0.5)
    expect(zoomed.to).toBeLessThan(before)
    // the keyboard pans back in time
    await page.locator(testid('trend-drop')).focus()
    await page.keyboard.press('ArrowLeft')
    await page.waitForFunction(([sel, to]) => Number(document.querySelector(sel!)?.getAttribute('data-to')) < Number(to), [trend, String(zoomed.to)])
    await page.locator(testid('trend-back-live')).click()
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-range-kind') === 'live', trend)

    // Range: the last hour, live.
    await page.locator(testid('trend-range-1h')).click()
    await page.waitForFunction((sel) => {
      const el = document.querySelector(sel)
      return Number(el?.getAttribute('data-to')) - Number(el?.getAttribute('data-from')) === 3_600_000
    }, trend)

    // Compare the flow with yesterday: a dashed overlay asked for the day before (the demo has no such history: empty, not an error).
    await page.locator(testid(`trend-pen-compare-${FLOW}`)).selectOption('1d')
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-compare-points') !== null, trend)

    // Two cursors: each pen's delta, min, max and mean between them.
    await page.locator(testid('trend-range-live')).click()
    await page.locator(testid('trend-cursors')).click()
    // the plant started moments ago: once the flow has 30 s of history, bring both cursors into its last 20 s, B first (it is to the right)
    await page.waitForFunction((sel) => {
      const first = Number(document.querySelector(sel)?.getAttribute('data-first-t'))
      return first > 0 && Date.now() - first > 30_000
    }, testid(`trend-pen-${FLOW}`), { timeout: 60_000 })
    for (const [k, at] of [['b', 0.995], ['a', 0.965]] as const) {
      const h = page.locator(testid(`trend-cursor-${k}`))
      await h.waitFor()
      const hb = (await h.boundingBox())!
      await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2)
      await page.mouse.down()
      await page.mouse.move(box.x + box.width * at, hb.y + hb.height / 2, { steps: 5 })
      await page.mouse.up()
    }
    await page.waitForFunction((sel) => /\d/.test(document.querySelector(sel)?.textContent ?? ''), testid(`trend-stat-mean-${FLOW}`))
    const min = await page.locator(testid(`trend-stat-min-${FLOW}`)).textContent()
    const max = await page.locator(testid(`trend-stat-max-${FLOW}`)).textContent()
    expect(parseFloat(min!.replace(/,/g, ''))).toBeLessThanOrEqual(parseFloat(max!.replace(/,/g, '')))
    // hovering the chart reads every pen's value at that time
    await page.mouse.move(box.x + box.width * 0.98, box.y + box.height / 2)
    await page.waitForFunction((sel) => /\d.*m³\/h/.test(document.querySelector(sel)?.textContent ?? ''), `${testid(`trend-pen-${FLOW}`)} [data-readout]`)
    await expect(page.locator('[data-readout-time]').textContent()).resolves.toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    await page.screenshot({ path: join(SHOTS, 'trends-cursors-1366x768.png') })
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.waitForTimeout(400)
    await page.screenshot({ path: join(SHOTS, 'trends-cursors-1920x1080.png') })
    await page.setViewportSize({ width: 1366, height: 768 })

    // Export: the visible data as CSV (times with the zone's offset), the chart as PNG.
    const [csv] = await Promise.all([page.waitForEvent('download'), page.locator(testid('trend-export-csv')).click()])
    const text = readFileSync(await csv.path(), 'utf8')
    const lines = text.trim().split(/\r\n/)
    expect(lines[0]).toMatch(/^time,.*Speed.*Flow \[m³\/h\].*\(yesterday, shifted\)/)
    expect(lines.length).toBeGreaterThan(3)
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d,/)
    const [png] = await Promise.all([page.waitForEvent('download'), page.locator(testid('trend-export-png')).click()])
    const img = readFileSync(await png.path())
    expect(img.subarray(1, 4).toString()).toBe('PNG')
    expect(img.length).toBeGreaterThan(5000)

    // Save the view, change the trend, reopen the view: the pens and range come back.
    await page.locator(testid('trend-view-name')).fill('Pump 201 check')
    await page.locator(testid('trend-view-save')).click()
    await page.locator(testid(`trend-pen-remove-${third}`)).click()
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-pens') === '2', trend)
    await page.locator(testid('trend-views')).selectOption('Pump 201 check')
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-pens') === '3', trend)
    await expect(page.locator(testid(`trend-pen-compare-${FLOW}`)).inputValue()).resolves.toBe('1d')

    // Share it as a file, open the file again; a bad file is refused in plain words with its code.
    const [viewDl] = await Promise.all([page.waitForEvent('download'), page.locator(testid('trend-view-download')).click()])
    const viewPath = await viewDl.path()
    expect(JSON.parse(readFileSync(viewPath, 'utf8'))).toMatchObject({ format: 'plantdeck.trend-view', name: 'Pump 201 check' })
    await page.locator(testid(`trend-pen-remove-${FLOW}`)).click()
    await page.locator(testid('trend-view-file')).setInputFiles(viewPath)
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes('Opened view “Pump 201 check”'), testid('trend-note'))
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-pens') === '3', trend)
    await page.locator(testid('trend-view-file')).setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello":1}') })
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes('[trend.view_invalid]'), testid('trend-note'))
    await expect(page.locator(testid('trend-note')).textContent()).resolves.toContain('not a Plantdeck trend view')

    // The pens and range survive a reload (a restart of the screen).
    await page.reload()
    // (a failure here once timed out without saying what the trend showed instead: the message now says)
    await page
      .waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-pens') === '3', trend, { timeout: 30_000 })
      .catch(async (e: Error) => {
        const seen = await page.evaluate((sel) => {
          const el = document.querySelector(sel)
          return { pens: el?.getAttribute('data-pens') ?? null, signal: el?.getAttribute('data-signal') ?? null, text: document.body.innerText.slice(0, 600) }
        }, trend)
        throw new Error(`after the reload the trend did not show 3 pens: ${JSON.stringify(seen)} (${e.message})`)
      })
    await page.waitForFunction((sel) => Number(document.querySelector(sel)?.getAttribute('data-drawn')) > 2, trend)
    await page.screenshot({ path: join(SHOTS, 'trends-after-reload-1366x768.png') })
    expect(pageErrors).toEqual([])
  })
})
