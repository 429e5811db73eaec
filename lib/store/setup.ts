/** Creates the table from the one definition, idempotently, and turns TTL on. */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { StoreError } from '../errors.ts';
import type { Store } from './client.ts';
import { TTL_ATTRIBUTE, tableDefinition } from './table.ts';

/**
 * `stream: false` creates the table without its stream, for local tables nothing reads it from (the
 * bench, most tests): DynamoDB Local's stream log slows every later write as it grows (figures in
 * bench/sync.ts). Deployed and `dli-sync setup` tables always have it.
 */
export async function setupTable(
  store: Store,
  opts: { stream?: boolean } = {},
): Promise<'created' | 'exists'> {
  let outcome: 'created' | 'exists' = 'created';
  const { StreamSpecification, ...withoutStream } = tableDefinition(store.tableName);
  const definition = opts.stream === false ? withoutStream : { ...withoutStream, StreamSpecification };
  try {
    await store.raw.send(new CreateTableCommand(definition));
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
  throw new StoreError(`table ${store.tableName} did not become ACTIVE within 60 s`);
}
