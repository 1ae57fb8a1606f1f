/// <reference lib="dom" />
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SHOTS, testid, useHeadlessPage } from '../helpers/e2e'
import { openLoggedIn } from '../helpers/login'

const e2e = useHeadlessPage()
const SETPOINT = 'ns=1;s=Line1.Pump101.SpeedSetpoint'
const SIGNAL = 'demo-opcua/Line1.Pump101.SpeedSetpoint'

describe('the audit view', () => {
  it('shows raw writes with who, target, old → new and the outcome; filters, checks the chain, exports CSV', async () => {
    const { page, server, pageErrors } = e2e
    const { ws, client } = await openLoggedIn(server.url)
    try {
      // the old value of a raw write is the live value, once the collector has one
      const end = Date.now() + 30_000
      while (!(await client.call('signals.current', { signals: [SIGNAL] })).length) {
        if (Date.now() > end) throw new Error(`no live value of ${SIGNAL}`)
        await new Promise((r) => setTimeout(r, 100))
      }
      await expect(client.call('opcua.write', { connection: 'demo-opcua', nodeId: SETPOINT, value: 55 })).resolves.toMatchObject({ ok: true })
      // refused before sending (wrong type): audited with its code
      await expect(client.call('opcua.write', { connection: 'demo-opcua', nodeId: SETPOINT, value: 'fast' })).rejects.toMatchObject({ code: 'opcua.bad_value' })
      const top = await client.call('model.children', { parent: null })
      await client.call('model.update', { id: top.items[0]!.id, description: 'audited edit' })
    } finally {
      ws.close()
    }

    await page.goto(server.url)
    await page.locator(testid('view-engineering')).click()
    await page.locator(testid('eng-nav-audit')).click()
    await page.locator(testid('audit-view')).waitFor()
    await page.locator('[data-testid^="audit-"][data-action="raw.write"]').first().waitFor()
    const rows = () => page.locator('[data-testid="audit-rows"] [data-action]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-action'), e.getAttribute('data-result')]))
    // newest first: the model edit, then the refused write (pending, then its code), then the write that went out
    expect((await rows()).slice(0, 6)).toEqual([
      ['model.update', 'ok'],
      ['model.update', 'pending'],
      ['raw.write', 'opcua.bad_value'],
      ['raw.write', 'pending'],
      ['raw.write', 'ok'],
      ['raw.write', 'pending'],
    ])
    // only what did not succeed
    await page.locator(testid('audit-result')).selectOption('failed')
    await page.locator(testid('audit-search')).click()
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="audit-rows"] [data-result]')].every((e) => e.getAttribute('data-result') === 'opcua.bad_value'))
    await page.locator(testid('audit-result')).selectOption('')
    await page.locator(testid('audit-action')).fill('raw.')
    await page.locator(testid('audit-search')).click()
    await page.waitForFunction(() => {
      const r = [...document.querySelectorAll('[data-testid="audit-rows"] [data-action]')]
      return r.length === 4 && r.every((e) => e.getAttribute('data-action') === 'raw.write')
    })
    // the write that went out: pending entry with who, target, old and new value
    const pending = page.locator('[data-testid="audit-rows"] [data-action="raw.write"][data-result="pending"]').last()
    await expect(pending.textContent()).resolves.toMatch(/admin.*raw\.write.*demo-opcua ns=1;s=Line1\.Pump101\.SpeedSetpoint[\d.]+ → 55pending/)
    await pending.click()
    const detail = page.locator(testid('audit-detail'))
    await expect(detail.textContent()).resolves.toMatch(/New value55.*Resultpending.*Hash[0-9a-f]{64}/)
    await page.locator(testid('audit-verify')).click()
    const verdict = page.locator(testid('audit-verify-result'))
    await verdict.waitFor()
    await expect(verdict.getAttribute('data-ok')).resolves.toBe('true')
    await expect(verdict.textContent()).resolves.toMatch(/Chain intact: \d+ records checked · head #\d+ [0-9a-f]{16}…/)
    await page.screenshot({ path: join(SHOTS, 'audit-view-1366x768.png') })
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.screenshot({ path: join(SHOTS, 'audit-view-1920x1080.png') })

    const download = page.waitForEvent('download')
    await page.locator(testid('audit-csv')).click()
    const file = await download
    const text = await new Promise<string>((res, rej) => {
      let s = ''
      void file.createReadStream().then((st) => {
        st.on('data', (d: Buffer) => (s += d.toString()))
        st.on('end', () => res(s))
        st.on('error', rej)
      }, rej)
    })
    const lines = text.trim().split('\n')
    expect(lines[0]).toBe('id,at,action,user,from,target,oldValue,newValue,result,detail,prevHash,hash')
    expect(lines).toHaveLength(5)
    expect(lines.slice(1).every((l) => l.includes(',raw.write,'))).toBe(true)
    expect(pageErrors).toEqual([])
  })
})
