import { z } from 'zod'
import { ConnectionState } from '../model'
import { method } from './define'

export const connections = {
  /** Every configured connection with its current health and counters. */
  'connections.list': method(z.object({}).strict(), z.array(ConnectionState), 'viewer'),
} as const

export const connectionsEvents = {
  /** Pushed to every client when a connection's health or counters change (counters at most once a second). */
  'connections.state': ConnectionState,
} as const
