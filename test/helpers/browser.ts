import { chromium, type Browser } from 'playwright-core'

export const CHROMIUM = process.env.PLANTDECK_CHROMIUM ?? '/usr/bin/chromium'

/** Debian's Chromium, headless, with no background traffic (closed network); `extraArgs` e.g. `--host-resolver-rules=…`. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  })
}
