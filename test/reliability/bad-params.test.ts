/**
 * Promise: bad CLI arguments and API query parameters get a clear one-line error, exit code 2 or
 * HTTP 400, never a stack trace and never a 500.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.ts';
import { makeConnections } from '../../infra/local/emulator-data.ts';
import { type ApiContext, route } from '../../lib/api/routes.ts';
import type { Env } from '../../lib/config.ts';
import { runCli } from '../support/cli.ts';
import { type Harness, PROJECT, startHarness } from '../support/harness.ts';
import { nastyString } from './arbitraries.ts';
import { faultMatrix } from './support.ts';

let h: Harness;
let ctx: ApiContext;
const matrix = faultMatrix(import.meta.filename);
beforeAll(async () => {
  h = await startHarness();
  h.dli.setConnections(PROJECT, makeConnections(5, { seed: 3 }));
  expect((await h.sync()).ok).toBe(true);
  ctx = { store: h.store, targets: h.config.targets };
  // main() reads its configuration from the env it is given; the AWS SDK reads its own from process.env.
  Object.assign(process.env, h.env);
});
afterAll(async () => {
  matrix.flush();
  await h.close();
});

const STACK = /\n\s+at \S/;
const COMMANDS = ['connections', 'history', 'events', 'runs', 'peerings', 'snapshot', 'export', 'setup'];
const FLAGS = [
  '--json',
  '--csv',
  '--desc',
  '--include-deleted',
  '--limit',
  '--from',
  '--to',
  '--status',
  '--at',
];

const value = fc.oneof(
  nastyString(20),
  fc.integer().map(String),
  fc.constantFrom(
    '0',
    '-1',
    '10001',
    '1e3',
    '0x10',
    '2026-13-45',
    '2026-02-30T25:61:00Z',
    '2026-01-01T00:00:00Z',
  ),
  fc.string({ minLength: 1_100, maxLength: 3_000 }),
);
const token = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...FLAGS) },
  { weight: 3, arbitrary: value },
  { weight: 1, arbitrary: fc.constantFrom('--bogus', '-x', '--limit=', '--', '-h', '--json=1') },
);
const argv = fc.tuple(
  fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...COMMANDS) }, { weight: 1, arbitrary: nastyString(10) }),
  fc.array(token, { maxLength: 6 }),
);

describe('the CLI with hostile arguments', () => {
  it('property: exit 0 or 2 with one line naming the problem, never a stack trace or a crash', async () => {
    const env: Env = { ...h.env };
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(argv, async ([command, args]) => {
        const out: string[] = [];
        const err: string[] = [];
        const code = await main([command, ...args], env, {
          out: (s) => out.push(s),
          err: (s) => err.push(s),
        });
        runs++;
        const stderr = err.join('\n');
        expect([0, 2], stderr).toContain(code);
        expect(stderr).not.toMatch(STACK);
        if (code === 2) expect(stderr.split('\n')[0]).toMatch(/^(dli-sync: \S|usage: dli-sync)/);
      }),
      { numRuns: 150 },
    );
    matrix.add('bad CLI arguments (property)', { faults: runs, runs: 0 });
  });

  it('the real executable: exit 2 and a single dli-sync: line for bad flags, a bad id, a bad config', async () => {
    const cases: [string[], Record<string, string>][] = [
      [['events', '--limit', 'lots'], h.env],
      [['history', 'x'.repeat(3_000)], h.env],
      [['connections'], { ...h.env, DLI_TARGETS: 'not a target' }],
    ];
    const results = await Promise.all(cases.map(([args, env]) => runCli(args, env)));
    for (const res of results) {
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toMatch(/^dli-sync: \S[^\n]*\n?$/);
      expect(res.stdout).toBe('');
    }
    matrix.add('bad CLI arguments (executable)', { faults: cases.length, runs: 0 });
  });
});

const PATHS = [
  '/connections',
  '/connections/x',
  '/connections/x/history',
  '/peerings',
  '/events',
  '/runs',
  '/snapshot',
];
const PARAMS = [
  'limit',
  'cursor',
  'from',
  'to',
  'order',
  'status',
  'region',
  'projectId',
  'at',
  'includeDeleted',
];
const cursor = fc.oneof(
  nastyString(),
  fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
  fc
    .record({
      i: fc.nat(),
      c: fc.option(nastyString(), { nil: null }),
    })
    .map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
  fc
    .dictionary(fc.constantFrom('PK', 'SK', 'GSI1PK', 'GSI1SK', 'x'), fc.oneof(nastyString(), fc.integer()))
    .map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
);
const query = fc.dictionary(
  fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...PARAMS) }, { weight: 1, arbitrary: nastyString(8) }),
  fc.oneof(value, cursor),
  { maxKeys: 4 },
);
const path = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PATHS) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('/connections/', '/connections/'),
        nastyString(40),
        fc.constantFrom('', '/history'),
      )
      .map(([a, id, b]) => `${a}${encodeURIComponent(id.toWellFormed())}${b}`),
  },
  { weight: 1, arbitrary: nastyString(30).map((p) => `/${p}`) },
);

describe('the HTTP API with hostile query parameters', () => {
  it('property: 200, 400 or 404 with an error message, never a stack trace or a throw (a 500)', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(path, query, async (p, q) => {
        const res = await route(ctx, 'GET', p, q);
        runs++;
        expect([200, 400, 404]).toContain(res.status);
        if (res.status !== 200) {
          const error = (res.body as { error?: unknown }).error;
          expect(typeof error).toBe('string');
          expect(error as string).not.toMatch(STACK);
          expect((error as string).length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
    matrix.add('bad API parameters (property)', { faults: runs, runs: 0 });
  });

  it('cursors that decode to the wrong shape are a 400 naming the cursor', async () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const cases = [
      ['/events', enc({ a: 1 })],
      ['/events', enc({ GSI1PK: 'EVENTS' })],
      ['/events', enc({ PK: 'EVENT#x', SK: 'EVENT', GSI1PK: 'RUNS', GSI1SK: 'x' })],
      ['/connections', enc({ i: 0, c: enc({ PK: 'x' }) })],
      ['/connections/x/history', enc({ PK: 'CONN#y', SK: 5 })],
      ['/runs', enc({ i: 0, c: enc([1]) })],
      // Found by the property above (seed 1256215684): the SDK threw while marshalling, a 500.
      ['/peerings', enc({ '': { '': 9007199254740992 } })],
      ['/events', enc({ GSI1PK: 'EVENTS', GSI1SK: 2 ** 53 })],
    ] as const;
    for (const [p, c] of cases) {
      const res = await route(ctx, 'GET', p, { cursor: c });
      expect(res, `${p} ${c}`).toEqual({
        status: 400,
        body: { error: expect.stringMatching(/^cursor is not valid/) },
      });
    }
    matrix.add('malformed cursors', { faults: cases.length, runs: 0 });
  });

  // Once a gap: lib/api/params.ts quoted an unknown parameter's name verbatim (any length, newlines).
  it('an unknown parameter is named quoted and cut to one short line', async () => {
    const name = `x\n${'y'.repeat(5_000)}`;
    const res = await route(ctx, 'GET', '/events', { [name]: '1', other: '2' });
    expect(res.status).toBe(400);
    const error = (res.body as { error: string }).error;
    expect(error).toMatch(/^unknown parameter "x\\ny+…" \(and 1 more\)$/);
    expect(error.length).toBeLessThan(80);
  });

  // Once a gap: lib/api/routes.ts took the target index of a multi-target cursor as is, so a negative
  // or fractional one read targets[-1] and threw a TypeError (a 500).
  it('a multi-target cursor with a negative, fractional or out-of-range index is a 400', async () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const i of [-1, 0.5, 99]) {
      const res = await route(ctx, 'GET', '/connections', { cursor: enc({ i, c: null }) }).catch(() => ({
        status: 500,
      }));
      expect(res.status).toBe(400);
    }
  });
});
