import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.ts';
import { startLocalServer } from '../../lib/api/local-server.ts';
import { buildDocument } from '../../lib/api/openapi.ts';
import type { ApiContext } from '../../lib/api/routes.ts';
import type { Target } from '../../lib/model/schemas.ts';
import { createStore } from '../../lib/store/client.ts';
import { writeChanges } from '../../lib/store/write.ts';
import { diffTarget } from '../../lib/sync/diff.ts';
import { assertDocumentedHttp } from '../support/contract.ts';
import { content } from '../support/fixtures.ts';
import { createTestStore, ddbEndpoint, LOCAL_AWS_ENV } from '../support/store.ts';

const A: Target = { region: 'cn-north-4', projectId: 'proj1', endpoint: 'https://x' };
let ctx: ApiContext;

beforeAll(async () => {
  ctx = { store: await createTestStore(), targets: [A] };
  const observed = ['s1', 's2', 's3'].map((id) => ({
    content: { ...content(id), region: A.region, projectId: A.projectId },
    raw: { id },
  }));
  const now = '2026-03-01T00:00:00.000Z';
  const d = diffTarget({
    target: A,
    stored: new Map(),
    observed,
    protectedIds: new Set(),
    mayDelete: true,
    now,
    runId: now,
  });
  await writeChanges(ctx.store, d.changes);
});

const noLog = () => {};

/** GET through real HTTP, the answer checked against docs/openapi.json. */
async function get(base: string, path: string, method = 'GET') {
  const res = await fetch(`${base}${path}`, { method });
  const text = await res.text();
  const answer = {
    statusCode: res.status,
    headers: { 'content-type': res.headers.get('content-type') ?? '' },
    body: text,
  };
  if (path !== '/openapi.json') assertDocumentedHttp(method, new URL(path, base).pathname, answer);
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
}

describe('local API server (dli-sync serve)', () => {
  it('serves the API routes on loopback with signed cursors, 400 on a bad parameter, and the document', async () => {
    const server = await startLocalServer(ctx, {
      host: '127.0.0.1',
      port: 0,
      document: buildDocument(),
      log: noLog,
    });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const first = await get(server.url, '/connections?limit=2');
      expect(first.status).toBe(200);
      expect(first.body.cursor).toMatch(/\.[A-Za-z0-9_-]{43}$/);
      const rest = await get(
        server.url,
        `/connections?limit=2&cursor=${encodeURIComponent(String(first.body.cursor))}`,
      );
      const ids = [...(first.body.items as { id: string }[]), ...(rest.body.items as { id: string }[])];
      expect(ids.map((c) => c.id).sort()).toEqual(['s1', 's2', 's3']);

      const bad = await get(server.url, '/connections?limit=0');
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatch(/^limit must be/);
      const forged = await get(server.url, `/connections?cursor=${first.body.cursor}x`);
      expect(forged.body.error).toMatch(/cursor is not valid/);
      expect((await get(server.url, '/connections', 'DELETE')).status).toBe(405);
      expect((await get(server.url, '/nope')).status).toBe(404);

      expect((await get(server.url, '/openapi.json')).body).toEqual(buildDocument());
    } finally {
      await server.close();
    }
  });

  it('answers a failing request with a one-line 500 and tells the operator, not the caller', async () => {
    const missing = createStore({
      tableName: 'no-such-table',
      retentionDays: 400,
      clientConfig: {
        endpoint: ddbEndpoint(),
        region: LOCAL_AWS_ENV.AWS_REGION,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      },
    });
    const log: string[] = [];
    const server = await startLocalServer(
      { store: missing, targets: [A] },
      { host: '127.0.0.1', port: 0, document: {}, log: (l) => log.push(l) },
    );
    try {
      const res = await get(server.url, '/connections');
      expect(res).toEqual({ status: 500, body: { error: 'internal error; see the serve command output' } });
      expect(log.join('\n')).toMatch(
        /GET \/connections failed: .*(not found|non-existent|ResourceNotFound)/i,
      );
    } finally {
      await server.close();
    }
  });

  it.each(['0.0.0.0', '::', '192.168.1.10', 'example.com'])(
    'refuses the non-loopback host %s before listening',
    async (host) => {
      await expect(startLocalServer(ctx, { host, port: 0, document: {}, log: noLog })).rejects.toThrow(
        /is not a loopback address/,
      );
    },
  );
});

describe('dli-sync serve (real process)', () => {
  const env = () => ({
    ...LOCAL_AWS_ENV,
    AWS_ENDPOINT_URL_DYNAMODB: ddbEndpoint(),
    TABLE_NAME: ctx.store.tableName,
    DLI_TARGETS: 'cn-north-4:proj1',
  });

  // In-process: the same main() the executable runs, without a process start per case.
  it.each([
    [['--host', '0.0.0.0'], /^dli-sync: --host 0\.0\.0\.0 is not a loopback address/],
    [['--port', '70000'], /^dli-sync: --port must be a whole number from 0 to 65535$/],
    [['--port', 'http'], /^dli-sync: --port must be a whole number/],
  ])('serve %j is bad use: exit 2, one line', async (args, message) => {
    const said: string[] = [];
    // No configuration at all: a refused host or port is told before TABLE_NAME is missed.
    const code = await main(
      ['serve', ...args],
      {},
      {
        out: (s) => said.push(s),
        err: (s) => said.push(s),
      },
    );
    expect(code).toBe(2);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(message);
  });

  it('a port in use is bad use too: exit 2, naming the port', async () => {
    const taken = await startLocalServer(ctx, { host: '127.0.0.1', port: 0, document: {}, log: noLog });
    try {
      const port = new URL(taken.url).port;
      const said: string[] = [];
      const code = await main(['serve', '--port', port], env(), {
        out: (s) => said.push(s),
        err: (s) => said.push(s),
      });
      expect(code).toBe(2);
      expect(said).toEqual([
        expect.stringMatching(new RegExp(`^dli-sync: --port ${port} cannot be used .*EADDRINUSE`)),
      ]);
    } finally {
      await taken.close();
    }
  });

  it('starts on a free port, says it is loopback-only and unauthenticated, answers, and stops on SIGINT', async () => {
    const bin = fileURLToPath(new URL('../../bin/dli-sync.js', import.meta.url));
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], {
      env: { PATH: process.env.PATH, ...env() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /API: (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      void exited.then(() => reject(new Error(`serve exited before listening: ${out}`)));
    });
    expect(out).toMatch(/loopback only, NO authentication/);
    expect((await get(url, '/connections/s1')).body).toMatchObject({ id: 's1', region: 'cn-north-4' });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/stopped/);
  }, 30_000);
});
