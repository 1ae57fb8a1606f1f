import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { openSqliteSampleStore } from '../../src/adapters/sqlite/create-sqlite-sample-store'
import { describeSampleStore } from '../../src/core/testing/sample-store-contract'

const dir = mkdtempSync(join(tmpdir(), 'plantdeck-store-contract-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describeSampleStore('SQLite', (clock) => openSqliteSampleStore({ path: join(dir, 'contract.db'), clock, keepUndelivered: true }))

// Tiny blocks and an early compaction threshold put every code path (tail merges, late merges across
// many blocks, compaction during appends) to work on the contract's small data.
describeSampleStore('SQLite, tiny blocks', (clock) =>
  openSqliteSampleStore({ path: join(dir, 'tiny.db'), clock, keepUndelivered: true, blockTarget: 16, compactAtSamples: 500 }),
)
