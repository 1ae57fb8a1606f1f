/// <reference lib="dom" />
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SHOTS, testid, useHeadlessPage } from '../helpers/e2e'
import { openWs } from '../helpers/ws-client'

const PUMP = 'Demo plant/Line2/Pump201'
const SPEED = 'demo-opcua/Line2.Pump201.Speed'
const FLOW = 'demo-opcua/Line2.Pump201.Flow'

const e2e = useHeadlessPage()

describe('the PoC presenter sees a living plant', () => {
  it('shows the tree, a pump with live values, a drawing trend and connected sources', async () => {
    const { page, server, pageErrors } = e2e
    await page.goto(server.url)
    await page.waitForSelector(testid('asset-tree'))

    // Both demo connections come up by themselves.
    for (const c of ['demo-opcua', 'demo-mqtt']) {
      await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.match(/connected/i), testid(`connection-${c}`), { timeout: 30_000 })
    }

    // Open the line if needed, then click the pump as an operator would.
    if (!(await page.locator(testid(`asset-node-${PUMP}`)).isVisible())) {
      await page.locator(`${testid('asset-node-Demo plant/Line2')} .twisty`).click()
    }
    await page.locator(testid(`asset-node-${PUMP}`)).click()
    await expect(page.locator(testid(`asset-node-${PUMP}`)).getAttribute('aria-selected')).resolves.toBe('true')

    // Its values are there, with unit and quality, and they live.
    const flow = page.locator(testid(`signal-value-${FLOW}`))
    await flow.waitFor()
    await page.waitForFunction((sel) => /\d/.test(document.querySelector(sel)?.textContent ?? ''), testid(`signal-value-${FLOW}`))
    await expect(page.locator(testid(`signal-row-${FLOW}`)).textContent()).resolves.toMatch(/m³\/h/)
    await expect(page.locator(testid(`signal-quality-${FLOW}`)).textContent()).resolves.toMatch(/good/i)

    // Trend the pump's speed: values change over a few seconds and the chart draws.
    await page.locator(testid(`signal-row-${SPEED}`)).click()
    await page.waitForFunction((sig) => document.querySelector('[data-testid="trend"]')?.getAttribute('data-signal') === sig, SPEED)
    // The trended row shows the value's source time and the OPC UA server's timestamp next to it.
    await page.waitForFunction(
      (sel) => /^source \d\d:\d\d:\d\d\.\d{3} · server \d\d:\d\d:\d\d\.\d{3}( · |$)/.test(document.querySelector(sel)?.textContent ?? ''),
      testid(`signal-times-${SPEED}`),
    )
    // ... and where its samples went: received, stored, rejected, duplicates (signals.accounting)
    await page.waitForFunction(
      (sel) => /^ · [\d,]+ received · [\d,]+ stored · 0 rejected · 0 duplicates/.test(document.querySelector(sel)?.textContent ?? ''),
      testid(`signal-account-${SPEED}`),
    )
    const readings = new Set<string>()
    const deadline = Date.now() + 20_000
    while (readings.size < 3 && Date.now() < deadline) {
      readings.add((await page.locator(testid(`signal-value-${FLOW}`)).textContent()) ?? '')
      await page.waitForTimeout(500)
    }
    // the status bar shows the store's size and since when it holds samples (event sync.status, about 1/s)
    await page.waitForFunction((sel) => /^Store [\d.]+ (B|KB|MB|GB)( · since .+)?$/.test(document.querySelector(sel)?.textContent ?? ''), testid('store-size'))
    await page.screenshot({ path: join(SHOTS, 'living-plant-1366x768.png') })
    // the control-room size too: the same screen must read at 1920x1080 (looked at, not compared)
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.waitForTimeout(300)
    await page.screenshot({ path: join(SHOTS, 'living-plant-1920x1080.png') })
    await page.setViewportSize({ width: 1366, height: 768 })
    expect(readings.size, `flow readings seen: ${[...readings].join(', ')}`).toBeGreaterThanOrEqual(3)

    // The trend canvas has drawn a line: more than a handful of distinct pixel colours.
    const colours = await page.locator(`${testid('trend')} canvas`).first().evaluate((c: HTMLCanvasElement) => {
      const ctx = c.getContext('2d')!
      const { data } = ctx.getImageData(0, 0, c.width, c.height)
      const seen = new Set<number>()
      for (let i = 0; i < data.length; i += 16) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!)
      return seen.size
    })
    expect(colours).toBeGreaterThan(3)

    // A broken client sends bad messages; the engineer reads the rejection counts by code in the status bar.
    const { ws } = await openWs(server.url.replace(/^http/, 'ws') + 'api')
    let answered = 0
    const all = new Promise<void>((r) => ws.on('message', () => ++answered === 30 && r()))
    for (let i = 0; i < 25; i++) ws.send('{"id":1,')
    for (let i = 0; i < 5; i++) ws.send(JSON.stringify({ id: i, method: 'trends.query', params: { signals: [] } }))
    await all
    ws.close()
    await page.locator(testid('rpc-diagnostics')).click()
    await page.waitForFunction((sel) => /25/.test(document.querySelector(sel)?.textContent ?? ''), testid('diag-rejected-rpc.bad_json'))
    await expect(page.locator(testid('diag-rejected-rpc.bad_params')).textContent()).resolves.toBe('rpc.bad_params5')
    await expect(page.locator(testid('rpc-diagnostics')).textContent()).resolves.toMatch(/API · 30 rejected/)
    await page.screenshot({ path: join(SHOTS, 'living-plant-diagnostics-1366x768.png') })

    expect(pageErrors).toEqual([])
  })
})
