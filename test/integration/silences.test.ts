/** Silences through the CLI (main, in process) and the HTTP API's routes, against DynamoDB Local. */
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.ts';
import { type ApiContext, route as apiRoute } from '../../lib/api/routes.ts';
import { parseJsonBody } from '../../lib/api/silences.ts';
import { listSilences } from '../../lib/store/silences.ts';
import { createTestStore, ddbEndpoint, LOCAL_AWS_ENV } from '../support/store.ts';

/** The router as functions/api.ts calls it: the body as the request's text, the clock as ISO. */
const route = (
  ctx: ApiContext,
  method: string,
  path: string,
  q: Record<string, string>,
  body: unknown,
  now: number,
) =>
  apiRoute(ctx, method, path, q, {
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    now: new Date(now).toISOString(),
  });

let ctx: ApiContext;
let env: Record<string, string>;
beforeAll(async () => {
  ctx = { store: await createTestStore(), targets: [] };
  env = {
    ...LOCAL_AWS_ENV,
    AWS_ENDPOINT_URL_DYNAMODB: ddbEndpoint(),
    TABLE_NAME: ctx.store.tableName,
  };
  // main() reads its configuration from the env it is given; the AWS SDK reads its own from process.env.
  Object.assign(process.env, env);
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, env, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

describe('dli-sync silence', () => {
  it('add, list and expire; --json objects carry the contract fields', async () => {
    const added = await cli(
      'silence',
      'add',
      '--match',
      'target=cn-*:*,type=PEERING_FAILED',
      '--until',
      '2h',
      '--reason',
      'VPC maintenance',
      '--by',
      'alice',
      '--json',
    );
    expect(added).toMatchObject({ code: 0, stderr: '' });
    const s = JSON.parse(added.stdout);
    expect(s).toEqual({
      id: expect.stringMatching(/^sil_[a-z0-9]+$/),
      match: { target: 'cn-*:*', type: 'PEERING_FAILED' },
      startsAt: expect.any(String),
      endsAt: expect.any(String),
      reason: 'VPC maintenance',
      createdBy: 'alice',
    });
    expect(Date.parse(s.endsAt) - Date.parse(s.startsAt)).toBe(2 * 3_600_000);

    const listed = await cli('silence', 'list', '--json');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([s]);
    expect((await cli('silence', 'list')).stdout).toMatch(
      /sil_\S+ +target=cn-\*:\*,type=PEERING_FAILED .* active +alice/,
    );

    const expired = await cli('silence', 'expire', s.id, '--json');
    expect(expired.code).toBe(0);
    const after = JSON.parse(expired.stdout);
    expect(after.endsAt < s.endsAt).toBe(true);
    // Expiring again leaves the end where it is (the condition: only a silence not yet ended).
    expect(JSON.parse((await cli('silence', 'expire', s.id, '--json')).stdout).endsAt).toBe(after.endsAt);
  });

  it('is bad use: exit 2, one line naming the problem, nothing written', async () => {
    const before = (await listSilences(ctx.store)).length;
    const cases: [string[], string][] = [
      [
        ['silence', 'add', '--match', 'host=x', '--until', '2h', '--reason', 'r'],
        '--match has an unknown key "host"',
      ],
      [
        ['silence', 'add', '--match', 'queue=q', '--until', 'tomorrow', '--reason', 'r'],
        '--until must be a duration',
      ],
      [['silence', 'add', '--match', 'queue=q', '--until', '2h'], 'silence add needs --reason'],
      [['silence', 'expire', 'sil_0000000000nothere'], 'silence sil_0000000000nothere not found'],
      [['silence', 'expire', 'bogus'], 'silence id must look like sil_'],
      [['silence', 'list', '--match', 'queue=q'], '--match is for "silence add" only'],
      [['silence', 'mute'], 'expected "silence add'],
    ];
    for (const [argv, expected] of cases) {
      const res = await cli(...argv);
      expect(res.code, argv.join(' ')).toBe(2);
      expect(res.stderr).toContain(expected);
      expect(res.stderr.split('\n')).toHaveLength(1);
    }
    expect((await listSilences(ctx.store)).length).toBe(before);
  });
});

describe('/silences API', () => {
  const NOW = Date.parse('2026-11-28T10:00:00.000Z');
  it('POST creates (selector text or object), GET lists with active, POST …/expire ends it', async () => {
    const a = await route(
      ctx,
      'POST',
      '/silences',
      {},
      { match: 'queue=etl', until: '90m', reason: 'r' },
      NOW,
    );
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({
      match: { queue: 'etl' },
      endsAt: '2026-11-28T11:30:00.000Z',
      createdBy: null,
      active: true,
    });
    const b = await route(
      ctx,
      'POST',
      '/silences',
      {},
      { match: { connection: 'c-1' }, until: '2026-11-29T00:00:00Z', reason: 'r', createdBy: 'ci' },
      NOW,
    );
    expect(b).toMatchObject({ status: 201, body: { match: { connection: 'c-1' }, createdBy: 'ci' } });

    const list = await route(ctx, 'GET', '/silences', {}, undefined, NOW);
    const ids = (list.body as { items: { id: string; active: boolean }[] }).items
      .filter((s) => s.active)
      .map((s) => s.id);
    expect(ids).toEqual(
      expect.arrayContaining([(a.body as { id: string }).id, (b.body as { id: string }).id]),
    );

    const id = (a.body as { id: string }).id;
    const ex = await route(ctx, 'POST', `/silences/${id}/expire`, {}, undefined, NOW + 60_000);
    expect(ex).toMatchObject({
      status: 200,
      body: { id, endsAt: '2026-11-28T10:01:00.000Z', active: false },
    });
    expect(
      await route(ctx, 'POST', '/silences/sil_0000000000nothere/expire', {}, undefined, NOW),
    ).toMatchObject({ status: 404 });
  });

  it.each([
    [undefined, 'the body must be a JSON object with match, until and reason'],
    [{ match: 'queue=q', until: '2h' }, 'reason must be a text'],
    [{ match: 'queue=q', until: '2h', reason: 'r', extra: 1 }, 'unknown field'],
    [{ match: 'nope', until: '2h', reason: 'r' }, 'match: "nope" is not key=value'],
    [{ match: { host: 'x' }, until: '2h', reason: 'r' }, 'match has an unknown key "host"'],
    [{ match: {}, until: '2h', reason: 'r' }, 'match must name at least one key'],
    [{ match: 'queue=q', until: '-5m', reason: 'r' }, 'until must be a duration'],
  ])('POST /silences with a bad body is a 400 naming the field: %j', async (body, expected) => {
    const res = await route(ctx, 'POST', '/silences', {}, body, NOW);
    expect(res.status).toBe(400);
    expect((res.body as { error: string }).error).toContain(expected);
  });

  it('bad JSON is a 400 without quoting it; other methods are 405; other paths 404', async () => {
    expect(() => parseJsonBody('{"match": secret', false)).toThrow(
      /^the body is not valid JSON; expected a JSON object$/,
    );
    expect(parseJsonBody(Buffer.from('{"a":1}').toString('base64'), true)).toEqual({ a: 1 });
    expect((await route(ctx, 'DELETE', '/silences', {}, undefined, NOW)).status).toBe(405);
    expect((await route(ctx, 'GET', '/silences/sil_x/expire', {}, undefined, NOW)).status).toBe(405);
    expect((await route(ctx, 'POST', '/silences/sil_x/other', {}, undefined, NOW)).status).toBe(404);
    expect((await route(ctx, 'POST', '/events', {}, undefined, NOW)).status).toBe(405);
  });
});
