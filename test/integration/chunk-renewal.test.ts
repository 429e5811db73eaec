/**
 * A big connection that never changes writes no version, so only the chunk-renewal step keeps its
 * chunks alive past retention + grace (lib/sync/renew-chunks.ts). Real path: emulator → sync →
 * DynamoDB Local, the sync's clock moved forward.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConnections } from '../../infra/local/emulator-data.ts';
import { ConcurrentWriteError } from '../../lib/errors.ts';
import type { Connection } from '../../lib/model/schemas.ts';
import { getConnection } from '../../lib/store/query.ts';
import { keys } from '../../lib/store/table.ts';
import { renewChunks } from '../../lib/store/write.ts';
import { type Harness, PROJECT, REGION, startHarness } from '../support/harness.ts';

type Raw = Record<string, unknown>;
const DAY = 86_400;
const T0 = Date.UTC(2026, 0, 1);
const atDay = (days: number) => () => new Date(T0 + days * DAY * 1000);
const epoch = (days: number) => T0 / 1000 + days * DAY;

let h: Harness;
let big: Raw;
/** Items a run that changes nothing writes: its run record and its lease. */
let steady = 0;

/** Enough 128-character hosts to move them into chunk items (over 16 KB). */
const hosts = (): Raw[] =>
  Array.from({ length: 1_500 }, (_, i) => ({
    name: `h-${i}.`.padEnd(123, 'b') + '.corp',
    ip: `10.1.${i >> 8}.${i & 255}`,
  }));

async function chunkTtls(): Promise<number[]> {
  const out = await h.store.doc.send(
    new QueryCommand({
      TableName: h.store.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :c)',
      ExpressionAttributeValues: { ':pk': keys.historyPk(String(big.id)), ':c': 'CHUNK#' },
    }),
  );
  return (out.Items ?? []).map((i) => Number(i.expiresAt));
}

async function stateChunksExpireAt(): Promise<unknown> {
  const out = await h.store.doc.send(
    new GetCommand({
      TableName: h.store.tableName,
      Key: { PK: keys.targetPk({ region: REGION, projectId: PROJECT }), SK: keys.stateSk(String(big.id)) },
    }),
  );
  return out.Item?.chunksExpireAt;
}

/** Items written by one sync at `days` (the run record and the lease's own writes included). */
async function itemWritesOfSyncAt(days: number): Promise<number> {
  const before = h.store.meter.itemWrites;
  const { runs } = await h.sync({ now: atDay(days) });
  expect(runs.map((r) => [r.outcome, r.created, r.changed, r.deleted])).toEqual([['complete', 0, 0, 0]]);
  return h.store.meter.itemWrites - before;
}

beforeAll(async () => {
  h = await startHarness();
  big = { ...(makeConnections(1, { seed: 5 })[0] as Raw), hosts: hosts() };
  h.dli.setConnections(PROJECT, [big]);
  await h.sync({ now: atDay(0) });
}, 120_000);
afterAll(async () => {
  await h.close();
});

describe('chunk renewal of a live connection that never changes', () => {
  it('writes nothing while no chunk is near expiry', async () => {
    const ttls = await chunkTtls();
    expect(ttls.length).toBeGreaterThan(1);
    // retention 400 + grace 90 days
    expect(new Set(ttls)).toEqual(new Set([epoch(490)]));
    steady = await itemWritesOfSyncAt(1);
    expect(steady).toBeGreaterThan(0);
    // Past the renewal window's edge by a day less than needed: still nothing but the run's own items.
    expect(await itemWritesOfSyncAt(444)).toBe(steady);
    expect(await chunkTtls()).toEqual(ttls);
  });

  it('renews the chunks and chunksExpireAt once they expire within 45 days; reads still work', async () => {
    expect(await itemWritesOfSyncAt(446)).toBeGreaterThan(steady);
    const ttls = await chunkTtls();
    expect(new Set(ttls)).toEqual(new Set([epoch(446 + 490)]));
    expect(await stateChunksExpireAt()).toBe(epoch(446 + 490));
    const c = (await getConnection(h.store, String(big.id))) as Connection;
    expect(c.hosts).toHaveLength(1_500);
  });

  it('a second run after the renewal writes nothing but its own items', async () => {
    expect(await itemWritesOfSyncAt(447)).toBe(steady);
    expect(new Set(await chunkTtls())).toEqual(new Set([epoch(446 + 490)]));
  });

  it('is fenced: a run that no longer holds the lease moves no chunksExpireAt', async () => {
    const before = await stateChunksExpireAt();
    const target = { region: REGION, projectId: PROJECT };
    const later = atDay(900)().toISOString();
    const stale = renewChunks(h.store, target, String(big.id), later, { target, holder: 'an-older-run' });
    await expect(stale).rejects.toThrow(ConcurrentWriteError);
    expect(await stateChunksExpireAt()).toBe(before);
  });
});
