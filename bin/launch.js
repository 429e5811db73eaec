// Picks what runs the CLI: the prebuilt bundle when it is current, else the TypeScript through tsx.
// Plain JavaScript on purpose: it runs before anything can transpile TypeScript.
//
// "Current" is decided by content, not by timestamps: the bundle's stamp lists the project files
// esbuild read (from its metafile) plus package-lock.json, with a SHA-256 over their contents.
// mtimes would be cheaper to read, but git sets them at checkout and cp/rsync can keep old ones, so
// a stale bundle could pass or a fresh one fail; hashing ~70 small files costs about a millisecond.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE_DIR = join(ROOT, 'dist', 'cli');
export const STAMP = 'stamp.json';

/** SHA-256 over the files' paths (relative to the checkout) and contents, in the order given. */
export function sourceHash(files, root = ROOT) {
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(root, file)))
      .update('\0');
  return hash.digest('hex');
}

/** The bundle's entry file when its stamp matches the sources as they are now; null otherwise. */
export function freshBundle(dir = BUNDLE_DIR, root = ROOT) {
  try {
    const stamp = JSON.parse(readFileSync(join(dir, STAMP), 'utf8'));
    if (!Array.isArray(stamp.inputs) || typeof stamp.entry !== 'string') return null;
    return stamp.hash === sourceHash(stamp.inputs, root) ? join(dir, stamp.entry) : null;
  } catch {
    // No bundle, no stamp, or a listed file is gone: the sources changed shape; use them directly.
    return null;
  }
}

/** Runs the CLI with this process's arguments; DLI_SYNC_NO_BUNDLE=1 forces the tsx path. */
export async function runCli() {
  const bundle = process.env.DLI_SYNC_NO_BUNDLE === '1' ? null : freshBundle();
  let cli;
  // Node 22 keeps V8's compiled code of the bundle on disk (.cache/, git-ignored): later starts skip
  // most parsing and compiling. Node 20 has no such cache; the bundle alone must do there.
  if (bundle) module.enableCompileCache?.(join(ROOT, '.cache', 'node-compile-cache'));
  if (bundle) cli = await import(pathToFileURL(bundle).href);
  else {
    const { register } = await import('tsx/esm/api');
    register();
    cli = await import('./cli.ts');
  }
  process.exitCode = await cli.main(process.argv.slice(2), process.env, {
    out: (s) => process.stdout.write(`${s}\n`),
    err: (s) => process.stderr.write(`${s}\n`),
  });
}
