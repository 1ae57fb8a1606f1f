export * from './sample'
export * from './errors'
export * from './connection'
export * from './asset'
