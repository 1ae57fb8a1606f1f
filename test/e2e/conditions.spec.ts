/// <reference lib="dom" />
import { join } from 'node:path'
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SHOTS, testid, useHeadlessPage } from '../helpers/e2e'
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto'
import { publisher } from '../helpers/mqtt-harness'
import { openLoggedIn } from '../helpers/login'

// A field broker of our own beside the simulated plant (a real mosquitto, stopped and restarted by the test), with a
// well publishing every 500 ms. Its asset sits under a top-level branch the operator never opens: the branch's row
// must still show the outage, from the core's conditions (the renderer no longer polls, and never loaded that level).

let broker: Mosquitto
let pub: MqttClient
let publishing: ReturnType<typeof setInterval> | undefined

beforeAll(async () => {
  broker = await startMosquitto()
  pub = await publisher(broker.url)
  let n = 0
  publishing = setInterval(() => void pub.publishAsync('field/well1', JSON.stringify({ flow: 10 + (n++ % 3) })).catch(() => undefined), 500)
})
const e2e = useHeadlessPage(() => ({
  connections: [{ id: 'field', kind: 'mqtt', name: 'Field broker', url: broker.url, clientId: 'plantdeck-e2e-conditions', subscriptions: [{ filter: 'field/#', qos: 1 }] }],
}))
afterAll(async () => {
  if (publishing) clearInterval(publishing)
  await pub?.endAsync()
  await broker?.stop()
})

const BRANCH = 'Zz remote site'
const row = (path: string) => `[data-testid="asset-node-${path}"]`

describe('conditions on a collapsed branch', () => {
  it('a branch never opened shows the mark when its field broker goes, and loses it when the broker is back', async () => {
    const { page, server, pageErrors } = e2e
    const { ws, client } = await openLoggedIn(server.url)
    try {
      // the first top-level asset is the one a first start opens: not ours
      const first = await client.call('model.create', { parent: null, name: 'Aa main plant', kind: 'site' })
      await client.call('model.create', { parent: first.id, name: 'Office', kind: 'folder' })
      const site = await client.call('model.create', { parent: null, name: BRANCH, kind: 'site' })
      await client.call('model.create', {
        parent: site.id,
        name: 'Well 1',
        kind: 'sensor',
        attributes: [{ name: 'Flow', dataType: 'number', unit: 'm³/h', binding: { kind: 'mqtt', connection: 'field', topic: 'field/well1', path: 'flow' } }],
      })
    } finally {
      ws.close()
    }
    await page.goto(server.url)
    await page.locator(row(BRANCH)).waitFor({ timeout: 30_000 })
    // values flow: calm (no data yet would be a mark too)
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-condition') === 'good', row(BRANCH), { timeout: 45_000 })
    await expect(page.locator(row(BRANCH)).getAttribute('aria-expanded')).resolves.toBe('false')
    await expect(page.locator(row(`${BRANCH}/Well 1`)).count()).resolves.toBe(0) // its level was never loaded

    await broker.down()
    // the collector marks the values bad as the broker goes; the lost connection alone would say stale
    await page.waitForFunction((sel) => ['bad', 'stale'].includes(document.querySelector(sel)?.getAttribute('data-condition') ?? ''), row(BRANCH), { timeout: 30_000 })
    await expect(page.locator(`${row(BRANCH)} .cond-text`).textContent()).resolves.toMatch(/^(BAD|STALE)$/)
    await expect(page.locator(row(BRANCH)).getAttribute('aria-expanded')).resolves.toBe('false')
    await page.screenshot({ path: join(SHOTS, 'conditions-collapsed-branch-1366x768.png') })

    await broker.restart()
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-condition') === 'good', row(BRANCH), { timeout: 60_000 })
    await expect(page.locator(`${row(BRANCH)} .cond`).count()).resolves.toBe(0)
    expect(pageErrors).toEqual([])
  }, 150_000)
})
