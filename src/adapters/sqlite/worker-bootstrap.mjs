// Worker entry. In development and tests the worker is TypeScript: register tsx in this thread first.
// A production build points `entry` at bundled JavaScript and skips that.
import { workerData } from 'node:worker_threads'

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api')
  register()
}
await import(workerData.entry)
