import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { launchChromium } from './browser'
import { startHeadless, type Headless } from './headless'
import { ADMIN_USER, TEST_PASSWORD } from './login'

export const SHOTS = resolve(import.meta.dirname, '..', '..', 'test-results', 'screenshots')
export const testid = (id: string) => `[data-testid="${id}"]`

export interface E2E {
  server: Headless
  browser: Browser
  page: Page
  /** Uncaught page errors and console errors seen so far: a passing journey has none. */
  pageErrors: string[]
}

/**
 * Registers hooks that start the headless server with the simulated plant and one 1366×768 Chromium page.
 * `config`: more configuration, asked for when the hooks run (after hooks registered earlier, e.g. a test server's).
 * The page is signed in as the administrator (`signIn: false`: not; it sees the kiosk, if on). `admin: false`: the
 * server starts with no user at all (a first start; implies no sign-in).
 */
export function useHeadlessPage(config?: () => object, o: { signIn?: boolean; admin?: boolean } = {}): E2E {
  const ctx = { pageErrors: [] as string[] } as E2E
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    ctx.server = await startHeadless(config?.() ?? {}, { admin: o.admin !== false })
    ctx.browser = await launchChromium()
    ctx.page = await ctx.browser.newPage({ viewport: { width: 1366, height: 768 } })
    // signed in as the administrator the way the login screen does it: the session cookie from POST /auth/login
    if (o.signIn !== false && o.admin !== false) await signIn(ctx.page, ctx.server.url)
    ctx.page.on('pageerror', (e) => ctx.pageErrors.push(e.message))
    ctx.page.on('console', (m) => m.type() === 'error' && ctx.pageErrors.push(m.text()))
  })
  afterAll(async () => {
    await ctx.browser?.close()
    await ctx.server?.stop()
  })
  return ctx
}

/** Signs the page's browser context in (`POST /auth/login`, the HttpOnly session cookie lands in the context's jar). */
export async function signIn(page: Page, baseUrl: string, user = ADMIN_USER, password = TEST_PASSWORD): Promise<void> {
  const res = await page.request.post(new URL('auth/login', baseUrl).toString(), { data: { user, password } })
  if (!res.ok()) throw new Error(`sign-in as ${user} refused: ${res.status()} ${await res.text()}`)
}
