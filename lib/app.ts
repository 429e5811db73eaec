/** Wiring shared by the Lambda handlers and the CLI: configuration → a store. */
import type { StoreConfig } from './config.ts';
import { createStore, type Store } from './store/client.ts';

/** The AWS SDK reads AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB and credentials from the environment itself. */
export function storeFor(config: StoreConfig): Store {
  return createStore({ tableName: config.tableName, retentionDays: config.retentionDays });
}
