import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const c = connect(port, '127.0.0.1')
      c.once('connect', () => (c.destroy(), r(true)))
      c.once('error', () => r(false))
    })
    if (ok) return
    if (Date.now() > deadline) throw new Error(`nothing listening on ${port} after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

export const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find(existsSync) ?? 'mosquitto'

export interface Mosquitto {
  port: number
  url: string
  dir: string
  stop(): Promise<void>
  /** Start again on the same port with the same persistence file. */
  restart(): Promise<void>
  /** Stop the broker and keep its files, for an outage `restart` ends. */
  down(): Promise<void>
}

/**
 * A real mosquitto on a free port with a temporary config (and persistence, for session tests). `extraConf` applies to its listener (TLS options: pass `scheme: 'mqtts'`).
 * By default the queue per session is unbounded (`max_queued_messages 0`); `stock: true` leaves mosquitto's own defaults
 * (`max_inflight_messages 20`, `max_queued_messages 1000`), as on a broker nobody tuned.
 */
export async function startMosquitto(extraConf = '', o: { scheme?: 'mqtt' | 'mqtts'; stock?: boolean } = {}): Promise<Mosquitto> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'plantdeck-mosq-'))
  const conf = join(dir, 'mosquitto.conf')
  writeFileSync(
    conf,
    // run as root, mosquitto drops to user `mosquitto`, which cannot write the persistence file into our 0700 temp dir:
    // sessions and queued messages would silently not survive a restart
    `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location ${dir}/\n${o.stock ? '' : 'max_queued_messages 0\n'}log_dest none\n${process.getuid?.() === 0 ? 'user root\n' : ''}${extraConf}`,
  )
  let child: ChildProcess | undefined
  const launch = async () => {
    child = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' })
    await waitForPort(port, 5000)
  }
  const kill = async () => {
    const c = child
    if (!c || c.exitCode !== null) return
    await new Promise<void>((r) => {
      c.once('exit', () => r())
      c.kill('SIGTERM')
    })
  }
  await launch()
  return {
    port,
    url: `${o.scheme ?? 'mqtt'}://127.0.0.1:${port}`,
    dir,
    async stop() {
      await kill()
      rmSync(dir, { recursive: true, force: true })
    },
    async restart() {
      await kill()
      await launch()
    },
    async down() {
      await kill()
    },
  }
}
