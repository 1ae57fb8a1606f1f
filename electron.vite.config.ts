import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

/** The store's worker bootstrap is plain .mjs loaded by URL at run time: ship it beside the main bundle. */
const storeWorkerBootstrap = {
  name: 'plantdeck-store-worker-bootstrap',
  generateBundle(this: { emitFile(f: { type: 'asset'; fileName: string; source: string }): void }) {
    this.emitFile({ type: 'asset', fileName: 'worker-bootstrap.mjs', source: readFileSync(resolve(__dirname, 'src/adapters/sqlite/worker-bootstrap.mjs'), 'utf8') })
  },
}

export default defineConfig({
  main: {
    plugins: [storeWorkerBootstrap],
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/main/index.ts'), 'store-worker': resolve(__dirname, 'src/adapters/sqlite/worker.ts') },
      },
    },
  },
  preload: {
    // Sandboxed preloads must be CommonJS.
    build: { rollupOptions: { input: { index: resolve(__dirname, 'src/preload/index.ts') }, output: { format: 'cjs', entryFileNames: '[name].cjs' } } },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: { rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } } },
    plugins: [react()],
  },
})
