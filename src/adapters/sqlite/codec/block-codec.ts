import { ByteReader, ByteWriter, unzigzag, zigzag } from './byte-io'
import { type Columns, KIND_STRING, isNumeric, kindOf } from '../../store-engine/columns'
import { readValues, writeValues } from './value-codec'

// A block packs one signal's samples (sorted, unique timestamps) into one blob:
//   version, n
//   timestamps: first, first delta, then delta-of-deltas as zigzag varints; a zero is followed by the
//               number of further zeros, so a regular sampling rate costs a few bytes per block
//   meta:       status dictionary, then runs of (flags, status) with their lengths; steady quality
//               costs a few bytes per block
//   numbers:    see value-codec (numbers and booleans, in order, nulls and strings skipped)
//   strings:    dictionary, then one varint index per string value (state texts repeat)

// Version 2 writes timestamps as integer microseconds; version 1 (stores before microsecond resolution)
// wrote integer milliseconds and is still read.
const VERSION = 2
const MS_VERSION = 1

export function encodeBlock(c: Columns): Uint8Array {
  const { n, ts, flags } = c
  const w = new ByteWriter(64 + n * 2)
  w.byte(VERSION)
  w.varint(n)
  writeTimestamps(w, ts, n)
  writeMeta(w, c)
  let numeric = 0
  for (let i = 0; i < n; i++) if (isNumeric(flags[i] ?? 0)) numeric++
  const values = numeric === n ? c.num.subarray(0, n) : new Float64Array(numeric)
  if (numeric !== n) {
    let k = 0
    for (let i = 0; i < n; i++) if (isNumeric(flags[i] ?? 0)) values[k++] = c.num[i] ?? 0
  }
  writeValues(w, values)
  writeTexts(w, c)
  return w.bytes()
}

const us = (ms: number | undefined): number => Math.round((ms ?? 0) * 1000)

function writeTimestamps(w: ByteWriter, ts: Float64Array, n: number): void {
  if (n === 0) return
  w.varint(us(ts[0]))
  if (n === 1) return
  let delta = us(ts[1]) - us(ts[0])
  w.varint(zigzag(delta))
  let i = 2
  while (i < n) {
    const d = us(ts[i]) - us(ts[i - 1])
    if (d === delta) {
      let j = i + 1
      while (j < n && us(ts[j]) - us(ts[j - 1]) === delta) j++
      w.varint(0)
      w.varint(j - i - 1)
      i = j
    } else {
      w.varint(zigzag(d - delta))
      delta = d
      i++
    }
  }
}

function writeMeta(w: ByteWriter, c: Columns): void {
  const dict = new Map<string, number>()
  const runFlags: number[] = []
  const runStatus: number[] = []
  const runLen: number[] = []
  for (let i = 0; i < c.n; i++) {
    const f = c.flags[i] ?? 0
    const s = c.status?.[i]
    let ref = 0
    if (s !== undefined) {
      ref = dict.get(s) ?? 0
      if (ref === 0) dict.set(s, (ref = dict.size + 1))
    }
    const last = runLen.length - 1
    if (last >= 0 && runFlags[last] === f && runStatus[last] === ref) runLen[last] = (runLen[last] ?? 0) + 1
    else {
      runFlags.push(f)
      runStatus.push(ref)
      runLen.push(1)
    }
  }
  w.varint(dict.size)
  for (const s of dict.keys()) w.string(s)
  w.varint(runLen.length)
  for (let r = 0; r < runLen.length; r++) {
    w.byte(runFlags[r] ?? 0)
    w.varint(runStatus[r] ?? 0)
    w.varint(runLen[r] ?? 0)
  }
}

function writeTexts(w: ByteWriter, c: Columns): void {
  const dict = new Map<string, number>()
  const refs: number[] = []
  for (let i = 0; i < c.n; i++) {
    if (kindOf(c.flags[i] ?? 0) !== KIND_STRING) continue
    const s = c.text?.[i] ?? ''
    let ref = dict.get(s)
    if (ref === undefined) dict.set(s, (ref = dict.size))
    refs.push(ref)
  }
  w.varint(dict.size)
  for (const s of dict.keys()) w.string(s)
  for (const ref of refs) w.varint(ref)
}

export function decodeBlock(bytes: Uint8Array): Columns {
  const r = new ByteReader(bytes)
  const version = r.byte()
  if (version !== VERSION && version !== MS_VERSION) throw new RangeError(`unknown block version ${version}`)
  const n = r.varint()
  const ts = new Float64Array(n)
  readTimestamps(r, ts, n)
  if (version === VERSION) for (let i = 0; i < n; i++) ts[i] = (ts[i] ?? 0) / 1000
  const flags = new Uint8Array(n)
  const status = readMeta(r, flags, n)
  let numeric = 0
  let strings = 0
  for (let i = 0; i < n; i++) {
    const f = flags[i] ?? 0
    if (isNumeric(f)) numeric++
    else if (kindOf(f) === KIND_STRING) strings++
  }
  const num = new Float64Array(n)
  if (numeric === n) readValues(r, num)
  else {
    const values = new Float64Array(numeric)
    readValues(r, values)
    let k = 0
    for (let i = 0; i < n; i++) if (isNumeric(flags[i] ?? 0)) num[i] = values[k++] ?? 0
  }
  const text = readTexts(r, flags, n, strings)
  return { n, ts, num, flags, text, status }
}

/** Sample count of an encoded block, without decoding it. */
export function blockSize(bytes: Uint8Array): number {
  const r = new ByteReader(bytes)
  r.byte()
  return r.varint()
}

function readTimestamps(r: ByteReader, ts: Float64Array, n: number): void {
  if (n === 0) return
  let t = r.varint()
  ts[0] = t
  if (n === 1) return
  let delta = unzigzag(r.varint())
  t += delta
  ts[1] = t
  let i = 2
  while (i < n) {
    const dod = unzigzag(r.varint())
    if (dod === 0) {
      const end = i + 1 + r.varint()
      for (; i < end; i++) ts[i] = t += delta
    } else {
      delta += dod
      ts[i++] = t += delta
    }
  }
}

function readMeta(r: ByteReader, flags: Uint8Array, n: number): (string | undefined)[] | null {
  const dict: string[] = []
  const size = r.varint()
  for (let k = 0; k < size; k++) dict.push(r.string())
  const status: (string | undefined)[] | null = size > 0 ? new Array<string | undefined>(n) : null
  const runs = r.varint()
  let i = 0
  for (let k = 0; k < runs; k++) {
    const f = r.byte()
    const ref = r.varint()
    const end = i + r.varint()
    flags.fill(f, i, end)
    if (ref > 0 && status) status.fill(dict[ref - 1], i, end)
    i = end
  }
  return status
}

function readTexts(r: ByteReader, flags: Uint8Array, n: number, strings: number): (string | undefined)[] | null {
  const dict: string[] = []
  const size = r.varint()
  for (let k = 0; k < size; k++) dict.push(r.string())
  if (strings === 0) return null
  const text = new Array<string | undefined>(n)
  for (let i = 0; i < n; i++) if (kindOf(flags[i] ?? 0) === KIND_STRING) text[i] = dict[r.varint()]
  return text
}
