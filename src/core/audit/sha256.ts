import { sha256 } from '@noble/hashes/sha2'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils'

/**
 * SHA-256 as hex, synchronously and without `node:crypto` (the core runs in every host; the audit chain hashes
 * inside the adapter's transaction): `@noble/hashes`, a maintained, audited pure-JS implementation. Checked against
 * node:crypto in sha256.test.ts.
 */
export function sha256Hex(input: string | Uint8Array): string {
  return bytesToHex(sha256(typeof input === 'string' ? utf8ToBytes(input) : input))
}
