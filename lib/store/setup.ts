/** Creates the table from the one definition, idempotently, and turns TTL on. */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { Store } from './client.ts';
import { TTL_ATTRIBUTE, tableDefinition } from './table.ts';

export async function setupTable(store: Store): Promise<'created' | 'exists'> {
  let outcome: 'created' | 'exists' = 'created';
  try {
    await store.raw.send(new CreateTableCommand(tableDefinition(store.tableName)));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
    outcome = 'exists';
  }
  await waitActive(store);
  const ttl = await store.raw.send(new DescribeTimeToLiveCommand({ TableName: store.tableName }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status !== 'ENABLED' && status !== 'ENABLING') {
    await store.raw.send(
      new UpdateTimeToLiveCommand({
        TableName: store.tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  }
  return outcome;
}

async function waitActive(store: Store): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const out = await store.raw.send(new DescribeTableCommand({ TableName: store.tableName }));
    const gsisReady = (out.Table?.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE');
    if (out.Table?.TableStatus === 'ACTIVE' && gsisReady) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`table ${store.tableName} did not become ACTIVE within 60 s`);
}
