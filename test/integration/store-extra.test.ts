/**
 * Unknown API fields (`extra`, on connections and on queue entries) survive DynamoDB exactly,
 * whatever they hold: nesting deeper than DynamoDB's 32 levels, numbers it cannot store, an own
 * `__proto__` key. And an item with nothing unknown is stored without them (same size as before).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../lib/store/client.ts';
import { listHistory, loadTargetState } from '../../lib/store/query.ts';
import { keys } from '../../lib/store/table.ts';
import { writeChanges } from '../../lib/store/write.ts';
import { contentOf, diffTarget } from '../../lib/sync/diff.ts';
import { contentHash, normalizeConnection } from '../../lib/sync/normalize.ts';
import { TARGET } from '../support/fixtures.ts';
import { createTestStore } from '../support/store.ts';

let store: Store;
beforeAll(async () => {
  store = await createTestStore();
});

function deep(levels: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i++) v = { [`l${i}`]: v };
  return v;
}

async function syncOne(raw: Record<string, unknown>, now: string) {
  const r = normalizeConnection(TARGET, JSON.parse(JSON.stringify(raw)));
  if (!r.ok) throw new Error(r.reason);
  const diff = diffTarget({
    target: TARGET,
    stored: await loadTargetState(store, TARGET),
    observed: [{ content: r.content, raw: JSON.parse(r.rawJson) }],
    protectedIds: new Set(),
    mayDelete: false,
    now,
    runId: 'r',
  });
  if (diff.changes.length > 0) await writeChanges(store, diff.changes);
  return { content: r.content, diff };
}

describe('extra in DynamoDB', () => {
  it('stores unknown fields of any depth and reads them back equal, so the next sync writes nothing', async () => {
    const raw = {
      id: 'x1',
      status: 'ACTIVE',
      deep: deep(40),
      huge: 1e300,
      available_queue_info: [{ peer_id: 'p', status: 'CREATING', nested: deep(35) }],
      ...JSON.parse('{"__proto__":{"a":1}}'),
    };
    const { content, diff } = await syncOne(raw, '2026-01-01T00:00:00.000Z');
    expect(diff.changes).toHaveLength(1);
    const state = (await loadTargetState(store, TARGET)).get('x1');
    expect(state?.extra).toEqual(content.extra);
    expect(Object.keys(state?.extra ?? {})).toEqual(['__proto__', 'deep', 'huge']);
    expect(state?.peerings[0]?.extra).toEqual({ nested: deep(35) });
    expect(state?.peerings[0]?.creatingSince).toBe('2026-01-01T00:00:00.000Z');
    expect(state && contentHash(contentOf(state))).toBe(contentHash(content));
    expect(state?.contentHash).toBe(contentHash(content));
    const [version] = (await listHistory(store, 'x1')).items;
    expect(version?.extra).toEqual(content.extra);
    expect((await syncOne(raw, '2026-01-01T01:00:00.000Z')).diff.changes).toEqual([]);
  });

  it('an item without unknown fields holds no extra attribute and no null creatingSince', async () => {
    await syncOne(
      { id: 'x2', available_queue_info: [{ name: 'q', status: 'ACTIVE' }] },
      '2026-01-01T00:00:00.000Z',
    );
    const out = await store.doc.send(
      new GetCommand({
        TableName: store.tableName,
        Key: { PK: keys.targetPk(TARGET), SK: keys.stateSk('x2') },
      }),
    );
    expect(out.Item).toBeDefined();
    expect(out.Item).not.toHaveProperty('extra');
    expect(out.Item?.peerings).toEqual([
      { queue: 'q', peerId: null, status: 'ACTIVE', error: null, updatedAt: null },
    ]);
    expect((await loadTargetState(store, TARGET)).get('x2')).toMatchObject({
      extra: {},
      peerings: [{ queue: 'q', creatingSince: null, extra: {} }],
    });
  });
});
