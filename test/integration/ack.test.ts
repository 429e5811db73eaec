/** `dli-sync ack`, `POST /events/{id}/ack` and the ack fields of `events --json`, on DynamoDB Local. */
import { beforeAll, describe, expect, it } from 'vitest';
import { route } from '../../lib/api/routes.ts';
import type { ChangeEvent } from '../../lib/model/schemas.ts';
import type { Store } from '../../lib/store/client.ts';
import { runCli } from '../support/cli.ts';
import { createTestStore, ddbEndpoint, LOCAL_AWS_ENV } from '../support/store.ts';
import { MIN, START, World } from './notify/world.ts';

let store: Store;
let env: Record<string, string>;
let failed: ChangeEvent;
let other: ChangeEvent;
let recovered: ChangeEvent;
beforeAll(async () => {
  store = await createTestStore();
  env = { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_DYNAMODB: ddbEndpoint(), TABLE_NAME: store.tableName };
  const world = new World(store);
  await world.run(START, { a: { q1: 'ACTIVE', q2: 'ACTIVE' } });
  [failed, other] = (await world.run(START + MIN, { a: { q1: 'FAILED', q2: 'FAILED' } })) as [
    ChangeEvent,
    ChangeEvent,
  ];
  [recovered] = (await world.run(START + 2 * MIN, { a: { q1: 'ACTIVE', q2: 'FAILED' } })) as [ChangeEvent];
});

const ctx = () => ({ store, targets: [{ region: 'cn-north-4', projectId: 'p1', endpoint: 'x' }] });
const post = (id: string, body: string | null) =>
  route(ctx(), 'POST', `/events/${id}/ack`, {}, { body, caller: 'arn:aws:iam::1:user/carol' });

describe('dli-sync ack', () => {
  it('acknowledges a failure (exit 0), keeps the first ack, and events --json shows who and when', async () => {
    const res = await runCli(['ack', failed.id, '--by', 'alice', '--note', 'on it', '--json'], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const body = JSON.parse(res.stdout);
    expect(body).toMatchObject({
      eventId: failed.id,
      status: 'acknowledged',
      acknowledgedBy: 'alice',
      ackNote: 'on it',
    });
    expect(Date.parse(body.acknowledgedAt)).not.toBeNaN();

    const events = JSON.parse((await runCli(['events', '--json'], env)).stdout) as ChangeEvent[];
    const byId = new Map(events.map((e) => [e.id, e]));
    expect(byId.get(failed.id)).toMatchObject({
      acknowledgedBy: 'alice',
      acknowledgedAt: body.acknowledgedAt,
    });
    // Not acknowledged: null, not absent (the JSON contract).
    expect(byId.get(other.id)).toMatchObject({ acknowledgedBy: null, acknowledgedAt: null });
  });

  it('is bad use (exit 2, one line naming it) for an unknown id, a recovery, ', async () => {
    const unknown = await runCli(['ack', 'evt_doesnotexist000000000000'], env);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr.trim()).toBe(
      'dli-sync: event evt_doesnotexist000000000000 not found; expected an id from "events"',
    );
    const recovery = await runCli(['ack', recovered.id], env);
    expect(recovery.code).toBe(2);
    expect(recovery.stderr).toContain(`event ${recovered.id} is a PEERING_RECOVERED; only alerts`);
    expect(recovery.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('POST /events/{id}/ack', () => {
  it('acknowledges with the caller as default "by", and answers 400/404 for bad requests', async () => {
    expect(await post(other.id, null)).toMatchObject({
      status: 200,
      body: {
        eventId: other.id,
        status: 'acknowledged',
        acknowledgedBy: 'arn:aws:iam::1:user/carol',
        ackNote: null,
      },
    });
    expect(await post(other.id, '{"by":"dave"}')).toMatchObject({
      status: 200,
      body: { status: 'already', acknowledgedBy: 'arn:aws:iam::1:user/carol' },
    });
    expect(await post('evt_doesnotexist000000000000', '{}')).toMatchObject({ status: 404 });
    expect(await post(recovered.id, '{}')).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('PEERING_RECOVERED') },
    });
    expect(await post(other.id, 'not json')).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('body must be JSON') },
    });
    expect(await post(other.id, '{"by":"x","extra":1}')).toMatchObject({
      status: 400,
      body: { error: 'body takes only "by" and "note"' },
    });
    expect(await post(other.id, '[]')).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('JSON object') },
    });
    expect(await post(other.id, '{"by":"a\\u0007b"}')).toMatchObject({
      status: 400,
      body: { error: 'by must be one line without control characters' },
    });
    expect(await post('bad id!', '{}')).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('event id') },
    });
    // Outside the configured targets is the same answer as absent, and nothing is written.
    const elsewhere = await route(
      { store, targets: [{ region: 'eu-west-101', projectId: 'p1', endpoint: 'x' }] },
      'POST',
      `/events/${recovered.id}/ack`,
      {},
      {},
    );
    expect(elsewhere.status).toBe(404);
    // Other routes stay read-only.
    expect((await route(ctx(), 'POST', '/events', {}, {})).status).toBe(405);
  });
});
