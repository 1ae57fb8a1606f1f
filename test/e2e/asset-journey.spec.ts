/// <reference lib="dom" />
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SHOTS, testid, useHeadlessPage } from '../helpers/e2e'

const e2e = useHeadlessPage()
const node = (path: string) => testid(`model-node-${path}`)
/** The demo server's pump 201 flow, as the OPC UA browser lists it and as the collector already delivers it. */
const FLOW_NODE = 'ns=1;s=Line2.Pump201.Flow'
const FLOW_SIGNAL = 'demo-opcua/Line2.Pump201.Flow'

describe('an engineer builds equipment from a template and binds it from the OPC UA browser', () => {
  it('creates a template and three pumps from it, binds one by dragging a node, moves one, sees the value in the operator tree, exports the subtree', async () => {
    const { page, server, pageErrors } = e2e
    await page.goto(server.url)
    await page.locator(testid('view-engineering')).click()
    await page.locator(testid('eng-nav-assets')).click()
    await page.locator(testid('asset-model-panel')).waitFor()

    // A top-level line of its own, through "New asset".
    await page.locator(testid('model-new')).click()
    await page.locator(testid('model-new-name')).fill('Line 9')
    await page.locator(testid('model-new-kind')).fill('line')
    await page.locator(testid('confirm-ok')).click()
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'Line 9', testid('model-asset-path'))

    // A template through the template editor: Speed bound by pattern to a node each instance will have
    // (the demo server has none for these pumps: they stay "not collected"), and a fixed rated power.
    await page.locator(testid('model-tab-templates')).click()
    await page.locator(testid('tpl-new')).click()
    await page.locator(testid('tpl-name')).fill('Booster pump')
    await page.locator(testid('tpl-attrs-add')).click()
    await page.locator(testid('tpl-attrs-name-0')).fill('Speed')
    await page.locator(testid('tpl-attrs-unit-0')).fill('rpm')
    await page.locator(testid('tpl-attrs-binding-0')).fill('{"kind":"opcua","connection":"demo-opcua","nodeId":"ns=1;s={parent}.{asset}.Speed"}')
    await page.locator(testid('tpl-attrs-add')).click()
    await page.locator(testid('tpl-attrs-name-1')).fill('Rated power')
    await page.locator(testid('tpl-attrs-unit-1')).fill('kW')
    await page.locator(testid('tpl-attrs-binding-1')).fill('{"kind":"constant","value":15}')
    await page.locator(testid('tpl-create')).click()
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes('Created template “Booster pump”'), testid('model-result'))
    await page.screenshot({ path: join(SHOTS, 'asset-journey-template-1366x768.png') })

    // Three pumps from it under Line 9, in one step.
    await page.locator(testid('model-tab-assets')).click()
    await page.locator(node('Line 9')).click()
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'Line 9', testid('model-asset-path'))
    await page.locator(testid('model-instantiate')).click()
    await page.waitForFunction((sel) => [...((document.querySelector(sel) as HTMLSelectElement | null)?.options ?? [])].some((o) => o.textContent?.startsWith('Booster pump')), testid('model-inst-template'))
    const option = await page.locator(`${testid('model-inst-template')} option`, { hasText: 'Booster pump' }).getAttribute('value')
    await page.locator(testid('model-inst-template')).selectOption(option!)
    await page.locator(testid('model-inst-names')).fill('P-901\nP-902\nP-903')
    await page.locator(testid('confirm-ok')).click()
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes('Created 3 asset(s)'), testid('model-result'))
    await page.locator(testid('model-twisty-Line 9')).click()
    for (const p of ['P-901', 'P-902', 'P-903']) await page.locator(node(`Line 9/${p}`)).waitFor()

    // Drag pump 201's Flow from the OPC UA browser (Objects › Plant › Line2 › Pump201) onto P-901.
    for (const id of ['ns=1;s=Plant', 'ns=1;s=Line2', 'ns=1;s=Line2.Pump201']) {
      const twisty = page.locator(testid(`opcua-twisty-${id}`))
      await twisty.waitFor({ timeout: 20_000 })
      await twisty.click()
    }
    await page.locator(testid(`opcua-node-${FLOW_NODE}`)).waitFor()
    await page.locator(testid(`opcua-node-${FLOW_NODE}`)).dragTo(page.locator(node('Line 9/P-901')))
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes('Bound 1 attribute(s) of “Line 9/P-901”'), testid('model-result'), { timeout: 20_000 })
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-state') === 'live', testid('model-attr-state-Flow'), { timeout: 20_000 })
    await expect(page.locator(`${testid('model-attributes')} tr[data-attr="Flow"] td.m-src`).textContent()).resolves.toBe(`opcua demo-opcua ${FLOW_NODE}`)
    // the template's pattern names a node the server does not have: said so, not hidden
    await expect(page.locator(testid('model-attr-state-Speed')).getAttribute('data-state')).resolves.toBe('not_collected')
    await page.screenshot({ path: join(SHOTS, 'asset-journey-bound-1366x768.png') })

    // Edit Flow's display format in the attribute table: one decimal.
    await page.locator(testid('model-edit')).click()
    const flowRow = page.locator(`${testid('model-ed-attrs')} tr`, { has: page.locator('input[value="Flow"]') })
    await flowRow.locator('input[aria-label="Dec of Flow"]').fill('1')
    await page.locator(testid('model-ed-save')).click()
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.startsWith('Saved “Line 9/P-901”'), testid('model-result'))

    // Drag P-903 to the top level, then back under Line 9.
    await page.locator(node('Line 9/P-903')).dragTo(page.locator(testid('model-top-drop')))
    await page.locator(node('P-903')).waitFor()
    await page.locator(node('P-903')).dragTo(page.locator(node('Line 9')))
    await page.locator(node('Line 9/P-903')).waitFor()
    // a move under itself is refused with its code
    await page.locator(node('Line 9')).dragTo(page.locator(node('Line 9/P-902')))
    await page.waitForFunction(() => document.body.textContent?.includes('[model.cycle]'))

    // The change log says who did what: the move back is the newest change
    await page.locator(testid('model-tab-changes')).click()
    await page.waitForFunction(() => /move/.test(document.querySelector('[data-testid="model-changes"] tbody tr')?.textContent ?? ''))
    await page.locator(testid('model-tab-assets')).click()

    // The operator tree reads the model: Line 9 › P-901 shows pump 201's flow live, with one decimal and its unit.
    await page.locator(testid('view-operator')).click()
    await page.locator(`${testid('asset-node-Line 9')} .twisty`).click()
    await page.locator(testid('asset-node-Line 9/P-901')).click()
    const value = page.locator(testid(`signal-value-${FLOW_SIGNAL}`))
    await page.waitForFunction((sel) => /^\d[\d,]*\.\d$/.test(document.querySelector(sel)?.textContent ?? ''), testid(`signal-value-${FLOW_SIGNAL}`), { timeout: 20_000 })
    await expect(page.locator(testid(`signal-row-${FLOW_SIGNAL}`)).textContent()).resolves.toMatch(/m³\/h/)
    const first = await value.textContent()
    await page.waitForFunction(({ sel, was }) => document.querySelector(sel)?.textContent !== was, { sel: testid(`signal-value-${FLOW_SIGNAL}`), was: first }, { timeout: 20_000 })
    // the constant and the uncollected attribute are shown for what they are
    const fixed = page.locator(`${testid('faceplate')} tr.fixed`)
    await expect(fixed.filter({ hasText: 'Rated power' }).textContent()).resolves.toMatch(/15/)
    await expect(fixed.filter({ hasText: 'Speed' }).getAttribute('data-state')).resolves.toBe('not_collected')
    await page.screenshot({ path: join(SHOTS, 'asset-journey-operator-1366x768.png') })

    // Export the Line 9 subtree as JSON: the three pumps, the bound Flow, the template.
    await page.locator(testid('view-engineering')).click()
    await page.locator(testid('eng-nav-assets')).click()
    await page.locator(node('Line 9')).click()
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent === 'Line 9', testid('model-asset-path'))
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(testid('model-export-json')).click()])
    const doc = JSON.parse(readFileSync(await download.path(), 'utf8')) as { assets: { name: string; attributes: { name: string; binding?: { nodeId?: string } }[] }[]; templates?: { name: string }[] }
    expect(doc.assets.map((a) => a.name).sort()).toEqual(['Line 9', 'P-901', 'P-902', 'P-903'])
    expect(doc.assets.find((a) => a.name === 'P-901')?.attributes.find((x) => x.name === 'Flow')?.binding?.nodeId).toBe(FLOW_NODE)
    expect(doc.assets.find((a) => a.name === 'P-902')?.attributes.find((x) => x.name === 'Speed')?.binding?.nodeId).toBe('ns=1;s=Line 9.P-902.Speed')
    expect(doc.templates?.map((t) => t.name)).toContain('Booster pump')

    expect(pageErrors).toEqual([])
  }, 180_000)
})
