/** A fresh table in the shared DynamoDB Local, per test (or per file). */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { createStore, type Store } from '../../lib/store/client.ts';
import { setupTable } from '../../lib/store/setup.ts';

export const LOCAL_AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
} as const;

export function ddbEndpoint(): string {
  return inject('ddbEndpoint');
}

/** `stream: true` for tests that poll the table's stream; the others go without (see setupTable). */
export async function createTestStore(
  opts: { retentionDays?: number; stream?: boolean } = {},
): Promise<Store> {
  const store = createStore({
    tableName: `t-${randomUUID().slice(0, 12)}`,
    retentionDays: opts.retentionDays ?? 400,
    clientConfig: {
      endpoint: ddbEndpoint(),
      region: LOCAL_AWS_ENV.AWS_REGION,
      credentials: {
        accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID,
        secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY,
      },
    },
  });
  await setupTable(store, { stream: opts.stream ?? false });
  return store;
}
