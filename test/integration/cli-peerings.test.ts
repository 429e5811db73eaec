/**
 * `dli-sync peerings` lists every peering in the status, however many: the store's paged query is
 * followed to its last page (it once asked the HTTP router for 1,000 and dropped the cursor).
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../lib/store/client.ts';
import { stateItem } from '../../lib/store/items.ts';
import { runCli } from '../support/cli.ts';
import { content, storedConnection, TARGET } from '../support/fixtures.ts';
import { createTestStore, ddbEndpoint, LOCAL_AWS_ENV } from '../support/store.ts';

const FAILED = 1_050;
let store: Store;
let env: Record<string, string>;

beforeAll(async () => {
  store = await createTestStore();
  env = {
    ...LOCAL_AWS_ENV,
    AWS_ENDPOINT_URL_DYNAMODB: ddbEndpoint(),
    TABLE_NAME: store.tableName,
    DLI_TARGETS: `${TARGET.region}:${TARGET.projectId}`,
  };
  const at = '2026-11-01T00:00:00.000Z';
  const id = (i: number) => `4c693ecc-0000-4000-8000-${String(i).padStart(12, '0')}`;
  // 1,050 connections with a FAILED peering each, and one healthy one that must not be listed.
  const items = [
    ...Array.from({ length: FAILED }, (_, i) => content(id(i), { q1: 'FAILED' })),
    content(id(FAILED), { q1: 'ACTIVE' }),
  ].map((c) => stateItem(storedConnection(c, 1, at), 400));
  const batches: (typeof items)[] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  for (const batch of batches) {
    const out = await store.doc.send(
      new BatchWriteCommand({
        RequestItems: { [store.tableName]: batch.map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
    expect(Object.keys(out.UnprocessedItems ?? {})).toHaveLength(0);
  }
}, 120_000);

describe('dli-sync peerings', () => {
  it(`lists all ${FAILED} failed peerings, past the 1,000 of one page`, async () => {
    const res = await runCli(['peerings', '--json'], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const rows = JSON.parse(res.stdout) as { connectionId: string; status: string; queue: string }[];
    expect(rows).toHaveLength(FAILED);
    expect(new Set(rows.map((r) => r.connectionId)).size).toBe(FAILED);
    expect(rows.every((r) => r.status === 'FAILED' && r.queue === 'q1')).toBe(true);
  });

  it('lists peerings of another status per target, every page of it', async () => {
    const res = await runCli(['peerings', '--status', 'active', '--json'], env);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toHaveLength(1);
  });
});
