/** `dli-sync setup`: create the table (idempotent), same definition as serverless.yml. */
import { storeFor } from '../../lib/app.ts';
import { type Env, loadStoreConfig } from '../../lib/config.ts';
import { setupTable } from '../../lib/store/setup.ts';
import type { Io } from '../cli.ts';

export async function run(
  _command: string,
  _args: string[],
  _flags: unknown,
  env: Env,
  io: Io,
): Promise<number> {
  const store = storeFor(loadStoreConfig(env));
  const outcome = await setupTable(store);
  io.out(
    `table ${store.tableName} ${outcome === 'created' ? 'created' : 'already exists'}; TTL on expiresAt`,
  );
  return 0;
}
