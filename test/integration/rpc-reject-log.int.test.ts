import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startHeadless, type Headless } from '../helpers/headless'
import { openWs } from '../helpers/ws-client'
import { openLoggedIn } from '../helpers/login'

// Issue 10 §2: each rejected RPC message wrote a warning line; 100,000 bad messages added 16 MB to the log.
const BAD = 100_000
let server: Headless | undefined

afterAll(async () => {
  await server?.stop()
})

/** Log lines about rejected RPC messages: one-by-one lines, and how many rejections the summaries stand for. */
function rejectLines(file: string) {
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []
  let single = 0
  let summarised = 0
  let summaries = 0
  for (const l of lines) {
    const e = JSON.parse(l) as { msg?: string; code?: string; count?: number }
    if (e.code !== 'rpc.bad_json') continue
    if (e.msg === 'rpc message rejected') single++
    else if (e.msg?.startsWith('rpc messages rejected: code rpc.bad_json')) {
      summaries++
      summarised += e.count ?? 0
    }
  }
  return { total: lines.length, single, summaries, summarised }
}

describe('a flood of bad RPC messages', () => {
  it('is summarised in the log (a bounded number of lines) and counted in system.diagnostics', { timeout: 180_000 }, async () => {
    server = await startHeadless({ demo: { enabled: false }, server: { port: 0 } })
    const api = server.url.replace(/^http/, 'ws') + 'api'
    const logFile = join(server.dataDir, 'logs', 'plantdeck.log')
    const before = rejectLines(logFile).total
    const stdoutBefore = server.output().split('\n').length

    const { ws } = await openWs(api)
    let replies = 0
    const answered = new Promise<void>((resolve) => ws.on('message', () => ++replies === BAD && resolve()))
    for (let i = 0; i < BAD; i++) ws.send(`{"id":${i},`)
    await answered
    ws.close()

    // Every rejection is accounted for, one by one or in a summary (the last one comes when its interval ends).
    const deadline = Date.now() + 60_000
    let seen = rejectLines(logFile)
    while (seen.single + seen.summarised < BAD && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500))
      seen = rejectLines(logFile)
    }
    expect(seen.single + seen.summarised).toBe(BAD)
    expect(seen.summaries).toBeGreaterThan(0)
    expect(seen.total - before).toBeLessThan(100)
    expect(server.output().split('\n').length - stdoutBefore).toBeLessThan(100)

    const { client, ws: ws2 } = await openLoggedIn(server.url)
    const diag = await client.call('system.diagnostics', {})
    expect(diag.rpc.rejected['rpc.bad_json']).toBe(BAD)
    expect(diag.rpc.sessions).toBe(1)
    ws2.close()
  })
})
