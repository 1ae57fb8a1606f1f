import { z } from 'zod'
import { AssetNode, SignalInfo } from '../model'
import { method } from './define'

export const AssetTree = z.object({ root: AssetNode, signals: z.array(SignalInfo) })
export type AssetTree = z.infer<typeof AssetTree>

export const assets = {
  /** The whole asset tree and the signal catalog it refers to. */
  'assets.tree': method(z.object({}).strict(), AssetTree, 'viewer'),
} as const

export const assetsEvents = {} as const
