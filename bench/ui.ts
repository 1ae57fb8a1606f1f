// Benchmark of the operator's trend in a real browser (Debian Chromium via playwright-core) against the headless
// server, with a real mosquitto and a publisher feeding it. Three figures, each next to a baseline from the same run;
// the last line is one JSON object.
//
//   npm run bench:ui                      10 minutes of live trending (the run)
//   BENCH_UI_MINUTES=2 npm run bench:ui   a shorter smoke run (heap growth then spans 1 → 2 minutes)
//
// 1. Frame time, 10 pens at 10 Hz. "Frame time" is the main thread's work per animation frame, not the interval
//    between frames (16.7 ms at 60 Hz by construction). Method: Chromium tracing (categories devtools.timeline and
//    disabled-by-default-devtools.timeline.frame) over BENCH_UI_TRACE_S seconds (default 20) of live trending. On
//    the renderer's main thread (CrRendererMain) the frame boundaries are its `BeginMainThreadFrame` events; the
//    work of a frame is the sum of the durations of the top-level tasks (`ThreadControllerImpl::RunTask` /
//    `RunTask` complete events, nested ones not counted twice) that start between one boundary and the next.
//    Median and p99 over the frames. Baseline: the same page with no pens, traced the same way (printed; the
//    issue's target is absolute, p99 ≤ 16 ms). The page also counts React commits (a stand-in devtools hook), to
//    show that samples reach uPlot through store subscriptions and not through React renders.
// 2. Opening a 30-day, 4-pen trend of 1 Hz history (about 10 M samples, written into the server's store with the
//    real SQLite store adapter before it starts): from the click on the custom range's "Show" until the chart has
//    drawn the new range's data (its data-from is the new start, data-first-t lies at that start) and the next
//    frame is painted (a requestAnimationFrame, then a task after it). Baseline in the same page and run: uPlot
//    alone (its own bundle, `uPlot.iife.min.js` of the same package, added to the page) given the same query on a
//    WebSocket of its own (trends.query, same signals, range and points), building the same 13 series with 4 bands,
//    and painting in the same frame test. Medians over BENCH_UI_REPS repetitions (default 5), ratio = ours / uPlot
//    alone. Printed also: uPlot alone painting already fetched points (construction and paint only).
// 3. Heap: JS heap used (CDP Runtime.getHeapUsage after HeapProfiler.collectGarbage) after 1 minute of live
//    trending with the 10 pens and after BENCH_UI_MINUTES minutes; growth in MB.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import mqtt from 'mqtt'
import type uPlot from 'uplot'
import type { CDPSession, Page } from 'playwright-core'
import { openSqliteSampleStore } from '../src/adapters/sqlite/create-sqlite-sample-store'
import type { Sample } from '../src/shared/model'
import { launchChromium } from '../test/helpers/browser'
import { startHeadless } from '../test/helpers/headless'
import { startMosquitto } from '../test/helpers/mosquitto'

const MINUTES = Number(process.env.BENCH_UI_MINUTES ?? 10)
const TRACE_S = Number(process.env.BENCH_UI_TRACE_S ?? 20)
const REPS = Number(process.env.BENCH_UI_REPS ?? 5)
const HISTORY_DAYS = 30
const PENS = 10
const RATE_HZ = 10
const HISTORY_PENS = 4
const DAY = 86_400_000
const ROOT = resolve(import.meta.dirname, '..')

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN
}
const fmt = (x: number, digits = 1) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const log = (s: string) => console.log(s)

const live = Array.from({ length: PENS }, (_, i) => ({ id: `bench/p${i}`, topic: `bench/p${i}`, name: `Pen ${i}` }))
const hist = Array.from({ length: HISTORY_PENS }, (_, i) => ({ id: `bench/h${i}`, topic: `bench/h${i}`, name: `History ${i}` }))
const signalConfig = (s: { id: string; topic: string; name: string }) => ({ id: s.id, name: s.name, dataType: 'number', unit: 'bar', range: [0, 100], topic: s.topic, tsFormat: 'arrival' })
const pen = (s: { id: string; name: string }, i: number) => ({ signal: s.id, label: s.name, unit: 'bar', range: [0, 100], dataType: 'number', pinned: true, color: String(i) })
const trendState = (pens: object[]) => ({
  state: { pens, range: { kind: 'live', spanMs: 600_000 }, liveSpanMs: 600_000, axes: {}, timeZone: 'UTC', views: [] },
  version: 1,
})
const value = (s: number, k: number) => Math.round((50 + 30 * Math.sin(s + k / 900) + ((s * 7919 + k) % 17) * 0.05) * 100) / 100

/** 30 days × 1 Hz of the history signals, ending now, into `<dataDir>/store/samples.db` through the store adapter. */
async function prefill(dataDir: string, end: number): Promise<number> {
  mkdirSync(join(dataDir, 'store'), { recursive: true })
  const store = await openSqliteSampleStore({ path: join(dataDir, 'store', 'samples.db'), rawMaxAgeMs: 60 * DAY, keepUndelivered: false })
  await store.registerSignals([...hist, ...live].map((h) => ({ id: h.id, name: h.name, dataType: 'number', unit: 'bar', connection: 'bench' })))
  const seconds = (HISTORY_DAYS * DAY) / 1000
  const start = end - seconds * 1000
  const per = 25_000 // seconds per batch: 100,000 samples
  const pending: Promise<unknown>[] = []
  for (let k = 0; k < seconds; k += per) {
    const batch: Sample[] = []
    for (let j = k; j < Math.min(seconds, k + per); j++) {
      for (let s = 0; s < HISTORY_PENS; s++) batch.push({ signal: hist[s]!.id, ts: start + j * 1000, value: value(s, j), quality: 'good' })
    }
    pending.push(store.append(batch))
    if (pending.length >= 3) await pending.shift()
  }
  await Promise.all(pending)
  // and the live pens' last 10 minutes at 10 Hz, as if the publisher had been running: the trend's window is full from the start
  const recent: Sample[] = []
  for (let j = 0; j < 600 * RATE_HZ; j++) {
    for (let s = 0; s < PENS; s++) recent.push({ signal: live[s]!.id, ts: end - 600_000 + j * (1000 / RATE_HZ) + s, value: value(s, j - 600 * RATE_HZ), quality: 'good' })
  }
  await store.append(recent)
  await store.maintain()
  await store.close()
  return seconds * HISTORY_PENS
}

interface TraceEvent {
  name: string
  ph: string
  ts: number
  dur?: number
  pid: number
  tid: number
  args?: { name?: string }
}

/** Main-thread work per frame (ms) from a Chromium trace: top-level tasks summed between BeginMainThreadFrame events. */
function frameWork(trace: Buffer): { work: number[]; intervalMs: number } {
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[]
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`)
  // the page's renderer: the main thread with the most frames
  const frames = new Map<string, number[]>()
  for (const e of events) {
    if (e.name !== 'BeginMainThreadFrame') continue
    const k = `${e.pid}:${e.tid}`
    if (!mains.includes(k)) continue
    frames.set(k, [...(frames.get(k) ?? []), e.ts])
  }
  const [main, begins] = [...frames.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? ['', []]
  const tasks = events
    .filter((e) => e.ph === 'X' && e.dur !== undefined && (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask') && `${e.pid}:${e.tid}` === main)
    .sort((a, b) => a.ts - b.ts)
  // top level only: a task inside another (nested loop, or both names for one task) is not counted again
  const top: TraceEvent[] = []
  let end = -Infinity
  for (const t of tasks) {
    if (t.ts < end) continue
    top.push(t)
    end = t.ts + t.dur!
  }
  begins.sort((a, b) => a - b)
  const work: number[] = []
  let i = 0
  for (let f = 0; f + 1 < begins.length; f++) {
    let sum = 0
    while (i < top.length && top[i]!.ts < begins[f]!) i++
    while (i < top.length && top[i]!.ts < begins[f + 1]!) sum += top[i++]!.dur!
    work.push(sum / 1000)
  }
  const intervalMs = begins.length > 1 ? (begins[begins.length - 1]! - begins[0]!) / 1000 / (begins.length - 1) : NaN
  return { work, intervalMs }
}

async function traceFrames(page: Page, seconds: number): Promise<{ median: number; p99: number; frames: number; intervalMs: number; commitsPerS: number; chartsBuilt: number }> {
  const browser = page.context().browser()!
  const commits0 = await page.evaluate(() => (window as unknown as { __benchCommits: number }).__benchCommits)
  // counts charts built (a uPlot root added to the page): samples should never rebuild the chart
  await page.evaluate(() => {
    const w = window as unknown as { __benchCharts: number; __benchObs?: MutationObserver }
    w.__benchCharts = 0
    w.__benchObs?.disconnect()
    w.__benchObs = new MutationObserver((ms) => ms.forEach((m) => m.addedNodes.forEach((n) => n instanceof HTMLElement && n.classList.contains('uplot') && w.__benchCharts++)))
    w.__benchObs.observe(document.body, { childList: true, subtree: true })
  })
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline.frame', 'toplevel'] })
  await sleep(seconds * 1000)
  const trace = await browser.stopTracing()
  if (process.env.BENCH_UI_TRACE_DIR) writeFileSync(join(process.env.BENCH_UI_TRACE_DIR, `trace-${Date.now()}.json`), trace)
  const commits = (await page.evaluate(() => (window as unknown as { __benchCommits: number }).__benchCommits)) - commits0
  const charts = await page.evaluate(() => (window as unknown as { __benchCharts: number }).__benchCharts)
  const { work, intervalMs } = frameWork(trace)
  return { median: median(work), p99: pct(work, 99), frames: work.length, intervalMs, commitsPerS: commits / seconds, chartsBuilt: charts }
}

async function heapMb(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage')
  await sleep(200)
  await cdp.send('HeapProfiler.collectGarbage')
  const { usedSize } = await cdp.send('Runtime.getHeapUsage')
  return usedSize / 1e6
}

const attr = (page: Page, name: string) => page.locator('[data-testid="trend"]').getAttribute(name)

/** Waits until `expr` (JavaScript over `el`, the trend panel) holds. */
async function waitTrend(page: Page, what: string, expr: string, timeoutMs = 60_000): Promise<void> {
  await page
    .waitForFunction(`(() => { const el = document.querySelector('[data-testid="trend"]'); return !!el && (${expr}) })()`, undefined, { timeout: timeoutMs })
    .catch(async (e: Error) => {
      const seen = await page.evaluate(() => {
        const el = document.querySelector<HTMLElement>('[data-testid="trend"]')
        return el ? { ...el.dataset } : 'no trend panel'
      })
      throw new Error(`the trend did not show ${what}: ${JSON.stringify(seen)} (${e.message})`)
    })
}

/** The page's state per phase: seeded into localStorage before the app loads (sessionStorage says which). */
const SEEDS = {
  idle: trendState([]),
  live: trendState(live.map(pen)),
  history: trendState(hist.map(pen)),
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'plantdeck-bench-ui-'))
  const broker = await startMosquitto()
  const fillStart = performance.now()
  const end = Date.now()
  const samples = await prefill(dataDir, end)
  log(`ui bench: ${fmt(samples, 0)} history samples (${HISTORY_PENS} signals × ${HISTORY_DAYS} days at 1 Hz) written in ${fmt((performance.now() - fillStart) / 1000)} s; mosquitto on ${broker.url}`)

  const pub = await mqtt.connectAsync(broker.url, { clientId: 'bench-ui-publisher' })
  let k = 0
  const publishing = setInterval(() => {
    k++
    for (let s = 0; s < PENS; s++) pub.publish(live[s]!.topic, String(value(s, k)), { qos: 0 })
  }, 1000 / RATE_HZ)

  const server = await startHeadless(
    {
      demo: { enabled: true, opcuaPort: 0, mqttPort: 0 },
      store: { retentionDays: { raw: 60, minutes: 400, hours: 3650 } },
      connections: [
        {
          id: 'bench',
          kind: 'mqtt',
          name: 'Bench broker',
          url: broker.url,
          clientId: 'plantdeck-bench-ui',
          session: 'clean',
          subscriptions: [{ filter: 'bench/#', qos: 0 }],
          signals: [...live, ...hist].map(signalConfig),
        },
      ],
    },
    { dataDir },
  )
  const browser = await launchChromium()
  const results: Record<string, number | string | boolean> = {}
  try {
    // bypassCSP: the baseline adds uPlot's own bundle to the page (the server's CSP allows only its own scripts)
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, bypassCSP: true })
    const pageErrors: string[] = []
    page.on('pageerror', (e) => pageErrors.push(e.message))
    // tsx keeps function names with a helper the page does not have
    await page.addInitScript('window.__name = (f) => f')
    await page.addInitScript((seeds: Record<string, unknown>) => {
      const phase = sessionStorage.getItem('bench.phase') ?? 'idle'
      localStorage.setItem('plantdeck.trend', JSON.stringify(seeds[phase]))
      // counts React commits: React reports each one to a devtools hook when there is one
      const w = window as unknown as { __benchCommits: number; __REACT_DEVTOOLS_GLOBAL_HOOK__: object }
      w.__benchCommits = 0
      w.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
        supportsFiber: true,
        renderers: new Map(),
        inject: () => 1,
        checkDCE: () => undefined,
        onScheduleFiberRoot: () => undefined,
        onCommitFiberRoot: () => void w.__benchCommits++,
        onCommitFiberUnmount: () => undefined,
        onPostCommitFiberRoot: () => undefined,
      }
    }, SEEDS)
    const cdp = await page.context().newCDPSession(page)
    /**
     * Reloads the page with the phase's pens and shows the asset tab (faceplate and trend). Selecting the plant's
     * asset makes its first signal the trend's main pen: it is removed when it is not one of the phase's pens.
     */
    const phase = async (name: keyof typeof SEEDS) => {
      await page.evaluate((p) => sessionStorage.setItem('bench.phase', p), name)
      await page.reload()
      // the workspace opens with the Overview (the kiosk's workspace is this browser's): open the plant's asset tab
      await page.locator('[data-testid="asset-node-Demo plant"]').click()
      await page.locator('[data-testid^="tab-asset-"]').first().click()
      await page.locator('[data-testid="trend"]').waitFor()
      const want = new Set(SEEDS[name].state.pens.map((p) => (p as { signal: string }).signal))
      await sleep(2000)
      for (const s of await page.locator('[data-testid="trend-legend"] tbody tr').evaluateAll((els) => els.map((e) => e.getAttribute('data-signal') ?? ''))) {
        if (!want.has(s)) await page.locator(`[data-testid="trend-pen-remove-${s}"]`).click()
      }
      await waitTrend(page, `the ${name} phase's ${want.size} pens`, `el.dataset.pens === '${want.size}'`)
    }

    // --- idle baseline: the same page, no pens
    await page.goto(server.url)
    await phase('idle')
    await sleep(3000)
    const idle = await traceFrames(page, TRACE_S)
    log(`frames, idle page (no pens): main-thread work per frame median ${fmt(idle.median, 2)} ms, p99 ${fmt(idle.p99, 2)} ms over ${idle.frames} frames (one every ${fmt(idle.intervalMs)} ms); React commits ${fmt(idle.commitsPerS)}/s`)

    // --- live: 10 pens at 10 Hz
    await phase('live')
    await waitTrend(page, '10 pens drawing', `el.dataset.status === 'ready' && el.dataset.pens === '${PENS}' && Number(el.dataset.drawn) > 2`)
    const liveStart = performance.now()
    const lastT0 = Number(await attr(page, 'data-last-t'))
    await sleep(2000)
    await waitTrend(page, 'new points', `Number(el.dataset.lastT) > ${lastT0}`)
    const pensShown = await attr(page, 'data-pens')
    const firstAt = Math.min(1, MINUTES / 2) * 60_000
    await sleep(Math.max(0, firstAt - (performance.now() - liveStart)))
    const heap1 = await heapMb(cdp)
    log(`heap after ${fmt(firstAt / 60_000)} min of live trending: ${fmt(heap1, 2)} MB`)
    const liveFrames = async (when: string) => {
      const f = await traceFrames(page, TRACE_S)
      log(
        `frames, ${pensShown} pens at ${RATE_HZ} Hz (${when}): main-thread work per frame median ${fmt(f.median, 2)} ms, p99 ${fmt(f.p99, 2)} ms over ${f.frames} frames` +
          ` (one every ${fmt(f.intervalMs)} ms); React commits ${fmt(f.commitsPerS)}/s, charts built ${f.chartsBuilt}; the main pen holds ${await attr(page, 'data-points')} points, the chart ${await attr(page, 'data-drawn')} times`,
      )
      return f
    }
    const early = await liveFrames(`after ${fmt(firstAt / 60_000)} min`)
    // the second trace ends the run: by then the 10-minute window is as full as it gets
    const traceAt = MINUTES * 60_000 - TRACE_S * 1000 - 2000
    for (;;) {
      const left = traceAt - (performance.now() - liveStart)
      if (left <= 0) break
      await sleep(Math.min(left, 60_000))
      log(`  live ${fmt((performance.now() - liveStart) / 60_000)} min, the main pen holds ${await attr(page, 'data-points')} points`)
    }
    const frames = await liveFrames(`after ${fmt((performance.now() - liveStart) / 60_000)} min`)
    if (process.env.BENCH_UI_TRACE_DIR) {
      // where the main thread's time goes (a CPU profile for diagnosis; not part of the figures)
      await cdp.send('Profiler.enable')
      await cdp.send('Profiler.start')
      await sleep(8000)
      const { profile } = await cdp.send('Profiler.stop')
      writeFileSync(join(process.env.BENCH_UI_TRACE_DIR, `profile-${Date.now()}.cpuprofile`), JSON.stringify(profile))
    }
    const heapN = await heapMb(cdp)
    const growth = heapN - heap1
    const lastT = Number(await attr(page, 'data-last-t'))
    log(`heap after ${fmt(MINUTES)} min: ${fmt(heapN, 2)} MB, growth ${fmt(growth, 2)} MB; the newest point drawn is ${fmt((Date.now() - lastT) / 1000)} s old`)

    // --- 30-day trend: click to painted, against uPlot alone in the same page
    await phase('history')
    await waitTrend(page, '4 history pens', `el.dataset.status === 'ready' && el.dataset.pens === '${HISTORY_PENS}'`)
    await page.addScriptTag({ path: join(ROOT, 'node_modules/uplot/dist/uPlot.iife.min.js') })
    const ours: number[] = []
    const alone: number[] = []
    const paintOnly: number[] = []
    let drawn = 0
    for (let r = 0; r < REPS; r++) {
      if ((await attr(page, 'data-range-kind')) !== 'live') await page.locator('[data-testid="trend-back-live"]').click()
      await waitTrend(page, 'live again', `el.dataset.rangeKind === 'live' && el.dataset.status === 'ready'`)
      await sleep(500)
      const to = Math.floor(Date.now() / 60_000) * 60_000 - r * 60_000
      const from = to - HISTORY_DAYS * DAY
      const local = (ms: number) => new Date(ms).toISOString().slice(0, 16)
      await page.locator('[data-testid="trend-range-custom"]').click()
      await page.locator('[data-testid="trend-custom-from"]').fill(local(from))
      await page.locator('[data-testid="trend-custom-to"]').fill(local(to))
      const ms = await page.evaluate(
        ({ from }) =>
          new Promise<number>((resolve) => {
            const panel = document.querySelector<HTMLElement>('[data-testid="trend"]')!
            const done = () =>
              panel.dataset.rangeKind === 'fixed' && panel.dataset.from === String(from) && Number(panel.dataset.firstT) < from + 6 * 3_600_000 && Number(panel.dataset.drawn) > 100
            let t0 = 0
            const obs = new MutationObserver(() => {
              if (!done()) return
              obs.disconnect()
              requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0)))
            })
            obs.observe(panel, { attributes: true })
            t0 = performance.now()
            document.querySelector<HTMLButtonElement>('[data-testid="trend-custom-apply"]')!.click()
          }),
        { from },
      )
      ours.push(ms)
      drawn = Number(await attr(page, 'data-drawn'))
      const base = await page.evaluate(
        async ({ from, to, signals }) => {
          type Series = { t: number[]; v: (number | null)[]; min?: (number | null)[]; max?: (number | null)[] }
          const U = (window as unknown as { uPlot: typeof uPlot }).uPlot
          const body = document.querySelector<HTMLElement>('.trend-body')!
          const chart = document.querySelector<HTMLElement>('[data-testid="trend-chart"]')!
          const points = Math.max(2, Math.min(4000, Math.round(body.clientWidth)))
          const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/api')
          await new Promise((r, j) => ((ws.onopen = r), (ws.onerror = j)))
          let id = 1
          const query = () =>
            new Promise<{ series: Series[] }>((resolve, reject) => {
              const my = ++id
              const on = (m: MessageEvent) => {
                const msg = JSON.parse(m.data as string)
                if (msg.id !== my) return
                ws.removeEventListener('message', on)
                if (msg.ok) resolve(msg.result)
                else reject(new Error(JSON.stringify(msg.error)))
              }
              ws.addEventListener('message', on)
              ws.send(JSON.stringify({ id: my, method: 'trends.query', params: { signals, from, to, points } }))
            })
          const paint = (series: Series[]) =>
            new Promise<{ ms: number; n: number }>((resolve) => {
              const t0 = performance.now()
              const tables = series.map((s) => [s.t.map((x) => x / 1000), s.v, s.min ?? s.v, s.max ?? s.v] as unknown as uPlot.AlignedData)
              const data = U.join(tables, tables.map(() => [1, 1, 1, 1]))
              const host = document.createElement('div')
              host.style.cssText = `position:fixed;left:0;top:0;width:${chart.clientWidth}px;height:${chart.clientHeight}px;z-index:99`
              document.body.appendChild(host)
              const opts: uPlot.Options = {
                width: chart.clientWidth,
                height: chart.clientHeight,
                pxAlign: 0,
                legend: { show: false },
                scales: { x: { time: true, range: () => [from / 1000, to / 1000] }, 'y:bar': { range: () => [-3, 103] } },
                series: [{}, ...series.flatMap((_, i) => [{ scale: 'y:bar', stroke: `hsl(${i * 80},60%,55%)`, width: 1.6, spanGaps: false, points: { show: false } }, { scale: 'y:bar', stroke: 'transparent', width: 0, points: { show: false } }, { scale: 'y:bar', stroke: 'transparent', width: 0, points: { show: false } }])],
                bands: series.map((_, i) => ({ series: [3 * i + 3, 3 * i + 2] as [number, number], fill: `hsla(${i * 80},60%,55%,0.22)` })),
                axes: [{}, { scale: 'y:bar', size: 58 }],
              }
              const u = new U(opts, data, host)
              requestAnimationFrame(() =>
                setTimeout(() => {
                  const ms = performance.now() - t0
                  u.destroy()
                  host.remove()
                  resolve({ ms, n: data[0].length })
                }),
              )
            })
          await query() // a first query on the socket warms nothing on the server a second one would not
          const t0 = performance.now()
          const r = await query()
          const painted = await paint(r.series)
          const total = performance.now() - t0
          const again = await paint(r.series)
          ws.close()
          return { total, paintOnly: again.ms, n: painted.n }
        },
        { from, to, signals: hist.map((h) => h.id) },
      )
      alone.push(base.total)
      paintOnly.push(base.paintOnly)
      log(`  30-day trend, run ${r + 1}: ours ${fmt(ms)} ms (${drawn} points drawn); uPlot alone with the same query ${fmt(base.total)} ms (${base.n} points), painting fetched points ${fmt(base.paintOnly)} ms`)
    }
    const oursMs = median(ours)
    const aloneMs = median(alone)
    log(`30-day ${HISTORY_PENS}-pen trend (median of ${REPS}): click to painted ${fmt(oursMs)} ms; uPlot alone (same query + paint) ${fmt(aloneMs)} ms, ratio ${fmt(oursMs / aloneMs, 2)}; uPlot painting fetched points ${fmt(median(paintOnly))} ms`)
    if (pageErrors.length) log(`page errors: ${pageErrors.join(' | ')}`)

    results.frame_p99_ms = Number(frames.p99.toFixed(2))
    results.trend_30d_ms = Number(oursMs.toFixed(1))
    results.trend_30d_ratio_vs_uplot = Number((oursMs / aloneMs).toFixed(2))
    results.heap_growth_mb = Number(growth.toFixed(2))
    results.frame_median_ms = Number(frames.median.toFixed(2))
    results.frame_p99_early_ms = Number(early.p99.toFixed(2))
    results.idle_frame_p99_ms = Number(idle.p99.toFixed(2))
    results.react_commits_per_s = Number(frames.commitsPerS.toFixed(1))
    results.uplot_30d_ms = Number(aloneMs.toFixed(1))
    results.uplot_paint_only_ms = Number(median(paintOnly).toFixed(1))
    results.heap_1min_mb = Number(heap1.toFixed(2))
    results.minutes = MINUTES
  } catch (e) {
    const page = browser.contexts()[0]?.pages()[0]
    if (page) {
      const shot = join(tmpdir(), 'bench-ui-failure.png')
      await page.screenshot({ path: shot }).catch(() => undefined)
      log(`failed; the page is in ${shot}: ${(await page.evaluate(() => document.body.innerText.slice(0, 400)).catch(() => '?')).replace(/\s+/g, ' ')}`)
    }
    throw e
  } finally {
    clearInterval(publishing)
    await browser.close()
    await server.stop()
    await pub.endAsync()
    await broker.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
  console.log(JSON.stringify({ bench: 'ui', ...results }))
}

await main()
