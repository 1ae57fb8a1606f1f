import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { derivedClientId } from '../adapters/mqtt/client-options'
import { INSTALLATION_ID_FILE, installationId } from './installation-id'

const root = mkdtempSync(join(tmpdir(), 'plantdeck-install-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('installation id', () => {
  it('is created once per data folder and read back after', () => {
    const dir = join(root, 'a', 'nested')
    const first = installationId(dir)
    expect(first).toMatchObject({ created: true, id: expect.stringMatching(/^[0-9a-f]{32}$/) })
    expect(installationId(dir)).toEqual({ id: first.id, created: false })
    expect(readFileSync(join(dir, INSTALLATION_ID_FILE), 'utf8').trim()).toBe(first.id)
    expect(installationId(join(root, 'b')).id).not.toBe(first.id)
  })

  it('an unreadable file is replaced', () => {
    const dir = join(root, 'c')
    installationId(dir)
    writeFileSync(join(dir, INSTALLATION_ID_FILE), 'garbage')
    expect(installationId(dir)).toMatchObject({ created: true, id: expect.stringMatching(/^[0-9a-f]{32}$/) })
  })

  it('derives MQTT client ids of 23 characters, per installation and connection', () => {
    const a = 'aaaaaaaa'.repeat(4)
    const b = 'aaaaaaaa' + 'b'.repeat(24)
    const id = derivedClientId(a, 'meters')
    expect(id).toMatch(/^plantdeck-aaaaaaaa-[0-9a-f]{4}$/)
    expect(id).toHaveLength(23)
    expect(derivedClientId(a, 'meters')).toBe(id)
    expect(derivedClientId(a, 'plc')).not.toBe(id)
    // same first 8 hex digits, another installation: the hash part differs
    expect(derivedClientId(b, 'meters')).not.toBe(id)
  })
})
