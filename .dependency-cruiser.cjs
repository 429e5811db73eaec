/**
 * Which way imports point (`npm run check:imports`, run by .ci/run). The map is docs/architecture.md:
 *
 *   functions/, bin/  →  lib/sync, lib/notify, lib/api, lib/report  →  lib/store, lib/dli  →  lib/model, lib/validate.ts, lib/errors.ts
 *
 * Shell helpers sit between the middle and the bottom: lib/config.ts (with lib/credentials.ts and
 * lib/target-config.ts), lib/secrets.ts, lib/ssm-type.ts,
 * lib/log.ts and lib/app.ts read the environment, SSM and wire a store, so the product's layers above
 * use them and they may use store/dli, but nothing in store/ or dli/ reads configuration itself
 * (it is handed in). lib/concurrency.ts and lib/backoff.ts are pure helpers at the bottom.
 * Type-only imports count: a type drags its concept's owner along just as much as a value does.
 */
const CORE = '^lib/(model/|validate\\.ts$|errors\\.ts$)';
const HELPERS = '^lib/(concurrency|backoff)\\.ts$';
const SHELL = '^lib/(config|credentials|target-config|secrets|ssm-type|log|app)\\.ts$';
const UPPER = '^lib/(sync|notify|api|report)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'lib-not-to-entry-points',
      comment:
        'lib/ is the library every entry point calls; it never reaches back into them, the local tools or tests.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(functions|bin|infra|test|bench|scripts)/' },
    },
    {
      name: 'model-imports-no-lib',
      comment: 'lib/model owns the domain words: it imports no other lib module.',
      severity: 'error',
      from: { path: '^lib/model/' },
      to: { path: '^lib/', pathNot: '^lib/model/' },
    },
    {
      name: 'model-does-no-io',
      comment: 'lib/model is pure: zod and node:crypto only, no I/O.',
      severity: 'error',
      from: { path: '^lib/model/' },
      to: { dependencyTypesNot: ['local', 'type-only'], pathNot: '^(node_modules/zod/|crypto$)' },
    },
    {
      name: 'core-imports-only-core',
      comment: 'lib/validate.ts and lib/errors.ts import only each other and lib/model.',
      severity: 'error',
      from: { path: '^lib/(validate|errors)\\.ts$' },
      to: { path: '^lib/', pathNot: CORE },
    },
    {
      name: 'helpers-import-only-core',
      comment: 'Pure helpers (concurrency, backoff) sit at the bottom with the core.',
      severity: 'error',
      from: { path: HELPERS },
      to: { path: '^lib/', pathNot: `${CORE}|${HELPERS}` },
    },
    {
      name: 'store-and-dli-import-only-down',
      comment:
        'lib/store is the only speaker of DynamoDB and lib/dli of the DLI API: neither knows the other, the configuration or the layers above.',
      severity: 'error',
      from: { path: '^lib/(store|dli)/' },
      to: { path: '^lib/', pathNot: `${CORE}|${HELPERS}|^lib/$1/` },
    },
    {
      name: 'shell-helpers-not-up',
      comment: 'Configuration, secrets, logging and wiring serve the product layers; they never import them.',
      severity: 'error',
      from: { path: SHELL },
      to: { path: UPPER },
    },
    {
      name: 'notify-not-sync-or-dli',
      comment:
        'The notifier reads events from the store; it needs nothing of the sync or the DLI client (its bundle stays small).',
      severity: 'error',
      from: { path: '^lib/notify/' },
      to: { path: '^lib/(sync|dli)/' },
    },
    {
      name: 'sync-not-notify-or-api',
      comment: 'The sync writes events; delivering and serving them is somebody else’s job.',
      severity: 'error',
      from: { path: '^lib/sync/' },
      to: { path: '^lib/(notify|api|report)/' },
    },
    {
      name: 'api-and-report-read-only',
      comment: 'The API and reports read through lib/store; they do not run syncs or deliveries.',
      severity: 'error',
      from: { path: '^lib/(api|report)/' },
      to: { path: '^lib/(sync|notify)/' },
    },
    {
      name: 'entry-points-apart',
      comment: 'Lambda handlers and the CLI call the same library, not each other.',
      severity: 'error',
      from: { path: '^(functions|bin)/' },
      to: { path: '^(functions|bin)/', pathNot: '^$1/' },
    },
    {
      name: 'tools-not-from-tests',
      comment:
        'The demo, the bench, the local infrastructure and the build import from infra/local, never from test/.',
      severity: 'error',
      from: { path: '^(bin|bench|infra|scripts|functions)/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-circular',
      comment:
        "A cycle means two modules own each other; one of them should own the shared part. Cycles through type-only imports (a command naming the CLI's Io type) vanish at runtime and are allowed.",
      severity: 'error',
      from: { path: '^(lib|functions|bin)/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
