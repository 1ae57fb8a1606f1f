import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import type { IdentityCrypto } from '../../core/ports/users'

/** scrypt's cost: N (a power of two), r, p. The default costs about 32 MiB and tens of milliseconds per hash. */
export interface ScryptCost {
  N: number
  r: number
  p: number
}

export const DEFAULT_SCRYPT: ScryptCost = { N: 2 ** 15, r: 8, p: 1 }
const KEY_BYTES = 32
const SALT_BYTES = 16

const run = (password: string, salt: Buffer, c: ScryptCost): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    // maxmem: scrypt needs 128·N·r bytes; Node's default (32 MiB) is just too small for N=2^15, r=8
    const o: ScryptOptions = { N: c.N, r: c.r, p: c.p, maxmem: 256 * c.N * c.r + 1024 * 1024 }
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, o, (err, key) => (err ? reject(err) : resolve(key)))
  })

/** `scrypt$N$r$p$salt$hash` (base64url): the parameters are stored with each hash. */
function parse(stored: string): { cost: ScryptCost; salt: Buffer; hash: Buffer } | undefined {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored)
  if (!m) return undefined
  const cost = { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) }
  // a stored hash never asks for more than 1 GiB, or for a non-power-of-two N
  if (cost.N < 2 || (cost.N & (cost.N - 1)) !== 0 || cost.N > 2 ** 20 || cost.r < 1 || cost.r > 32 || cost.p < 1 || cost.p > 16) return undefined
  return { cost, salt: Buffer.from(m[4]!, 'base64url'), hash: Buffer.from(m[5]!, 'base64url') }
}

/**
 * Identity's crypto with Node's `crypto` (also in Electron, whose Node is built on BoringSSL): passwords with
 * `crypto.scrypt` and a random 16-byte salt per hash, compared in constant time; 256-bit session secrets, stored as
 * SHA-256. `cost` is for tests (a lower N is faster); hashes made with a lower cost than the current one are
 * reported by `needsRehash` and rehashed at the next login.
 */
export function nodeIdentityCrypto(cost: ScryptCost = DEFAULT_SCRYPT): IdentityCrypto {
  return {
    async hashPassword(password) {
      const salt = randomBytes(SALT_BYTES)
      const key = await run(password, salt, cost)
      return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64url')}$${key.toString('base64url')}`
    },
    async verifyPassword(password, stored) {
      const p = parse(stored)
      if (!p || p.hash.length !== KEY_BYTES) return false
      const key = await run(password, p.salt, p.cost)
      return timingSafeEqual(key, p.hash)
    },
    needsRehash(stored) {
      const p = parse(stored)
      return !p || p.cost.N < cost.N || p.cost.r < cost.r || p.cost.p < cost.p
    },
    newSecret: () => randomBytes(32).toString('base64url'),
    newId: () => randomBytes(16).toString('base64url'),
    digest: (secret) => createHash('sha256').update(secret).digest('hex'),
  }
}

/** A cheap cost for tests only. */
export const TEST_SCRYPT: ScryptCost = { N: 2 ** 10, r: 8, p: 1 }
