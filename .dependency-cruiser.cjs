// Which way imports may run (see docs/architecture.md). Checked by src/architecture.test.ts in `npm test`.
// shared <- core <- adapters <- app <- main | server; renderer -> shared only; one protocol named only in its
// folders and the registries. Test files may compose across layers (a core test may use a real adapter).
const notTests = '\\.test\\.tsx?$'
const protocols = '(opcua|mqtt|calc)'

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'shared-stays-shared',
      comment: 'src/shared runs anywhere: it imports only itself and plain npm packages (no node:, no other layer)',
      severity: 'error',
      from: { path: '^src/shared/', pathNot: notTests },
      to: { pathNot: ['^src/shared/', '(^|/)node_modules/'] },
    },
    {
      name: 'shared-no-node',
      severity: 'error',
      from: { path: '^src/shared/', pathNot: notTests },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-is-plain',
      comment: 'the core never imports an adapter, a host, the demo, the renderer or a Node built-in',
      severity: 'error',
      from: { path: '^src/core/', pathNot: [notTests, '^src/core/testing/'] },
      to: { path: ['^src/(adapters|app|server|main|preload|renderer|demo)/'] },
    },
    {
      name: 'core-no-node',
      severity: 'error',
      from: { path: '^src/core/', pathNot: [notTests, '^src/core/testing/'] },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-is-web',
      comment: 'the renderer talks to the core through the contract only: it imports src/shared and web packages, no Node code',
      severity: 'error',
      from: { path: '^src/renderer/', pathNot: notTests },
      to: { path: ['^src/(core|adapters|app|server|main|preload|demo)/'] },
    },
    {
      name: 'renderer-no-node',
      severity: 'error',
      from: { path: '^src/renderer/', pathNot: notTests },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'adapters-do-not-reach-into-each-other',
      comment: 'one adapter folder never imports another; the store engine and the collector base are shared on purpose',
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/', pathNot: notTests },
      to: { path: '^src/adapters/([^/]+)/', pathNot: ['^src/adapters/$1/', '^src/adapters/store-engine/'] },
    },
    {
      name: 'adapters-below-hosts',
      severity: 'error',
      from: { path: '^src/adapters/', pathNot: notTests },
      to: { path: ['^src/(app|server|main|preload|renderer|demo)/'] },
    },
    {
      name: 'generic-core-names-no-protocol',
      comment: 'outside a protocol folder only the registries (core/drivers.ts, core/config/connection-kinds.ts) import one',
      severity: 'error',
      from: { path: '^src/core/', pathNot: [notTests, `^src/core/${protocols}/`, '^src/core/drivers\\.ts$', '^src/core/config/connection-kinds\\.ts$', '^src/core/testing/'] },
      to: { path: `^src/core/${protocols}/` },
    },
    {
      name: 'generic-host-names-no-protocol',
      comment: 'in the hosts only app/drivers.ts (and the OPC UA trust helpers it uses) reach a protocol adapter',
      severity: 'error',
      from: { path: '^src/(app|server|main)/', pathNot: [notTests, '^src/app/drivers\\.ts$', `^src/app/${protocols}-`] },
      to: { path: `^src/adapters/${protocols}/` },
    },
    {
      name: 'generic-renderer-names-no-protocol',
      comment: "in the renderer only renderer/drivers.tsx imports a protocol's screens",
      severity: 'error',
      from: { path: '^src/renderer/', pathNot: [notTests, '^src/renderer/drivers\\.tsx$', `^src/renderer/features/engineering/${protocols}/`] },
      to: { path: `^src/renderer/features/engineering/${protocols}/` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // TypeScript 7 has no JavaScript API for dependency-cruiser to use: swc reads the .ts files. swc's reader here
    // does not take JSX, so the .tsx files (renderer components) are checked by src/architecture.test.ts itself,
    // with swc's own parser, against the renderer's rules.
    parser: 'swc',
    tsPreCompilationDeps: true,
    exclude: { path: ['\\.test\\.tsx?$', '\\.css$', '\\.tsx$'] },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.mjs', '.js', '.cjs', '.json'] },
  },
}
