export * from './collector'
export * from './logger'
export * from './clock'
