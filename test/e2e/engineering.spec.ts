/// <reference lib="dom" />
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SHOTS, testid, useHeadlessPage } from '../helpers/e2e'
import { openLoggedIn } from '../helpers/login'

const METER = 'plantdeck/demo/line1/meters/EM101'

const e2e = useHeadlessPage()
const textOf = (sel: string) => e2e.page.locator(sel).textContent()

describe('the field engineer', () => {
  it('checks certificates, browses OPC UA to a pump, maps an MQTT meter field, edits the mapping, and finds the new signal in the asset tree', async () => {
    const { page, server, pageErrors } = e2e
    await page.goto(server.url)
    for (const c of ['demo-opcua', 'demo-mqtt']) {
      await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-health') === 'connected', testid(`connection-${c}`), { timeout: 30_000 })
    }

    // Engineering opens on the certificates: the demo server's certificate is there, already trusted by the demo config.
    await page.locator(testid('view-engineering')).click()
    await expect(page.locator(testid('view-engineering')).getAttribute('aria-selected')).resolves.toBe('true')
    const cert = page.locator(`${testid('certificates-panel')} article[data-status]`).first()
    await cert.waitFor()
    await expect(cert.getAttribute('data-status')).resolves.toBe('trusted')
    await expect(cert.textContent()).resolves.toMatch(/Thumbprint/)

    // OPC UA: Objects → Plant → Line1 → Pump101, one page per expand; the pump and its Flow show their attributes.
    await page.locator(testid('eng-nav-opcua:demo-opcua')).click()
    await page.locator(testid('opcua-browser-demo-opcua')).waitFor()
    for (const n of ['ns=1;s=Plant', 'ns=1;s=Line1']) await page.locator(testid(`opcua-twisty-${n}`)).click()
    await page.locator(testid('opcua-node-ns=1;s=Line1.Pump101')).click()
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes('Line1.Pump101'), `${testid('opcua-attributes')} [data-attr="NodeId"]`)
    await page.locator(testid('opcua-twisty-ns=1;s=Line1.Pump101')).click()
    await page.locator(testid('opcua-node-ns=1;s=Line1.Pump101.Flow')).click()
    const attr = (name: string) => `${testid('opcua-attributes')} [data-attr="${name}"] td`
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'Double', attr('DataType'))
    await expect(textOf(attr('EngineeringUnits'))).resolves.toBe('m³/h')
    await expect(textOf(attr('AccessLevel'))).resolves.toMatch(/read/)
    await expect(textOf(attr('Value'))).resolves.toMatch(/\d/)

    // MQTT: walk down to a meter, click the topic, click a JSON field, add the prefilled mapping.
    await page.locator(testid('eng-nav-mqtt:demo-mqtt')).click()
    await page.locator(testid('mqtt-browser-demo-mqtt')).waitFor()
    for (const p of ['plantdeck', 'plantdeck/demo', 'plantdeck/demo/line1', 'plantdeck/demo/line1/meters']) await page.locator(testid(`mqtt-topic-${p}`)).click()
    await page.locator(testid(`mqtt-topic-${METER}`)).click()
    await page.locator(testid('mqtt-field-power.total')).click()
    const signal = await page.locator(testid('mqtt-mapping-id')).inputValue()
    // The demo maps this field already, so the form offers a free id next to it.
    expect(signal).toMatch(/^demo-mqtt\/EM101\.power\.total-\d+$/)
    await page.locator(testid('mqtt-mapping-save')).click()
    await page.waitForFunction((id) => document.querySelector('[data-testid="mqtt-mapping-saved"]')?.textContent?.includes(id), signal)
    await page.locator(testid(`mqtt-mapping-${signal}`)).waitFor()
    await page.screenshot({ path: join(SHOTS, 'engineering-mqtt-mapping-1366x768.png') })

    // Edit it while connected: a new name and unit, saved, shown in the list and in the catalog.
    await page.locator(testid(`mqtt-mapping-edit-${signal}`)).click()
    await page.locator(testid('mqtt-edit-name')).fill('EM101 total power (2nd)')
    await page.locator(testid('mqtt-edit-unit')).fill('W')
    await page.screenshot({ path: join(SHOTS, 'engineering-mqtt-edit-mapping-1366x768.png') })
    await page.locator(testid('confirm-ok')).click()
    await page.waitForFunction((id) => document.querySelector('[data-testid="mqtt-mapping-edited"]')?.textContent?.includes(id), signal)
    await page.waitForFunction((sel) => / · W$/.test(document.querySelector(sel)?.textContent?.trim() ?? ''), `${testid(`mqtt-mapping-${signal}`)} .m-src`)

    // The new signal is in the catalog and the tree, and it receives values.
    const { ws, client } = await openLoggedIn(server.url)
    try {
      const tree = await client.call('assets.tree', {})
      expect(tree.signals.find((s) => s.id === signal)).toMatchObject({ connection: 'demo-mqtt', dataType: 'number', unit: 'W', name: 'EM101 total power (2nd)' })
      const folder = tree.root.children.find((n) => n.signals.some((s) => s.signal === signal))
      expect(folder?.id).toBe('demo-mqtt:mqtt-mappings')
    } finally {
      ws.close()
    }
    await page.locator(testid('view-operator')).click()
    // in the model the mapping is an attribute of "demo-mqtt (mapped)", bound to the topic and field; the demo's own
    // mapping of that field already carries it, so the attribute shows that signal's values
    await page.locator(testid('asset-node-demo-mqtt (mapped)')).click()
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="faceplate"] [data-testid^="signal-value-demo-mqtt/EM101.power.total"]')].some((e) => /\d/.test(e.textContent ?? '')), undefined, { timeout: 20_000 })
    await page.screenshot({ path: join(SHOTS, 'engineering-new-signal-1366x768.png') })

    expect(pageErrors).toEqual([])
  })
})
