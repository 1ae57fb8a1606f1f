/// <reference lib="dom" />
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SHOTS, testid, useHeadlessPage } from '../helpers/e2e'
import { openLoggedIn } from '../helpers/login'

const e2e = useHeadlessPage()
const node = (path: string) => testid(`model-node-${path}`)

describe('the asset model in the engineering view', () => {
  it('instantiates a template for two pumps under Line2, shows them with their attributes, exports the subtree, and undoes it', async () => {
    const { page, server, pageErrors } = e2e
    // Through the API: a "Pump" template whose Speed is bound by pattern to the demo's OPC UA namespace (ns=1), and Line2.
    const { ws, client } = await openLoggedIn(server.url)
    try {
      await client.call('model.templates.create', {
        id: 'pump',
        name: 'Line pump', // the simulated plant's seeded model has a "Centrifugal pump" template of its own
        attributes: [
          { name: 'Speed', dataType: 'number', unit: 'rpm', range: { min: 0, max: 3000 }, limits: { hi: 2800, hihi: 2950 }, binding: { kind: 'opcua', connection: 'demo-opcua', nodeId: 'ns=1;s={parent}.{asset}.Speed' } },
          { name: 'Running', dataType: 'boolean', binding: { kind: 'opcua', connection: 'demo-opcua', nodeId: 'ns=1;s={parent}.{asset}.Running' } },
        ],
      })
      // A template whose pattern needs a "site" ancestor, which Line2 has not: instantiating it is refused.
      await client.call('model.templates.create', { id: 'sited', name: 'Sited', attributes: [{ name: 'Flow', dataType: 'number', binding: { kind: 'opcua', connection: 'demo-opcua', nodeId: 'ns=1;s={site}.{asset}.Flow' } }] })
      await client.call('model.create', { parent: null, name: 'Line2', kind: 'line' })
    } finally {
      ws.close()
    }

    await page.goto(server.url)
    await page.locator(testid('view-engineering')).click()
    await page.locator(testid('eng-nav-assets')).click()
    await page.locator(testid('asset-model-panel')).waitFor()
    await page.locator(node('Line2')).click()
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'Line2', testid('model-asset-path'))

    // A pattern that cannot be filled: the dialog shows the refusal with its code and nothing is created.
    await page.locator(testid('model-instantiate')).click()
    await page.waitForFunction((sel) => [...((document.querySelector(sel) as HTMLSelectElement | null)?.options ?? [])].filter((o) => o.value === 'pump' || o.value === 'sited').length === 2, testid('model-inst-template'))
    await page.locator(testid('model-inst-template')).selectOption('sited')
    await page.locator(testid('model-inst-names')).fill('FT-1')
    await page.locator(testid('confirm-ok')).click()
    const refusal = page.locator(`${testid('confirm-dialog')} [role="alert"]`)
    await refusal.waitFor()
    await expect(refusal.textContent()).resolves.toMatch(/\[model\.\w+\]/)
    await page.screenshot({ path: join(SHOTS, 'asset-model-instantiate-refused-1366x768.png') })
    await page.locator(testid('confirm-cancel')).click()
    await expect(page.locator(node('Line2')).getAttribute('aria-expanded')).resolves.toBeNull()

    // Instantiate "Pump" for P-201 and P-202 under Line2 through the dialog.
    await page.locator(testid('model-instantiate')).click()
    await page.waitForFunction((sel) => [...((document.querySelector(sel) as HTMLSelectElement | null)?.options ?? [])].filter((o) => o.value === 'pump' || o.value === 'sited').length === 2, testid('model-inst-template'))
    await page.locator(testid('model-inst-template')).selectOption('pump')
    await page.locator(testid('model-inst-names')).fill('P-201\nP-202\n')
    await page.screenshot({ path: join(SHOTS, 'asset-model-instantiate-1366x768.png') })
    await page.locator(testid('confirm-ok')).click()
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes('Created 2 asset(s)'), testid('model-result'))

    // Both in the tree (Line2 expanded), with their attributes and filled bindings.
    await page.locator(testid('model-twisty-Line2')).click()
    for (const p of ['Line2/P-201', 'Line2/P-202']) await page.locator(node(p)).waitFor()
    await page.locator(node('Line2/P-201')).click()
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'Line2/P-201', testid('model-asset-path'))
    await expect(page.locator(`${testid('model-attributes')} tbody tr`).count()).resolves.toBe(2)
    await expect(page.locator(`${testid('model-attributes')} tr[data-attr="Speed"] td.m-src`).textContent()).resolves.toBe('opcua demo-opcua ns=1;s=Line2.P-201.Speed')
    await page.screenshot({ path: join(SHOTS, 'asset-model-1366x768.png') })
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.screenshot({ path: join(SHOTS, 'asset-model-1920x1080.png') })
    await page.setViewportSize({ width: 1366, height: 768 })

    // Export the Line2 subtree as JSON: the download names both pumps.
    await page.locator(node('Line2')).click()
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'Line2', testid('model-asset-path'))
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(testid('model-export-json')).click()])
    const path = await download.path()
    const { readFileSync } = await import('node:fs')
    const doc = JSON.parse(readFileSync(path, 'utf8')) as { format: string; assets: { name: string }[] }
    expect(doc.format).toBe('plantdeck.asset-model')
    expect(doc.assets.map((a) => a.name).sort()).toEqual(['Line2', 'P-201', 'P-202'])

    // Import: a broken file is refused with its stable code; the exported subtree, checked by path, creates nothing.
    await page.locator(testid('model-import')).click()
    await page.locator(testid('model-import-text')).fill('{"format": "plantdeck.asset-model", ')
    await page.locator(testid('model-import-check')).click()
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes('[model.bad_import]'), `${testid('model-import-dialog')} [role="alert"]`)
    await page.locator(testid('model-import-text')).fill(readFileSync(path, 'utf8'))
    await page.locator(testid('model-import-under')).uncheck() // the export's paths start at the top
    await page.locator(testid('model-import-check')).click()
    await page.locator(testid('model-import-report')).waitFor()
    await expect(page.locator(testid('model-import-created')).getAttribute('data-count')).resolves.toBe('0')
    await expect(page.locator(testid('model-import-deleted')).getAttribute('data-count')).resolves.toBe('0')
    await page.screenshot({ path: join(SHOTS, 'asset-model-import-check-1366x768.png') })
    await page.keyboard.press('Escape')
    await page.locator(testid('model-import-dialog')).waitFor({ state: 'detached' })

    // Undo: the dialog names the instantiate; after it both pumps are gone from the tree.
    await page.locator(testid('model-undo')).click()
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes('instantiate'), testid('model-undo-preview'))
    await page.screenshot({ path: join(SHOTS, 'asset-model-undo-1366x768.png') })
    await page.locator(testid('confirm-ok')).click()
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes('Undid change'), testid('model-result'))
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 0, `${node('Line2/P-201')}, ${node('Line2/P-202')}`)
    await page.locator(node('Line2')).waitFor()

    expect(pageErrors).toEqual([])
  }, 120_000)
})
