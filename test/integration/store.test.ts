import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../lib/store/client.ts';
import { acquireLease, releaseLease } from '../../lib/store/lease.ts';
import {
  getConnection,
  listEvents,
  listFailedConnections,
  listHistory,
  loadTargetIndex,
  loadTargetState,
} from '../../lib/store/query.ts';
import { keys } from '../../lib/store/table.ts';
import { groupChanges, writeChanges, writeGroup } from '../../lib/store/write.ts';
import { diffTarget, type Observation } from '../../lib/sync/diff.ts';
import { content, TARGET } from '../support/fixtures.ts';
import { createTestStore } from '../support/store.ts';

let store: Store;
beforeAll(async () => {
  store = await createTestStore({ retentionDays: 30 });
});

const obs = (...cs: ReturnType<typeof content>[]): Observation[] =>
  cs.map((c) => ({ content: c, raw: { id: c.id, x: 1 } }));

async function sync(observed: Observation[], now: string, mayDelete = true) {
  const stored = await loadTargetState(store, TARGET);
  const diff = diffTarget({
    target: TARGET,
    stored,
    observed,
    protectedIds: new Set(),
    mayDelete,
    now,
    runId: `run-${now}`,
  });
  const result = await writeChanges(store, diff.changes);
  return { diff, result };
}

describe('store writes (DynamoDB Local)', () => {
  it('writes state, history and events in one go, with TTL on history, events and tombstones', async () => {
    const id = 'ttl-1';
    await sync(obs(content(id, { q1: 'FAILED' })), '2026-02-01T00:00:00.000Z', false);
    const h = await store.doc.send(
      new GetCommand({
        TableName: store.tableName,
        Key: { PK: keys.historyPk(id), SK: keys.historySk('2026-02-01T00:00:00.000Z', 1) },
      }),
    );
    const thirtyDays = 30 * 86_400;
    expect(h.Item?.expiresAt).toBe(Date.parse('2026-02-01T00:00:00.000Z') / 1000 + thirtyDays);
    expect(JSON.parse(String(h.Item?.raw))).toEqual({ id, x: 1 });
    const events = (await listEvents(store, {})).items.filter((e) => e.connectionId === id);
    expect(events).toHaveLength(1);
    const ev = await store.doc.send(
      new GetCommand({
        TableName: store.tableName,
        Key: { PK: keys.eventPk(events[0]?.id ?? ''), SK: 'EVENT' },
      }),
    );
    expect(ev.Item?.expiresAt).toBe(Date.parse('2026-02-01T00:00:00.000Z') / 1000 + thirtyDays);
    const state = await store.doc.send(
      new GetCommand({
        TableName: store.tableName,
        Key: { PK: keys.targetPk(TARGET), SK: keys.stateSk(id) },
      }),
    );
    // A live connection never expires.
    expect(state.Item?.expiresAt).toBeUndefined();
  });

  it('refuses a write whose version condition is stale, and reports it as a conflict', async () => {
    const id = 'occ-1';
    await sync(obs(content(id)), '2026-03-01T00:00:00.000Z', false);
    const stored = await loadTargetState(store, TARGET);
    // Two writers diff against the same stored version 1 …
    const a = diffTarget({
      target: TARGET,
      stored,
      observed: obs(content(id, { q1: 'FAILED' })),
      protectedIds: new Set(),
      mayDelete: false,
      now: '2026-03-01T01:00:00.000Z',
      runId: 'a',
    });
    const b = diffTarget({
      target: TARGET,
      stored,
      observed: obs(content(id, { q1: 'CREATING' })),
      protectedIds: new Set(),
      mayDelete: false,
      now: '2026-03-01T01:00:01.000Z',
      runId: 'b',
    });
    const first = await writeChanges(store, a.changes);
    const second = await writeChanges(store, b.changes);
    expect(first.applied).toHaveLength(1);
    expect(second.conflicts).toHaveLength(1);
    expect(second.applied).toHaveLength(0);
    const now = (await loadTargetState(store, TARGET)).get(id);
    expect(now?.version).toBe(2);
    expect(now?.peerings[0]?.status).toBe('FAILED');
    // … and the loser left no history version or event behind.
    const history = await listHistory(store, id);
    expect(history.items.map((h) => h.version)).toEqual([1, 2]);
  });

  it('applies the rest of a transaction group when one change conflicts', async () => {
    const ids = ['grp-1', 'grp-2', 'grp-3'];
    await sync(obs(...ids.map((i) => content(i))), '2026-04-01T00:00:00.000Z', false);
    const stored = await loadTargetState(store, TARGET);
    const d = diffTarget({
      target: TARGET,
      stored,
      observed: obs(...ids.map((i) => content(i, { q1: 'FAILED' }))),
      protectedIds: new Set(),
      mayDelete: false,
      now: '2026-04-01T01:00:00.000Z',
      runId: 'x',
    });
    // Someone else bumps grp-2 first.
    const other = diffTarget({
      target: TARGET,
      stored,
      observed: obs(content('grp-2', { q1: 'CREATING' })),
      protectedIds: new Set(),
      mayDelete: false,
      now: '2026-04-01T00:30:00.000Z',
      runId: 'y',
    });
    await writeChanges(store, other.changes);
    const result = await writeChanges(store, d.changes);
    expect(result.applied.map((c) => c.next.id).sort()).toEqual(['grp-1', 'grp-3']);
    expect(result.conflicts.map((c) => c.next.id)).toEqual(['grp-2']);
  });

  it('chunks big change sets under the 100-item transaction limit without splitting a change', () => {
    const many = Array.from({ length: 120 }, (_, i) => content(`chunk-${i}`, { q1: 'FAILED', q2: 'FAILED' }));
    const d = diffTarget({
      target: TARGET,
      stored: new Map(),
      observed: obs(...many),
      protectedIds: new Set(),
      mayDelete: false,
      now: '2026-05-01T00:00:00.000Z',
      runId: 'c',
    });
    const chunks = groupChanges(store, d.changes);
    // 4 items per change (state, history, 2 events): 25 changes per transaction.
    expect(chunks.map((c) => c.length)).toEqual([25, 25, 25, 25, 20]);
    expect(chunks.flat()).toHaveLength(120);
  });

  it('indexes connections with a FAILED peering, and drops them from the index when they recover', async () => {
    const id = 'gsi-1';
    await sync(obs(content(id, { q1: 'FAILED' })), '2026-06-01T00:00:00.000Z', false);
    expect((await listFailedConnections(store)).items.map((c) => c.id)).toContain(id);
    await sync(obs(content(id)), '2026-06-01T01:00:00.000Z', false);
    expect((await listFailedConnections(store)).items.map((c) => c.id)).not.toContain(id);
  });

  it('finds one connection by id alone', async () => {
    await sync(obs(content('byid-1')), '2026-07-01T00:00:00.000Z', false);
    expect(await getConnection(store, 'byid-1')).toMatchObject({
      id: 'byid-1',
      region: TARGET.region,
      projectId: TARGET.projectId,
    });
    expect(await getConnection(store, 'nope')).toBeNull();
  });
});

describe('the stored index', () => {
  it('holds every connection once, whatever its id, across the parallel SK ranges', async () => {
    const own = await createTestStore();
    // Range boundaries themselves, ids before the first and after the last, non-ASCII, and many UUIDs.
    const odd = ['1', 'f', 'f0', '0', '-x', 'A', 'Z', 'g', 'z', '~', '中文', '\u00e9t\u00e9', 'fffff'];
    const uuids = Array.from({ length: 300 }, (_, i) => `${i.toString(16).padStart(8, '0')}-uuid`);
    const ids = [...odd, ...uuids];
    const stored = new Map<string, never>();
    const diff = diffTarget({
      target: TARGET,
      stored,
      observed: ids.map((id) => ({ content: content(id), raw: { id } })),
      protectedIds: new Set(),
      mayDelete: true,
      now: '2026-01-01T00:00:00.000Z',
      runId: 'r1',
    });
    for (const group of groupChanges(own, diff.changes)) await writeGroup(own, group);
    const index = await loadTargetIndex(own, TARGET);
    expect([...index.keys()].sort()).toEqual([...ids].sort());
    expect(index.get('1')).toMatchObject({ id: '1', version: 1, status: 'ACTIVE' });
  });
});

describe('leases', () => {
  const t = { region: 'cn-east-3', projectId: 'lease' };
  it('lets one holder in at a time, frees on release, and expires a dead holder', async () => {
    expect(await acquireLease(store, t, 'run-a', 1_000, 60_000)).toBe(true);
    expect(await acquireLease(store, t, 'run-b', 2_000, 60_000)).toBe(false);
    await releaseLease(store, t, 'run-b'); // not the holder: no effect
    expect(await acquireLease(store, t, 'run-b', 3_000, 60_000)).toBe(false);
    await releaseLease(store, t, 'run-a');
    expect(await acquireLease(store, t, 'run-b', 4_000, 60_000)).toBe(true);
    // run-b dies without releasing; after its lease runs out, run-c may take over.
    expect(await acquireLease(store, t, 'run-c', 50_000, 60_000)).toBe(false);
    expect(await acquireLease(store, t, 'run-c', 64_001, 60_000)).toBe(true);
  });
});
