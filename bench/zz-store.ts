import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openSqliteSampleStore } from '../src/adapters/sqlite/create-sqlite-sample-store'
const store = await openSqliteSampleStore({ path: join(mkdtempSync(join(tmpdir(), 'zs-')), 's.db') })
const ids = Array.from({ length: 10 }, (_, i) => `d/v${i}`)
await store.registerSignals(ids.map((id) => ({ id, name: id, dataType: 'number', connection: 'd' })))
const base = Date.now() - 3_600_000
for (const size of [2000, 20000]) {
  for (const sigs of [1, 10]) {
    let k = 0
    const t = performance.now()
    const total = 200_000
    const ps = []
    for (let i = 0; i < total / size; i++) {
      const b = Array.from({ length: size }, () => { const j = k++; return { signal: ids[j % sigs]!, ts: base + Math.floor(j / sigs), value: j % 1000, quality: 'good' as const } })
      ps.push(store.append(b))
      if (ps.length >= 4) await ps.shift()
    }
    await Promise.all(ps)
    console.log(`batch ${size} signals ${sigs}: ${Math.round(total / ((performance.now() - t) / 1000))} samples/s`)
  }
}
await store.close()
