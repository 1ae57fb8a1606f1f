export * from './collector'
export * from './logger'
export * from './clock'
export * from './sample-store'
