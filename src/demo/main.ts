import { parseArgs } from 'node:util'
import { startDemoPlant } from './start-demo'

const USAGE = `Usage: npm run demo -- [--host ADDR] [--opcua-port N] [--mqtt-port N] [--tick-ms N] [--pki-dir DIR]
Runs the simulated plant until Ctrl+C. A busy port falls back to a free one.`

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    'opcua-port': { type: 'string' },
    'mqtt-port': { type: 'string' },
    'tick-ms': { type: 'string' },
    'pki-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (values.help) {
  console.log(USAGE)
  process.exit(0)
}

function int(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a non-negative integer, got "${text}"\n${USAGE}`)
    process.exit(2)
  }
  return n
}

const demo = await startDemoPlant({
  host: values.host,
  opcuaPort: int('opcua-port', values['opcua-port']),
  mqttPort: int('mqtt-port', values['mqtt-port']),
  tickMs: int('tick-ms', values['tick-ms']),
  pkiDir: values['pki-dir'],
})

const signals = demo.config.connections.reduce((n, c) => n + c.signals.length, 0)
const example = demo.config.connections.find((c) => c.kind === 'opcua')?.signals[0]?.nodeId
console.log(`
Plantdeck demo plant is running (${signals} signals).
  OPC UA  ${demo.opcuaEndpoint}   (anonymous; try ${example})
  MQTT    ${demo.mqttUrl}   (subscribe to plantdeck/demo/#)
Press Ctrl+C to stop.`)

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1)
    stopping = true
    console.log(`\n${signal}: stopping the demo plant...`)
    demo.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error)
        process.exit(1)
      },
    )
  })
}
