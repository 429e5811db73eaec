/**
 * `npm run build:cli` (also run by `npm run build` and by `prepare` after `npm ci`): the CLI as an
 * esbuild bundle in dist/cli/, so `dli-sync` starts without transpiling TypeScript. Code splitting
 * keeps each command's dependencies in their own chunk, loaded by the CLI's dynamic imports: `--help`
 * reads a few KB, `events` the DynamoDB client but not undici or the notifier.
 *
 * Of the Lambda bundles' size measures (scripts/build.ts) only zod's namespace import is taken (the
 * whole of zod is ~470 KB to parse on every query command): the CLI needs the AWS SDK's whole
 * credential chain (profiles, SSO), and runs on Node 20 as well as 22.
 *
 * dist/cli/stamp.json lists the project files the bundle was built from, with a hash of their
 * contents; bin/launch.js runs the bundle only while that hash still matches (else tsx).
 */
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE_DIR, STAMP, sourceHash } from '../bin/launch.js';
import { zodNamespacePlugin } from './build.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = 'cli.mjs';
// CommonJS dependencies bundled into ESM call require() for Node's built-ins.
const BANNER =
  "import { createRequire as __dliRequire } from 'node:module'; const require = __dliRequire(import.meta.url);";

export async function buildCli(outDir = BUNDLE_DIR): Promise<{ inputs: string[]; bytes: number }> {
  await rm(outDir, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [{ in: 'bin/cli.ts', out: 'cli' }],
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    minify: true,
    // Error classes are told apart by instanceof, but names still show in messages and logs.
    keepNames: true,
    banner: { js: BANNER },
    metafile: true,
    logLevel: 'warning',
    plugins: [zodNamespacePlugin()],
  });
  // Dependencies change only through the lockfile; project files are listed one by one.
  const inputs = [
    ...Object.keys(result.metafile.inputs).filter((p) => !p.startsWith('node_modules/')),
    'package-lock.json',
  ].sort();
  await writeFile(
    join(outDir, STAMP),
    JSON.stringify({ entry: ENTRY, inputs, hash: sourceHash(inputs, ROOT) }, null, 2),
  );
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  return { inputs, bytes };
}

async function main(): Promise<void> {
  const started = performance.now();
  try {
    const { inputs, bytes } = await buildCli();
    console.log(
      `built the CLI into ${relative(ROOT, BUNDLE_DIR)}/ (${(bytes / 1000).toFixed(0)} KB, ${inputs.length} source files) in ${Math.round(performance.now() - started)} ms`,
    );
  } catch (err) {
    // `prepare` runs this after `npm ci`: a failed build must not fail the install, the CLI then
    // runs through tsx.
    console.warn(
      `warning: the CLI bundle was not built (${(err as Error).message.split('\n')[0]}); dli-sync uses tsx`,
    );
    if (process.argv.includes('--strict')) process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
