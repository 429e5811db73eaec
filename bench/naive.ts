/**
 * The naive baseline the benchmark compares against: what a quick script would do. Sequential
 * paging (offset += page size), then one PutItem per connection and one per peering, every run,
 * no diffing, no history, no events. Written for the benchmark only.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { listConnectionsPage } from '../lib/dli/client.ts';
import type { Credentials } from '../lib/dli/types.ts';
import type { Target } from '../lib/model/schemas.ts';
import { record, type Store } from '../lib/store/client.ts';
import { writeUnits } from '../lib/store/size.ts';

export async function naiveSync(
  store: Store,
  target: Target,
  credentials: Credentials,
  pageSize: number,
): Promise<{ requests: number; pages: number; seen: number }> {
  let offset = 0;
  let requests = 0;
  let pages = 0;
  let seen = 0;
  for (;;) {
    const page = await listConnectionsPage(target, { limit: pageSize, offset }, credentials, {
      onAttempt: () => {
        requests++;
      },
    });
    pages++;
    const list = (page.connections ?? []) as Record<string, unknown>[];
    for (const c of list) {
      await put(store, {
        PK: `NAIVE#${target.projectId}`,
        SK: `CONN#${String(c.id)}`,
        ...c,
        available_queue_info: undefined,
      });
      for (const q of (c.available_queue_info ?? []) as Record<string, unknown>[]) {
        await put(store, {
          PK: `NAIVE#${target.projectId}`,
          SK: `PEER#${String(c.id)}#${String(q.name)}`,
          ...q,
        });
      }
    }
    seen += list.length;
    if (list.length < pageSize) break;
    offset += pageSize;
  }
  return { requests, pages, seen };
}

async function put(store: Store, item: Record<string, unknown>): Promise<void> {
  const out = await store.doc.send(
    new PutCommand({ TableName: store.tableName, Item: item, ReturnConsumedCapacity: 'TOTAL' }),
  );
  store.meter.itemWrites++;
  store.meter.estimatedWriteUnits += writeUnits(item, false);
  record(store.meter, 'write', out.ConsumedCapacity);
}
