import { startHeadless } from './test/helpers/headless'
import { launchChromium } from './test/helpers/browser'
const s = await startHeadless({})
const b = await launchChromium()
for (const [w, h] of [[1366, 768], [1920, 1080]]) {
  const p = await b.newPage({ viewport: { width: w, height: h } })
  await p.goto(s.url)
  await p.waitForTimeout(7000)
  await p.screenshot({ path: `/tmp/shot-${w}.png` })
  await p.close()
}
console.log(s.output().split('\n').filter((l) => /error|warn/i.test(l)).slice(0, 10).join('\n'))
await b.close(); await s.stop()
