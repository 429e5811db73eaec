import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiContext } from '../../lib/api/routes.ts';
import type { Target } from '../../lib/model/schemas.ts';
import { loadTargetState } from '../../lib/store/query.ts';
import { writeChanges } from '../../lib/store/write.ts';
import { diffTarget } from '../../lib/sync/diff.ts';
import { assertDocumentedHttp, contractRoute } from '../support/contract.ts';
import { content } from '../support/fixtures.ts';
import { createTestStore, ddbEndpoint, LOCAL_AWS_ENV } from '../support/store.ts';

const A: Target = { region: 'cn-north-4', projectId: 'proj1', endpoint: 'https://x' };
const B: Target = { region: 'ap-southeast-1', projectId: 'proj2', endpoint: 'https://y' };
let ctx: ApiContext;

const T1 = '2026-03-01T00:00:00.000Z';
const T2 = '2026-03-02T00:00:00.000Z';
const T3 = '2026-03-03T00:00:00.000Z';

async function apply(t: Target, cs: ReturnType<typeof content>[], now: string, mayDelete = true) {
  const stored = await loadTargetState(ctx.store, t);
  const observed = cs.map((c) => ({
    content: { ...c, region: t.region, projectId: t.projectId },
    raw: { id: c.id },
  }));
  const d = diffTarget({ target: t, stored, observed, protectedIds: new Set(), mayDelete, now, runId: now });
  await writeChanges(ctx.store, d.changes);
}

beforeAll(async () => {
  ctx = { store: await createTestStore(), targets: [A, B] };
  await apply(A, [content('a1'), content('a2'), content('a3')], T1);
  await apply(B, [content('b1', { q1: 'FAILED' }), content('b2')], T1);
  await apply(A, [content('a1', { q1: 'FAILED' }), content('a2')], T2); // a3 deleted, a1 failed
  await apply(A, [content('a1'), content('a2')], T3); // a1 recovered
});

// Every answer below is also checked against docs/openapi.json (test/support/contract.ts).
const get = (path: string, query: Record<string, string> = {}) => contractRoute(ctx)('GET', path, query);

describe('query API', () => {
  it('GET /connections pages across targets with an opaque cursor, every connection exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await get('/connections', { limit: '2', ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      const body = res.body as { items: { id: string }[]; cursor: string | null };
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((c) => c.id));
      cursor = body.cursor ?? undefined;
      pages++;
    } while (cursor && pages < 10);
    expect(seen.sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
  });

  it('GET /connections filters by target and status', async () => {
    const res = await get('/connections', { region: 'cn-north-4', projectId: 'proj1', status: 'deleted' });
    expect((res.body as { items: { id: string }[] }).items.map((c) => c.id)).toEqual(['a3']);
  });

  it('GET /connections/{id} and its history, oldest or newest first, in a time range', async () => {
    expect((await get('/connections/a1')).body).toMatchObject({ id: 'a1', version: 3 });
    expect((await get('/connections/nope')).status).toBe(404);
    const asc = (await get('/connections/a1/history')).body as { items: { version: number }[] };
    expect(asc.items.map((h) => h.version)).toEqual([1, 2, 3]);
    const desc = (await get('/connections/a1/history', { order: 'desc', limit: '2' })).body as {
      items: { version: number }[];
      cursor: string;
    };
    expect(desc.items.map((h) => h.version)).toEqual([3, 2]);
    const rest = (await get('/connections/a1/history', { order: 'desc', limit: '2', cursor: desc.cursor }))
      .body as { items: { version: number }[]; cursor: string | null };
    expect(rest.items.map((h) => h.version)).toEqual([1]);
    const ranged = (await get('/connections/a1/history', { from: T2, to: T2 })).body as {
      items: { version: number }[];
    };
    expect(ranged.items.map((h) => h.version)).toEqual([2]);
  });

  it('GET /peerings?status=FAILED lists the currently failed peerings across targets', async () => {
    const res = (await get('/peerings', { status: 'FAILED' })).body as {
      items: { connectionId: string; queue: string }[];
    };
    expect(res.items.map((p) => `${p.connectionId}/${p.queue}`)).toEqual(['b1/q1']);
  });

  it('GET /events in a time range', async () => {
    const all = (await get('/events')).body as { items: { type: string; connectionId: string }[] };
    expect(all.items.map((e) => `${e.type}:${e.connectionId}`)).toEqual([
      'PEERING_FAILED:b1',
      expect.stringMatching(/^(PEERING_FAILED:a1|CONNECTION_DELETED:a3)$/),
      expect.stringMatching(/^(PEERING_FAILED:a1|CONNECTION_DELETED:a3)$/),
      'PEERING_RECOVERED:a1',
    ]);
    const day2 = (await get('/events', { from: T2, to: T2 })).body as { items: unknown[] };
    expect(day2.items).toHaveLength(2);
  });

  it('GET /snapshot rebuilds a target as it was at an instant before, between and after changes', async () => {
    const at = async (instant: string) =>
      (
        (await get('/snapshot', { at: instant, region: 'cn-north-4', projectId: 'proj1' })).body as {
          items: { id: string; peerings: { status: string }[] }[];
        }
      ).items;
    expect(await at('2026-02-01T00:00:00Z')).toEqual([]);
    expect((await at('2026-03-01T12:00:00Z')).map((c) => c.id).sort()).toEqual(['a1', 'a2', 'a3']);
    const between = await at('2026-03-02T12:00:00Z');
    expect(between.map((c) => c.id).sort()).toEqual(['a1', 'a2']);
    expect(between.find((c) => c.id === 'a1')?.peerings[0]?.status).toBe('FAILED');
    expect((await at('2026-03-04T00:00:00Z')).find((c) => c.id === 'a1')?.peerings[0]?.status).toBe('ACTIVE');
  });

  it.each([
    ['/connections', { limit: '0' }, 'limit'],
    ['/connections', { limit: 'many' }, 'limit'],
    ['/connections', { bogus: '1' }, 'bogus'],
    ['/connections', { region: 'cn-north-4' }, 'projectId'],
    ['/connections/a1/history', { from: 'yesterday' }, 'from'],
    ['/connections/a1/history', { order: 'sideways' }, 'order'],
    ['/events', { cursor: 'garbage!' }, 'cursor'],
    ['/snapshot', {}, 'at'],
    ['/peerings', { status: 'F@ILED' }, 'status'],
  ])('GET %s with %j is a 400 naming %s', async (path, query, name) => {
    const res = await get(path, query as Record<string, string>);
    expect(res.status).toBe(400);
    expect((res.body as { error: string }).error).toContain(name);
  });

  it('answers 400 for a status that is not one, naming the values (and the peerings route for FAILED)', async () => {
    expect(await get('/connections', { status: 'bogus' })).toEqual({
      status: 400,
      body: { error: 'status must be one of ACTIVE, DELETED, UNKNOWN' },
    });
    expect(((await get('/connections', { status: 'failed' })).body as { error: string }).error).toContain(
      'GET /peerings?status=FAILED',
    );
    expect((await get('/peerings', { status: 'DELETED' })).status).toBe(400);
  });

  it('accepts every connection id the sync can store (up to 255 characters), no longer', async () => {
    expect((await get(`/connections/${'x'.repeat(255)}`)).status).toBe(404);
    expect((await get(`/connections/${'x'.repeat(256)}`)).status).toBe(400);
  });

  it('answers 404 for unknown routes and 405 for writes', async () => {
    expect((await get('/nope')).status).toBe(404);
    expect((await contractRoute(ctx)('DELETE', '/connections', {})).status).toBe(405);
  });

  it('the Lambda handler maps an API Gateway event to the same routes', async () => {
    Object.assign(process.env, LOCAL_AWS_ENV, {
      TABLE_NAME: ctx.store.tableName,
      AWS_ENDPOINT_URL_DYNAMODB: ddbEndpoint(),
      DLI_TARGETS: 'cn-north-4:proj1,ap-southeast-1:proj2',
    });
    const { handler } = await import('../../functions/api.ts');
    const res = await handler({
      rawPath: '/connections/b1',
      requestContext: { http: { method: 'GET' } },
      queryStringParameters: null,
    });
    assertDocumentedHttp('GET', '/connections/b1', res);
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ id: 'b1', region: 'ap-southeast-1' });
    const bad = await handler({ rawPath: '/events', queryStringParameters: { limit: '-1' } });
    assertDocumentedHttp('GET', '/events', bad);
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).error).toMatch(/limit/);
  });

  it('answers only about the configured targets: /connections/{id}, its history and /events (404, filtered)', async () => {
    const onlyA: ApiContext = { ...ctx, targets: [A] };
    const as = (path: string, query: Record<string, string> = {}) => contractRoute(onlyA)('GET', path, query);
    expect((await as('/connections/a1')).status).toBe(200);
    // b1 exists, in a project this deployment does not serve: the same 404 as an unknown id.
    expect(await as('/connections/b1')).toEqual({ status: 404, body: { error: 'connection b1 not found' } });
    expect((await as('/connections/b1/history')).status).toBe(404);
    expect((await as('/connections/a1/history')).status).toBe(200);
    const events = (await as('/events')).body as { items: { connectionId: string; region: string }[] };
    expect(events.items.length).toBeGreaterThan(0);
    expect(events.items.every((e) => e.region === A.region)).toBe(true);
  });

  it('GET /snapshot works one target per call and pages through the others with a cursor', async () => {
    const at = '2026-03-04T00:00:00Z';
    const first = (await get('/snapshot', { at })).body as { items: { id: string }[]; cursor: string | null };
    expect(first.items.map((c) => c.id).sort()).toEqual(['a1', 'a2']);
    expect(first.cursor).not.toBeNull();
    const second = (await get('/snapshot', { at, cursor: first.cursor ?? '' })).body as {
      items: { id: string }[];
      cursor: string | null;
    };
    expect(second.items.map((c) => c.id).sort()).toEqual(['b1', 'b2']);
    expect(second.cursor).toBeNull();
    expect((await get('/snapshot', { at, cursor: '7' })).status).toBe(400);
  });

  it('signs its cursors when a key is configured, and refuses a forged or altered one', async () => {
    const { handler } = await import('../../functions/api.ts');
    process.env.API_CURSOR_KEY = 'k'.repeat(40);
    try {
      const call = (query: Record<string, string>) =>
        handler({
          rawPath: '/connections',
          requestContext: { http: { method: 'GET' } },
          queryStringParameters: query,
        });
      const first = await call({ limit: '2' });
      assertDocumentedHttp('GET', '/connections', first);
      const page = JSON.parse(first.body) as { cursor: string };
      expect(page.cursor).toMatch(/\.[A-Za-z0-9_-]{43}$/);
      expect((await call({ limit: '2', cursor: page.cursor })).statusCode).toBe(200);
      // A hand-made cursor (another target index) and an altered one are both refused.
      const forged = Buffer.from(JSON.stringify({ i: 1, c: null })).toString('base64url');
      for (const cursor of [forged, `${forged}${page.cursor.slice(page.cursor.lastIndexOf('.'))}`]) {
        const res = await call({ limit: '2', cursor });
        expect(res.statusCode).toBe(400);
        expect(JSON.parse(res.body).error).toMatch(/cursor is not valid/);
      }
    } finally {
      delete process.env.API_CURSOR_KEY;
    }
  });
});
