import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { launchChromium } from './browser'
import { startHeadless, type Headless } from './headless'

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
 */
export function useHeadlessPage(config?: () => object): E2E {
  const ctx = { pageErrors: [] as string[] } as E2E
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    ctx.server = await startHeadless(config?.() ?? {})
    ctx.browser = await launchChromium()
    ctx.page = await ctx.browser.newPage({ viewport: { width: 1366, height: 768 } })
    ctx.page.on('pageerror', (e) => ctx.pageErrors.push(e.message))
    ctx.page.on('console', (m) => m.type() === 'error' && ctx.pageErrors.push(m.text()))
  })
  afterAll(async () => {
    await ctx.browser?.close()
    await ctx.server?.stop()
  })
  return ctx
}
