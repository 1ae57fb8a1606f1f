// OPC UA collector benchmark. A node-opcua server runs in a child process (its own core) with 10,000
// Double variables changing every 100 ms and a folder of 10,000 nodes. Against it, in the same run:
// a raw node-opcua client subscription (the baseline) and the Plantdeck collector feeding the SQLite
// sample store. Prints medians; the last line is one JSON object.
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { AttributeIds, BrowseDirection, ClientMonitoredItemGroup, DataType, OPCUAClient, OPCUAServer, TimestampsToReturn, type ClientSession } from 'node-opcua'
import { browsePage } from '../src/adapters/opcua/browse'
import { BROWSE_PAGE } from '../src/shared/contract/opcua'
import { OpcuaPki } from '../src/adapters/opcua/certificates'
import { MonitoredItems, readLimits } from '../src/adapters/opcua/monitoring'
import { OpcuaCollector } from '../src/adapters/opcua/opcua-collector'
import { openSqliteSampleStore } from '../src/adapters/sqlite/create-sqlite-sample-store'
import { OpcuaConnectionConfig } from '../src/core/opcua/opcua-config'
import { silentLogger } from '../src/core/ports/logger'

const N = 10_000
const CHANGE_MS = 100
const WARMUP_MS = 2_000
const WINDOW_MS = 10_000
const RUNS = 3

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN
const fmt = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const nodeIds = Array.from({ length: N }, (_, i) => `ns=1;s=Bench.V${i}`)

/** The server side, in the child process. */
async function serve() {
  const server = new OPCUAServer({ port: 0, host: '127.0.0.1', hostname: '127.0.0.1', isAuditing: false, serverCapabilities: { maxSessions: 20 } })
  await server.initialize()
  const space = server.engine.addressSpace!
  const ns = space.getOwnNamespace()
  const folder = ns.addFolder(space.rootFolder.objects, { browseName: 'Bench', nodeId: 's=Bench' })
  const vars = nodeIds.map((_, i) =>
    ns.addVariable({ componentOf: folder, browseName: `V${i}`, nodeId: `s=Bench.V${i}`, dataType: 'Double', minimumSamplingInterval: 0, value: { dataType: DataType.Double, value: 0 } }),
  )
  let tick = 0
  let changing = true
  // 'pause' / 'resume' from the parent: item creation and browse are timed on a quiet server
  process.on('message', (m) => (changing = m === 'resume'))
  setInterval(() => {
    if (!changing) return
    tick++
    for (let i = 0; i < N; i++) vars[i]!.setValueFromSource({ dataType: DataType.Double, value: tick + i / N })
  }, CHANGE_MS)
  await server.start()
  process.send!({ url: `opc.tcp://127.0.0.1:${server.endpoints[0]!.port}` })
}

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: process.execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { url: string }).url))
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)))
  })
  return { url, child }
}

async function withSession<T>(url: string, run: (s: ClientSession) => Promise<T>): Promise<T> {
  const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 0 } })
  await client.connect(url)
  const session = await client.createSession()
  try {
    return await run(session)
  } finally {
    await session.close().catch(() => undefined)
    await client.disconnect()
  }
}

interface Running {
  /** Samples (or notifications) counted so far. */
  count(): number
  stop(): Promise<void>
}

/** Baseline: a raw node-opcua client, one subscription, monitored item groups of 1,000, counting 'changed' events. */
async function startRaw(url: string): Promise<Running> {
  const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 0 } })
  await client.connect(url)
  const session = await client.createSession()
  const sub = await session.createSubscription2({ requestedPublishingInterval: 100, requestedMaxKeepAliveCount: 10, requestedLifetimeCount: 60, publishingEnabled: true })
  let count = 0
  for (let i = 0; i < N; i += 1000) {
    const group = ClientMonitoredItemGroup.create(sub, nodeIds.slice(i, i + 1000).map((nodeId) => ({ nodeId, attributeId: AttributeIds.Value })), { samplingInterval: 0, queueSize: 10, discardOldest: true }, TimestampsToReturn.Both)
    group.on('changed', () => count++)
    await new Promise((r) => group.once('initialized', r))
  }
  return {
    count: () => count,
    async stop() {
      await sub.terminate().catch(() => undefined)
      await session.close().catch(() => undefined)
      await client.disconnect()
    },
  }
}

/** The collector, every batch appended to the SQLite store (worker thread); counts samples the store accepted. */
async function startCollector(url: string, dir: string, run: number): Promise<Running> {
  const store = await openSqliteSampleStore({ path: join(dir, `bench-${run}.db`) })
  const signals = nodeIds.map((nodeId, i) => ({ id: `bench/V${i}`, name: `V${i}`, nodeId }))
  await store.registerSignals(signals.map((s) => ({ id: s.id, name: s.name, dataType: 'number' as const, connection: 'bench' })))
  const config = OpcuaConnectionConfig.parse({
    id: 'bench', kind: 'opcua', name: 'Bench', endpoint: url, samplingIntervalMs: 0,
    securityMode: 'None', securityPolicy: 'None', monitoring: { publishingIntervalMs: 100 }, signals,
  })
  const collector = new OpcuaCollector({ config, pki: new OpcuaPki(join(dir, 'pki')), logger: silentLogger })
  let stored = 0
  collector.onSamples((batch) => {
    void store.append(batch).then((r) => (stored += r.accepted))
  })
  let connected = false
  collector.onState((s) => (connected ||= s.health === 'connected'))
  await collector.start()
  while (!connected) await sleep(50)
  return {
    count: () => stored,
    async stop() {
      await collector.stop()
      await store.close()
    },
  }
}

/**
 * Both clients subscribe to the same server at the same time and are counted over the same window,
 * so the server's output (the bottleneck on a shared machine) is the same for both.
 */
async function throughput(url: string, dir: string, run: number): Promise<{ raw: number; ours: number }> {
  const raw = await startRaw(url)
  const ours = await startCollector(url, dir, run)
  await sleep(WARMUP_MS)
  const [r0, o0] = [raw.count(), ours.count()]
  await sleep(WINDOW_MS)
  const [r1, o1] = [raw.count(), ours.count()]
  await Promise.all([raw.stop(), ours.stop()])
  return { raw: (r1 - r0) / (WINDOW_MS / 1000), ours: (o1 - o0) / (WINDOW_MS / 1000) }
}

/** Time to create the 10,000 items through the collector's code path (fresh session each run). */
async function createItemsMs(url: string): Promise<number> {
  return withSession(url, async (session) => {
    const limits = await readLimits(session)
    const items = new MonitoredItems(session, limits, { publishingIntervalMs: 100, queueSize: 10, discardOldest: true, samplingIntervalMs: 0 }, () => undefined)
    const start = performance.now()
    const failures = await items.add(nodeIds.map((nodeId, i) => ({ signal: `bench/V${i}`, nodeId })))
    const ms = performance.now() - start
    if (failures.length > 0) throw new Error(`${failures.length} items refused`)
    await items.terminate()
    return ms
  })
}

/**
 * Browse timings on the 10,000-node folder. `first`: what the engineering view shows when the folder is opened,
 * one page of BROWSE_PAGE children through our code path. `all`: every child (pages of 5,000). Baselines: the
 * raw node-opcua client asking the same first page (its default result mask), and all children in one call.
 */
async function browseMs(url: string): Promise<{ first: number; all: number; rawFirst: number; rawAll: number }> {
  return withSession(url, async (session) => {
    const t = { first: [] as number[], all: [] as number[], rawFirst: [] as number[], rawAll: [] as number[] }
    const release = async (cp: Buffer | string | undefined | null) => {
      if (cp && cp.length > 0) await session.browseNext(typeof cp === 'string' ? Buffer.from(cp, 'base64') : cp, true)
    }
    const raw = async (max: number) => {
      session.requestedMaxReferencesPerNode = max
      const start = performance.now()
      const r = await session.browse({ nodeId: 'ns=1;s=Bench', browseDirection: BrowseDirection.Forward, referenceTypeId: 'HierarchicalReferences', includeSubtypes: true, nodeClassMask: 0, resultMask: 0x3f })
      const ms = performance.now() - start
      if ((r.references?.length ?? 0) !== (max || N)) throw new Error(`raw browse returned ${r.references?.length} children`)
      await release(r.continuationPoint)
      return ms
    }
    const oursFirst = async () => {
      const start = performance.now()
      const firstPage = await browsePage(session, 'ns=1;s=Bench', undefined, BROWSE_PAGE)
      const ms = performance.now() - start
      if (firstPage.children.length !== BROWSE_PAGE) throw new Error(`first page has ${firstPage.children.length} children`)
      await release(firstPage.continuationPoint)
      return ms
    }
    const oursAll = async () => {
      const start = performance.now()
      let total = 0
      let page = await browsePage(session, 'ns=1;s=Bench', undefined, 5000)
      total += page.children.length
      while (page.continuationPoint) {
        page = await browsePage(session, 'ns=1;s=Bench', page.continuationPoint, 5000)
        total += page.children.length
      }
      if (total !== N) throw new Error(`browse returned ${total} children`)
      return performance.now() - start
    }
    // Each kind in turn, the order rotating every round, a pause before each: none always follows the same heavy
    // call (a 10,000-reference answer leaves garbage on both sides that the next call may pay for).
    const kinds = [
      async () => t.first.push(await oursFirst()),
      async () => t.rawFirst.push(await raw(BROWSE_PAGE)),
      async () => t.all.push(await oursAll()),
      async () => t.rawAll.push(await raw(0)),
    ]
    for (let k = 0; k < 12; k++) {
      for (let j = 0; j < kinds.length; j++) {
        await sleep(30)
        await kinds[(j + k) % kinds.length]!()
      }
    }
    return { first: median(t.first), all: median(t.all), rawFirst: median(t.rawFirst), rawAll: median(t.rawAll) }
  })
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'plantdeck-bench-opcua-'))
  const { url, child } = await startServer()
  try {
    console.log(`server: ${N} variables changing every ${CHANGE_MS} ms (${fmt(N * (1000 / CHANGE_MS))} changes/s offered), child process`)
    const raw: number[] = []
    const ours: number[] = []
    const ratios: number[] = []
    for (let run = 0; run < (process.env.ONLY === 'browse' ? 0 : RUNS); run++) {
      const r = await throughput(url, dir, run)
      raw.push(r.raw)
      ours.push(r.ours)
      ratios.push(r.ours / r.raw)
      console.log(`run ${run + 1}: raw client ${fmt(r.raw)} notifications/s; collector → SQLite store ${fmt(r.ours)} samples stored/s (${fmt(r.ours / r.raw, 3)}×)`)
    }
    child.send('pause')
    await sleep(500)
    const create: number[] = []
    for (let run = 0; run < (process.env.ONLY === 'browse' ? 0 : RUNS); run++) create.push(await createItemsMs(url))
    const browse = await browseMs(url)
    const ratio = median(ratios)
    console.log(`samples stored/s: median ${fmt(median(ours))} vs raw ${fmt(median(raw))} notifications/s; median ratio ${fmt(ratio, 3)}× (target ≥ 0.9×)`)
    console.log(`create ${N} items (server changes paused): median ${fmt(median(create))} ms through the collector's code path (target < 1,500 ms)`)
    console.log(`open a ${N}-node folder (server changes paused): the first ${BROWSE_PAGE} children, as the engineering view shows them, in ${fmt(browse.first, 1)} ms (target < 100 ms; raw node-opcua client, same page: ${fmt(browse.rawFirst, 1)} ms)`)
    console.log(`list all ${N} children: ${fmt(browse.all, 1)} ms in pages of 5,000 (raw node-opcua client, one call: ${fmt(browse.rawAll, 1)} ms)`)
    console.log(JSON.stringify({ bench: 'opcua', ratio_vs_raw: Number(ratio.toFixed(3)), create_items_ms: Math.round(median(create)), browse_children_ms: Number(browse.first.toFixed(1)), raw_notifications_per_s: Math.round(median(raw)), stored_per_s: Math.round(median(ours)), browse_raw_first_page_ms: Number(browse.rawFirst.toFixed(1)), browse_all_children_ms: Number(browse.all.toFixed(1)), browse_raw_all_ms: Number(browse.rawAll.toFixed(1)) }))
  } finally {
    child.kill()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv.includes('--serve')) void serve()
else await main()
