/**
 * `npm run build`: one esbuild bundle per Lambda function, dist/<fn>/index.mjs (minified,
 * tree-shaken, linked source map, licences beside it) plus esbuild's metafile, zipped into
 * dist/<fn>.zip: the artifact serverless.yml deploys (`package.artifact`), so `osls package` never
 * bundles or globs node_modules itself. The AWS SDK is bundled at the versions package-lock.json
 * pins, not taken from the runtime, so what is tested is what runs.
 *
 * `npm run check:bundles` (`--check`): the same build, then each bundle's minified size against its
 * budget, with a per-package breakdown from the metafile; exits 1 over budget.
 *
 * Size work, each measured on this code base (sizes minified):
 * - AWS SDK from its ES-module build (`mainFields: module, main`): esbuild can drop the unused
 *   commands and error classes of the CommonJS build otherwise kept whole (SSM client 206 → 77 KB).
 * - `import { z } from 'zod'` binds zod's whole namespace as one object esbuild cannot shake
 *   (443 KB); `import * as z` is the form zod 4 documents for tree-shaking (≈ 89 KB). The
 *   project's files are rewritten to that form at bundle time; the meaning is identical.
 * - `undici`'s index loads fetch, WebSocket, EventSource, caches and mocks (CommonJS, unshakeable:
 *   525 KB). The code uses only `Pool` and `request`, so `undici` resolves to a module exposing
 *   just those, from undici's own files (see UNDICI_CORE); three of its files on paths this code
 *   never takes (HTTP/2, FormData bodies, the non-SIMD parser) become stand-ins that throw (see
 *   UNDICI_UNUSED). 525 KB → 169 KB.
 * - The AWS SDK's default credential chain (SSO, STS, INI files, process, IMDS: ≈ 80 KB with its
 *   nested clients) is replaced by the environment provider: Lambda always puts the execution
 *   role's credentials in AWS_ACCESS_KEY_ID / _SECRET_ACCESS_KEY / _SESSION_TOKEN.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import yazl from 'yazl';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');

export interface FunctionBundle {
  /** serverless.yml's function key, and dist/<name>/. */
  name: string;
  entry: string;
  /** Minified bytes, KB = 1000 bytes. */
  budgetKb: number;
}

export const FUNCTIONS: readonly FunctionBundle[] = [
  { name: 'sync', entry: 'functions/sync.ts', budgetKb: 900 },
  // The worker runs the sync path without the scheduler's SQS client: the sync budget is its ceiling.
  { name: 'syncWorker', entry: 'functions/sync-worker.ts', budgetKb: 900 },
  { name: 'notify', entry: 'functions/notify.ts', budgetKb: 700 },
  { name: 'api', entry: 'functions/api.ts', budgetKb: 600 },
  // The only bundle with the S3 client (and its presigner): the others never load it.
  { name: 'weeklyReport', entry: 'functions/weekly-report.ts', budgetKb: 900 },
];

/**
 * What `import { Pool, request } from 'undici'` needs, from undici's own files: the dispatcher
 * API on the prototype and `request` bound to the global dispatcher, as undici's index.js builds
 * them (its makeDispatcher, kept to the same checks). An ES module, so importing any other name
 * from 'undici' fails the build ("No matching export") instead of being undefined at run time.
 * test/deploy/bundles.test.ts runs the bundles' GET (Pool) and POST (request) paths for real.
 */
const UNDICI_CORE = `import Dispatcher from './lib/dispatcher/dispatcher.js'
import Pool from './lib/dispatcher/pool.js'
import Agent from './lib/dispatcher/agent.js'
import errors from './lib/core/errors.js'
import util from './lib/core/util.js'
import apiRequest from './lib/api/api-request.js'
import globalDispatcher from './lib/global.js'
const { getGlobalDispatcher, setGlobalDispatcher } = globalDispatcher
const { InvalidArgumentError } = errors
// undici assigns its whole API (stream, pipeline, upgrade, connect too); the code calls request only.
Dispatcher.prototype.request = apiRequest
function makeDispatcher (fn) {
  return (url, opts, handler) => {
    if (typeof opts === 'function') { handler = opts; opts = null }
    if (!url || (typeof url !== 'string' && typeof url !== 'object' && !(url instanceof URL))) {
      throw new InvalidArgumentError('invalid url')
    }
    if (opts != null && typeof opts !== 'object') throw new InvalidArgumentError('invalid opts')
    if (opts && opts.path != null) {
      if (typeof opts.path !== 'string') throw new InvalidArgumentError('invalid opts.path')
      let path = opts.path
      if (!opts.path.startsWith('/')) path = '/' + path
      url = new URL(util.parseOrigin(url).origin + path)
    } else {
      if (!opts) opts = typeof url === 'object' ? url : {}
      url = util.parseURL(url)
    }
    const { agent, dispatcher = getGlobalDispatcher() } = opts
    if (agent) throw new InvalidArgumentError('unsupported opts.agent. Did you mean opts.client?')
    return fn.call(dispatcher, {
      ...opts,
      origin: url.origin,
      path: url.search ? url.pathname + url.search : url.pathname,
      method: opts.method || (opts.body ? 'PUT' : 'GET')
    }, handler)
  }
}
export const request = makeDispatcher(apiRequest)
export { Dispatcher, Pool, Agent, errors, getGlobalDispatcher, setGlobalDispatcher }
`;

/**
 * undici files on paths this code never takes, each replaced by a stand-in that fails loudly if it
 * ever is taken:
 * - HTTP/2 (client-h2.js, 10 KB): negotiated only with `allowH2`, which nothing here sets;
 * - FormData request bodies (fetch/body.js and the WHATWG fetch helpers it pulls in, 41 KB): only
 *   strings and buffers are sent;
 * - the non-SIMD llhttp parser (72 KB of base64 WebAssembly): loaded only when the SIMD build fails
 *   to compile, which Node 22 on Lambda's arm64 and x86_64 never does.
 */
const UNDICI_UNUSED: { importer: RegExp; path: RegExp; contents: string }[] = [
  {
    importer: /undici\/lib\/dispatcher\/client\.js$/,
    path: /^\.\/client-h2\.js$/,
    contents:
      "module.exports = function connectH2 () { throw new Error('HTTP/2 is not in this bundle (scripts/build.ts)') }",
  },
  {
    importer: /undici\/lib\/dispatcher\/client-h[12]\.js$/,
    path: /^\.\.\/web\/fetch\/body\.js$/,
    contents:
      "module.exports = { extractBody () { throw new Error('FormData bodies are not in this bundle (scripts/build.ts)') } }",
  },
  {
    importer: /undici\/lib\/dispatcher\/client-h1\.js$/,
    path: /^\.\.\/llhttp\/llhttp-wasm\.js$/,
    contents: "throw new Error('llhttp without WebAssembly SIMD is not in this bundle (scripts/build.ts)')",
  },
];

const LAMBDA_CREDENTIALS = `import { fromEnv } from '@aws-sdk/credential-provider-env';
export const defaultProvider = (init = {}) => fromEnv(init);
`;

const ZOD_NAMED_IMPORT = /^import \{ z \} from 'zod';$/gm;

function sizePlugins(): Plugin {
  return {
    name: 'dli-sync-size',
    setup(b) {
      const fromProject = (importer: string) => !importer.includes('/node_modules/');
      b.onResolve({ filter: /^undici$/ }, (a) =>
        fromProject(a.importer) ? { path: 'undici', namespace: 'undici-core' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'undici-core' }, () => ({
        contents: UNDICI_CORE,
        loader: 'js',
        resolveDir: join(ROOT, 'node_modules/undici'),
      }));
      b.onResolve({ filter: /^\.\.?\/(client-h2|web\/fetch\/body|llhttp\/llhttp-wasm)\.js$/ }, (a) => {
        const i = UNDICI_UNUSED.findIndex((u) => u.importer.test(a.importer) && u.path.test(a.path));
        return i < 0 ? undefined : { path: String(i), namespace: 'undici-unused' };
      });
      b.onLoad({ filter: /.*/, namespace: 'undici-unused' }, (a) => ({
        contents: UNDICI_UNUSED[Number(a.path)]?.contents ?? '',
        loader: 'js',
      }));
      b.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
        path: 'credential-provider-node',
        namespace: 'lambda-credentials',
      }));
      b.onLoad({ filter: /.*/, namespace: 'lambda-credentials' }, () => ({
        contents: LAMBDA_CREDENTIALS,
        loader: 'js',
        resolveDir: join(ROOT, 'node_modules/@aws-sdk/credential-provider-node'),
      }));
    },
  };
}

/**
 * Project files' `import { z } from 'zod'` as `import * as z from 'zod'` (see the header): used by
 * the Lambda bundles and the CLI's (scripts/build-cli.ts).
 */
export function zodNamespacePlugin(): Plugin {
  return {
    name: 'dli-sync-zod-namespace',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (a) => {
        if (a.path.includes('/node_modules/')) return undefined;
        const source = await readFile(a.path, 'utf8');
        return { contents: source.replace(ZOD_NAMED_IMPORT, "import * as z from 'zod';"), loader: 'ts' };
      });
    },
  };
}

/** ESM bundles of CommonJS code (the AWS SDK, undici) call require() for Node built-ins. */
const BANNER =
  "import { createRequire as __dliRequire } from 'node:module'; const require = __dliRequire(import.meta.url);";

export interface BuiltBundle {
  name: string;
  bytes: number;
  budgetKb: number;
  /** bytes in the output per package, largest first; '(project)' is this repository's code. */
  packages: [string, number][];
}

export function packageOf(input: string): string {
  const nm = input.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = input.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? input);
  }
  // Virtual modules of sizePlugins stand in for the package they replace.
  if (input.startsWith('undici-core:') || input.startsWith('undici-unused:')) return 'undici';
  if (input.startsWith('lambda-credentials:')) return '@aws-sdk/credential-provider-node';
  return '(project)';
}

export function summarize(name: string, budgetKb: number, meta: Metafile): BuiltBundle {
  const [, output] =
    Object.entries(meta.outputs).find(([file]) => file.endsWith('index.mjs')) ??
    (() => {
      throw new Error(`metafile of ${name} has no index.mjs output`);
    })();
  const byPackage = new Map<string, number>();
  for (const [input, info] of Object.entries(output.inputs)) {
    const p = packageOf(input);
    byPackage.set(p, (byPackage.get(p) ?? 0) + info.bytesInOutput);
  }
  return {
    name,
    bytes: output.bytes,
    budgetKb,
    packages: [...byPackage.entries()].sort((a, b) => b[1] - a[1]),
  };
}

async function zipDir(dir: string, files: string[], out: string): Promise<void> {
  const zip = new yazl.ZipFile();
  // Fixed times and modes: the same bundle gives the same zip, so a redeploy without change is a no-op.
  const mtime = new Date('2000-01-01T00:00:00Z');
  for (const f of files) zip.addBuffer(await readFile(join(dir, f)), f, { mtime, mode: 0o100644 });
  zip.end();
  await new Promise<void>((resolve, reject) => {
    const sink = createWriteStream(out);
    zip.outputStream.pipe(sink).on('close', resolve).on('error', reject);
  });
}

/** `dist` is dist/ unless a test builds its own copy elsewhere (no race with `npm run package`). */
export async function buildFunction(fn: FunctionBundle, dist = DIST): Promise<BuiltBundle | null> {
  const entry = join(ROOT, fn.entry);
  const outDir = join(dist, fn.name);
  await rm(outDir, { recursive: true, force: true });
  await rm(`${outDir}.zip`, { force: true });
  if (!existsSync(entry)) {
    console.warn(`warning: ${fn.entry} does not exist yet; ${fn.name} skipped (no dist/${fn.name}.zip)`);
    return null;
  }
  const result = await build({
    entryPoints: [entry],
    outfile: join(outDir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    minify: true,
    treeShaking: true,
    sourcemap: 'linked',
    // Stack traces need the mappings, not the sources: keeps the artifact small.
    sourcesContent: false,
    legalComments: 'external',
    banner: { js: BANNER },
    metafile: true,
    logLevel: 'warning',
    plugins: [sizePlugins(), zodNamespacePlugin()],
  });
  await writeFile(join(outDir, 'meta.json'), JSON.stringify(result.metafile));
  const files = ['index.mjs', 'index.mjs.map', 'index.mjs.LEGAL.txt'].filter((f) =>
    existsSync(join(outDir, f)),
  );
  await zipDir(outDir, files, `${outDir}.zip`);
  return summarize(fn.name, fn.budgetKb, result.metafile);
}

const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} KB`;

export function report(b: BuiltBundle, top = 8): string {
  const status = b.bytes <= b.budgetKb * 1000 ? 'ok' : 'OVER BUDGET';
  const lines = [`${b.name.padEnd(11)} ${kb(b.bytes).padStart(9)} of ${b.budgetKb} KB  ${status}`];
  const shown = b.packages.slice(0, top);
  const rest = b.packages.slice(top).reduce((n, [, v]) => n + v, 0);
  for (const [p, v] of shown) lines.push(`    ${p.padEnd(44)} ${kb(v).padStart(9)}`);
  if (rest > 0)
    lines.push(`    ${`${b.packages.length - top} more packages`.padEnd(44)} ${kb(rest).padStart(9)}`);
  return lines.join('\n');
}

export async function buildAll(dist = DIST): Promise<{ built: BuiltBundle[]; skipped: string[] }> {
  await mkdir(dist, { recursive: true });
  const built: BuiltBundle[] = [];
  const skipped: string[] = [];
  for (const fn of FUNCTIONS) {
    const b = await buildFunction(fn, dist);
    if (b) built.push(b);
    else skipped.push(fn.name);
  }
  await writeFile(
    join(dist, 'bundles.json'),
    JSON.stringify(
      built.map((b) => ({ ...b, packages: Object.fromEntries(b.packages) })),
      null,
      2,
    ),
  );
  return { built, skipped };
}

/** Budgets over what `buildAll` produced; a skipped function is a failure here (CI must see all). */
export function checkBudgets(built: BuiltBundle[], skipped: string[]): string[] {
  const problems = built
    .filter((b) => b.bytes > b.budgetKb * 1000)
    .map((b) => `${b.name} is ${kb(b.bytes)}, over its ${b.budgetKb} KB budget`);
  for (const s of skipped) problems.push(`${s} was not built (entry missing)`);
  return problems;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const started = performance.now();
  const { built, skipped } = await buildAll();
  for (const b of built) console.log(report(b));
  console.log(
    `built ${built.length} bundle(s) into ${relative(ROOT, DIST)}/ in ${Math.round(performance.now() - started)} ms`,
  );
  if (!check) return;
  const problems = checkBudgets(built, skipped);
  if (problems.length > 0) {
    for (const p of problems) console.error(`bundle budget: ${p}`);
    process.exitCode = 1;
  } else {
    console.log('bundle budgets: all within budget');
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
