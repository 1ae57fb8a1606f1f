import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url))

/**
 * The renderer as a plain web app, for the headless server (which serves `out/web` and the WebSocket at `/api`).
 * `base: './'` keeps asset URLs relative, so the same bundle works from any mount path and from file://.
 * In `vite dev`, `/api` is proxied to a running server (PLANTDECK_API, default ws://127.0.0.1:8080).
 */
export default defineConfig({
  root: here('./src/renderer'),
  base: './',
  plugins: [react()],
  build: {
    outDir: here('./out/web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: {
      '/api': { target: process.env.PLANTDECK_API ?? 'ws://127.0.0.1:8080', ws: true },
    },
  },
})
