/** The CLI launcher runs the bundle only while it was built from the sources as they are now. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshBundle, STAMP, sourceHash } from '../../bin/launch.js';

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'launch-'));
  dir = join(root, 'dist', 'cli');
  mkdirSync(join(root, 'lib'), { recursive: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(root, 'lib', 'a.ts'), 'export const a = 1;\n');
  writeFileSync(join(root, 'package-lock.json'), '{}\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const inputs = ['lib/a.ts', 'package-lock.json'];
const stamp = (value: unknown) => writeFileSync(join(dir, STAMP), JSON.stringify(value));

describe('freshBundle', () => {
  it('is the entry while every listed source hashes as at build time', () => {
    stamp({ entry: 'cli.mjs', inputs, hash: sourceHash(inputs, root) });
    expect(freshBundle(dir, root)).toBe(join(dir, 'cli.mjs'));
  });

  it('is null once a source changed, even with its old timestamp', () => {
    stamp({ entry: 'cli.mjs', inputs, hash: sourceHash(inputs, root) });
    writeFileSync(join(root, 'lib', 'a.ts'), 'export const a = 2;\n');
    expect(freshBundle(dir, root)).toBeNull();
  });

  it('is null when the lockfile changed (dependencies are bundled)', () => {
    stamp({ entry: 'cli.mjs', inputs, hash: sourceHash(inputs, root) });
    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3}\n');
    expect(freshBundle(dir, root)).toBeNull();
  });

  it('is null without a bundle, with a listed file gone, or with a garbled stamp', () => {
    expect(freshBundle(dir, root)).toBeNull();
    stamp({ entry: 'cli.mjs', inputs: [...inputs, 'lib/gone.ts'], hash: 'x' });
    expect(freshBundle(dir, root)).toBeNull();
    writeFileSync(join(dir, STAMP), '{not json');
    expect(freshBundle(dir, root)).toBeNull();
    stamp({ entry: 1, inputs, hash: sourceHash(inputs, root) });
    expect(freshBundle(dir, root)).toBeNull();
  });
});
