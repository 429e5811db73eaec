/**
 * The store's one BatchGetItem (lib/store/chunk-io.ts batchGet), which the delivery records read
 * through too: unprocessed keys are retried with backoff, and keys DynamoDB keeps refusing end in a
 * StoreError rather than a silently short answer.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../lib/errors.ts';
import { batchGet } from '../../lib/store/chunk-io.ts';
import type { Store } from '../../lib/store/client.ts';
import { loadDelivery } from '../../lib/store/delivery.ts';
import { keys } from '../../lib/store/table.ts';
import { putItem } from '../../lib/store/write.ts';
import { type DdbFaults, injectDdbFaults } from '../support/ddb-faults.ts';
import { createTestStore } from '../support/store.ts';

let store: Store;
let faults: DdbFaults;
beforeAll(async () => {
  store = await createTestStore();
  for (const id of ['e1', 'e2'])
    await putItem(store, {
      PK: keys.eventPk(id),
      SK: keys.eventSk(),
      id,
      delivery: { slack: { status: 'sent', at: 't', attempts: 1 } },
      ...(id === 'e2' ? { deliveryState: 'failed' } : {}),
    });
});
afterEach(() => faults?.remove());

describe('the store’s one BatchGetItem', () => {
  it('retries unprocessed keys, round after round, until every item is read', async () => {
    faults = injectDdbFaults(store);
    faults.add({ kind: { type: 'unprocessed' }, ops: ['BatchGetItem'], times: 3 });
    const before = faults.requests.get('BatchGetItem') ?? 0;
    const got = await loadDelivery(store, ['e1', 'e2', 'e-missing']);
    expect(faults.requests.get('BatchGetItem')).toBe(before + 4);
    expect([...got.keys()].sort()).toEqual(['e1', 'e2']);
    expect(got.get('e2')).toEqual({
      delivery: { slack: { status: 'sent', at: 't', attempts: 1 } },
      deliveryState: 'failed',
      silencedBy: null,
    });
    expect(got.get('e1')?.deliveryState).toBeNull();
  });

  it('gives up with a StoreError after 10 rounds of unprocessed keys', { timeout: 30_000 }, async () => {
    faults = injectDdbFaults(store);
    faults.add({ kind: { type: 'unprocessed' }, ops: ['BatchGetItem'] });
    const before = faults.requests.get('BatchGetItem') ?? 0;
    const read = batchGet(store, [{ PK: keys.eventPk('e1'), SK: keys.eventSk() }], true);
    await expect(read).rejects.toThrow(StoreError);
    await expect(read).rejects.toThrow(/unprocessed after 10 BatchGetItem rounds/);
    expect(faults.requests.get('BatchGetItem')).toBe(before + 10);
  });
});
