import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { method } from '../contract/define'
import { AppError } from '../model/errors'
import { createRpcClient } from './client'
import { createRpcServer } from './server'
import { createMemoryPair, type Transport } from './transport'

const testContract = {
  'math.add': method(z.object({ a: z.number(), b: z.number() }).strict(), z.number(), 'public'),
  'math.fail': method(z.object({}).strict(), z.number(), 'public'),
  'math.boom': method(z.object({}).strict(), z.number(), 'public'),
  'math.lie': method(z.object({}).strict(), z.number(), 'public'),
  'math.slow': method(z.object({}).strict(), z.number(), 'public'),
  'math.watch': method(z.object({}).strict(), z.literal(true), 'public'),
} as const
const testEvents = { 'math.tick': z.number() } as const

function setup(maxMessage = 1000) {
  const rejects: string[] = []
  const server = createRpcServer({
    contract: testContract,
    events: testEvents,
    maxMessage,
    validateResults: true,
    onReject: (code) => rejects.push(code),
    handlers: {
      'math.add': ({ a, b }) => a + b,
      'math.fail': () => {
        throw new AppError('signal.unknown', 'no such signal')
      },
      'math.boom': () => {
        throw new Error('kaput')
      },
      'math.lie': () => 'not a number' as unknown as number,
      'math.slow': () => new Promise<number>(() => {}),
      'math.watch': (_p, { session }) => {
        session.emit('math.tick', 42)
        return true as const
      },
    },
  })
  const [clientEnd, serverEnd] = createMemoryPair()
  server.connect(serverEnd)
  const client = createRpcClient<typeof testContract, typeof testEvents>(clientEnd, { timeoutMs: 200 })
  return { server, client, clientEnd, rejects }
}

/** Send raw text and wait for the next reply. */
function raw(t: Transport, text: string): Promise<{ id: unknown; ok: boolean; error?: { code: string; message: string } }> {
  return new Promise((resolve) => {
    const off = t.onMessage((m) => {
      off()
      resolve(JSON.parse(m))
    })
    t.send(text)
  })
}

describe('rpc over the in-memory pair', () => {
  it('calls a method and returns its typed result', async () => {
    const { client } = setup()
    await expect(client.call('math.add', { a: 2, b: 40 })).resolves.toBe(42)
  })

  it('answers bad params with rpc.bad_params and the offending path', async () => {
    const { client, rejects } = setup()
    const err = await client.call('math.add', { a: 2, b: 'x' as unknown as number }).catch((e) => e)
    expect(err).toBeInstanceOf(AppError)
    expect(err.code).toBe('rpc.bad_params')
    expect(err.message).toContain('b')
    expect(rejects).toEqual(['rpc.bad_params'])
  })

  it('rejects unknown extra params (strict schemas)', async () => {
    const { client } = setup()
    const err = await client.call('math.add', { a: 1, b: 2, c: 3 } as never).catch((e) => e)
    expect(err.code).toBe('rpc.bad_params')
  })

  it('carries a handler AppError code to the caller', async () => {
    const { client } = setup()
    await expect(client.call('math.fail', {})).rejects.toMatchObject({ code: 'signal.unknown', message: 'no such signal' })
  })

  it('turns an unexpected throw into rpc.internal without killing the server', async () => {
    const { client } = setup()
    await expect(client.call('math.boom', {})).rejects.toMatchObject({ code: 'rpc.internal' })
    await expect(client.call('math.add', { a: 1, b: 1 })).resolves.toBe(2)
  })

  it('refuses a result that breaks its schema (rpc.bad_result)', async () => {
    const { client } = setup()
    await expect(client.call('math.lie', {})).rejects.toMatchObject({ code: 'rpc.bad_result' })
  })

  it('times out with rpc.timeout when no answer comes', async () => {
    const { client } = setup()
    await expect(client.call('math.slow', {})).rejects.toMatchObject({ code: 'rpc.timeout' })
  })

  it('delivers session events to that client', async () => {
    const { client } = setup()
    const got = new Promise<number>((r) => client.on('math.tick', r))
    await client.call('math.watch', {})
    await expect(got).resolves.toBe(42)
  })

  it('broadcasts to every connected session', async () => {
    const { server, client } = setup()
    const [c2, s2] = createMemoryPair()
    server.connect(s2)
    const client2 = createRpcClient<typeof testContract, typeof testEvents>(c2)
    const a = new Promise<number>((r) => client.on('math.tick', r))
    const b = new Promise<number>((r) => client2.on('math.tick', r))
    server.broadcast('math.tick', 7)
    await expect(Promise.all([a, b])).resolves.toEqual([7, 7])
    expect(server.sessionCount).toBe(2)
  })

  it('fails pending calls with rpc.closed when the transport closes', async () => {
    const { client, clientEnd } = setup()
    const p = client.call('math.slow', {})
    clientEnd.close()
    await expect(p).rejects.toMatchObject({ code: 'rpc.closed' })
  })
})

describe('rpc server against malformed messages', () => {
  it.each([
    ['invalid JSON', '{"id":1,', 'rpc.bad_json', null],
    ['not an envelope', '[1,2,3]', 'rpc.bad_envelope', null],
    ['missing method', '{"id":5,"params":{}}', 'rpc.bad_envelope', 5],
    ['unknown method', '{"id":6,"method":"nope.nothing","params":{}}', 'rpc.unknown_method', 6],
    ['prototype key as method', '{"id":7,"method":"__proto__","params":{}}', 'rpc.unknown_method', 7],
    ['wrong param types', '{"id":8,"method":"math.add","params":{"a":"1","b":null}}', 'rpc.bad_params', 8],
    ['params not an object', '{"id":9,"method":"math.add","params":"x"}', 'rpc.bad_params', 9],
  ])('%s → %s', async (_name, text, code, id) => {
    const { clientEnd, client } = setup()
    const reply = await raw(clientEnd, text)
    expect(reply.ok).toBe(false)
    expect(reply.error?.code).toBe(code)
    expect(reply.id).toBe(id)
    // the session still serves good calls afterwards
    await expect(client.call('math.add', { a: 1, b: 2 })).resolves.toBe(3)
  })

  it('answers an oversized message with rpc.too_large without parsing it', async () => {
    const { clientEnd, client, server } = setup(1000)
    const big = JSON.stringify({ id: 1, method: 'math.add', params: { a: 1, b: 2, pad: 'x'.repeat(5000) } })
    const reply = await raw(clientEnd, big)
    expect(reply.error?.code).toBe('rpc.too_large')
    expect(server.rejected['rpc.too_large']).toBe(1)
    await expect(client.call('math.add', { a: 1, b: 2 })).resolves.toBe(3)
  })
})
