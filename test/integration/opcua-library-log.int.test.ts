import { join } from 'node:path'
import { resolveNodeId, setErrorLogger, setWarningLogger, StatusCodes, VariableIds } from 'node-opcua'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { libraryLogSink } from '../../src/app/opcua-library-log'
import { OpcuaPki } from '../../src/adapters/opcua/certificates'
import type { Logger } from '../../src/core/ports/logger'
import { startErrRelay } from '../helpers/opcua-err-relay'
import { startHarness, tempDir, until } from '../helpers/opcua-harness'
import { startTestServer, TEST_SIGNALS, type TestServer } from '../helpers/opcua-server'

/** node-opcua's own output, routed as the host's logger routes it (src/app/logger.ts), into a list. */
interface Line {
  level: string
  source?: string
  text: string
}
const lines: Line[] = []
function capture(): Logger {
  const at = (level: string) => (obj: object | string, msg?: string) =>
    lines.push({ level, source: typeof obj === 'object' ? (obj as { source?: string }).source : undefined, text: msg ?? String(obj) })
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log }
  return log
}

let server: TestServer
const tmp = tempDir('plantdeck-opcua-liblog-')

/** What node-opcua's readOperationLimits and readServerCapabilities ask for; many PLCs have few of them. */
const LIMIT_NODES = Object.entries(VariableIds)
  .filter(([name]) => name.startsWith('Server_ServerCapabilities_OperationLimits_') || /^Server_ServerCapabilities_Max/.test(name))
  .map(([, id]) => resolveNodeId(id as number))

beforeAll(async () => {
  const log = capture()
  setWarningLogger(libraryLogSink(log, 'warn'))
  setErrorLogger(libraryLogSink(log, 'error'))
  server = await startTestServer({ pkiDir: join(tmp.dir, 'server') })
  const space = server.server.engine.addressSpace!
  for (const nodeId of LIMIT_NODES) {
    const node = space.findNode(nodeId)
    if (node) space.deleteNode(node)
  }
})
afterAll(async () => {
  await server?.stop()
  tmp.remove()
})

describe("node-opcua's own log lines", () => {
  it('a server without the operation-limit nodes: the limit dumps go to debug, none to warn, and the connection works on defaults', async () => {
    const pkiDir = join(tmp.dir, 'client-limits')
    const pki = new OpcuaPki(pkiDir)
    await pki.initialize()
    await pki.manager.trustCertificate(server.server.getCertificate())
    const from = lines.length
    const h = await startHarness({ id: 'ua', kind: 'opcua', name: 'Sparse server', endpoint: server.url, samplingIntervalMs: 100, signals: [TEST_SIGNALS[0]] }, pkiDir)
    try {
      await until(() => h.samples.some((s) => s.quality === 'good'), 'a good sample')
    } finally {
      await h.stop()
    }
    const seen = lines.slice(from)
    const dumps = seen.filter((l) => /BadNodeIdUnknown/.test(l.text))
    expect(dumps.length).toBeGreaterThanOrEqual(10)
    expect(new Set(dumps.map((l) => `${l.level} ${l.source}`))).toEqual(new Set(['debug read_operational_limits']))
    expect(seen.filter((l) => l.level === 'warn' && l.source === 'read_operational_limits')).toEqual([])
  })

  it('"Error message not specified" carries the status code the server sent', async () => {
    const relay = await startErrRelay(server.port, StatusCodes.BadSecurityChecksFailed)
    const pkiDir = join(tmp.dir, 'client-err')
    const pki = new OpcuaPki(pkiDir)
    await pki.initialize()
    await pki.manager.trustCertificate(server.server.getCertificate())
    const from = lines.length
    const h = await startHarness({ id: 'ua', kind: 'opcua', name: 'Refusing server', endpoint: relay.url, securityMode: 'Sign', signals: [] }, pkiDir)
    try {
      await until(() => relay.refused() >= 1 && lines.slice(from).some((l) => /Error message not specified/.test(l.text)), 'the ERR logged')
      const unspecified = lines.slice(from).filter((l) => /Error message not specified/.test(l.text))
      expect(unspecified.length).toBeGreaterThanOrEqual(1)
      for (const l of unspecified) expect(l).toMatchObject({ level: 'error', text: expect.stringMatching(/BadSecurityChecksFailed \(0x80130000\)/) })
    } finally {
      await h.stop()
      await relay.close()
    }
  })
})
