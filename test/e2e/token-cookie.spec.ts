/// <reference lib="dom" />
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { testid, useHeadlessPage } from '../helpers/e2e'
import { openClient } from '../helpers/ws-client'

const TOKEN = 'e2e-secret-token-9f3c1a7b5d'
// not signed in: the token cookie gates the page, the kiosk (simulated plant on loopback) shows it
const e2e = useHeadlessPage(() => ({ server: { port: 0, token: TOKEN } }), { signIn: false })

describe('a browser opens the server once with ?token= and then works by cookie', () => {
  it('is redirected to the bare URL with an HttpOnly cookie, and the WebSocket authenticates by it', async () => {
    const { page, server, pageErrors } = e2e
    const resp = await page.goto(`${server.url}?token=${encodeURIComponent(TOKEN)}`)
    // The server redirected (the token left the URL before any page script ran), then served the page.
    expect(resp?.request().redirectedFrom()?.url()).toContain('token=')
    expect(resp?.status()).toBe(200)
    expect(page.url()).toBe(server.url)

    // The API works: both demo connections report connected over the WebSocket, which carries only the cookie.
    for (const c of ['demo-opcua', 'demo-mqtt']) {
      await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.match(/connected/i), testid(`connection-${c}`), { timeout: 30_000 })
    }
    const cookies = await page.context().cookies()
    expect(cookies).toHaveLength(1)
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/', secure: false })
    expect(cookies[0]!.value).not.toContain(TOKEN)
    // Page scripts cannot read it, and nothing keeps the token in the page's storage.
    const visible = await page.evaluate(() => document.cookie + JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }) + location.href)
    expect(visible).not.toContain(TOKEN)

    // A browser without the cookie gets neither the UI (a page saying how to get in) nor the API...
    const stranger = await e2e.browser.newPage()
    const denied = await stranger.goto(server.url)
    expect(denied?.status()).toBe(401)
    expect(await stranger.textContent('body')).toContain('?token=')
    const refused = await Promise.resolve().then(() =>
      stranger.evaluate(
        () =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(`ws://${location.host}/api`)
            ws.onopen = () => resolve('open')
            ws.onclose = (e) => resolve(`closed ${e.code}`)
          }),
      ),
    )
    await stranger.close()
    expect(refused).toBe('closed 1006')

    // ...and the refusals are counted where the engineer sees them (status bar diagnostics) and in the API.
    await page.reload() // and a reload needs no token
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.match(/connected/i), testid('connection-demo-opcua'), { timeout: 30_000 })
    await page.waitForSelector(testid('http-refused'))
    await page.locator(testid('rpc-diagnostics')).click()
    expect(await page.locator(testid('diag-refused')).textContent()).toMatch(/^0 wrong host name.* [1-9]\d* no or wrong token/)
    const api = `${server.url.replace(/^http/, 'ws')}api`
    await expect(openClient(api, { Authorization: 'Bearer not-the-token-at-all' })).rejects.toThrow(/401/)
    const { client, ws } = await openClient(api, { Authorization: `Bearer ${TOKEN}` })
    // a wrong token presented is in the audit trail (the server's hook into the core), the token itself is not
    await expect.poll(async () => (await client.call('audit.search', { action: 'auth.bad_token' })).items.map((e) => e.target), { timeout: 5000 }).toContain('websocket bearer')
    expect(JSON.stringify((await client.call('audit.search', { action: 'auth.bad_token' })).items)).not.toContain('not-the-token-at-all')
    const diag = await client.call('system.diagnostics', {})
    ws.close()
    expect(diag.http?.refused.token).toBeGreaterThanOrEqual(1)
    expect(diag.http?.refused.host).toBe(0)
    expect(pageErrors.filter((e) => !/WebSocket|401/.test(e))).toEqual([])

    // The token never reached the log file or the server's output.
    expect(readFileSync(join(server.dataDir, 'logs', 'plantdeck.log'), 'utf8')).not.toContain(TOKEN)
    expect(server.output()).not.toContain(TOKEN)
  })
})
