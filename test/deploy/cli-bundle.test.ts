/** The CLI bundle (scripts/build-cli.ts) is built from this checkout, current, and runs the CLI. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freshBundle } from '../../bin/launch.js';
import { buildCli } from '../../scripts/build-cli.ts';

const out = mkdtempSync(join(tmpdir(), 'cli-bundle-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the CLI bundle', () => {
  it('lists its sources and the lockfile in its stamp, is current, and answers --help', async () => {
    const { inputs } = await buildCli(out);
    expect(inputs).toEqual(expect.arrayContaining(['bin/cli.ts', 'lib/validate.ts', 'package-lock.json']));
    expect(inputs.some((i) => i.startsWith('node_modules/'))).toBe(false);
    const entry = freshBundle(out);
    expect(entry).toBe(join(out, 'cli.mjs'));
    // --help loads the entry chunk only: no AWS SDK, no zod in it.
    const source = readFileSync(entry as string, 'utf8');
    expect(source.length).toBeLessThan(20_000);
    const cli = (await import(pathToFileURL(entry as string).href)) as {
      main: (
        a: string[],
        e: object,
        io: { out: (s: string) => void; err: (s: string) => void },
      ) => Promise<number>;
    };
    const said: string[] = [];
    expect(await cli.main(['--help'], {}, { out: (s) => said.push(s), err: (s) => said.push(s) })).toBe(0);
    expect(said.join('\n')).toMatch(/^usage: dli-sync <command>/);
    const errors: string[] = [];
    expect(
      await cli.main(['events', '--limit', '-5'], {}, { out: () => {}, err: (s) => errors.push(s) }),
    ).toBe(2);
    expect(errors).toEqual(['dli-sync: --limit must be a whole number from 1 to 10000']);
  }, 120_000);
});
