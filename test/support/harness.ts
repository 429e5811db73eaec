/**
 * An emulator + a fresh table + a sync configuration pointing at both: the real path, end to end.
 */
import { type DliEmulator, startDliEmulator } from '../../infra/local/dli-emulator.ts';
import { loadSyncConfig, type SyncConfig } from '../../lib/config.ts';
import type { Store } from '../../lib/store/client.ts';
import { type SyncDeps, syncAll } from '../../lib/sync/run.ts';
import { createTestStore, ddbEndpoint, LOCAL_AWS_ENV } from './store.ts';

export const AK = 'TESTACCESSKEY0000001';
export const SK = 'test-secret-key-0123456789abcdef';
export const PROJECT = 'proj0000000000000000000000000001';
export const REGION = 'cn-north-4';

export interface Harness {
  dli: DliEmulator;
  store: Store;
  config: SyncConfig;
  /** The environment the CLI and the Lambda handler need for the same emulator and table. */
  env: Record<string, string>;
  sync(deps?: Partial<SyncDeps>): ReturnType<typeof syncAll>;
  close(): Promise<void>;
}

export async function startHarness(
  opts: { latencyMs?: number; env?: Record<string, string>; stream?: boolean } = {},
): Promise<Harness> {
  const dli = await startDliEmulator({ credentials: { [AK]: SK }, latencyMs: opts.latencyMs ?? 0 });
  const store = await createTestStore({ stream: opts.stream ?? false });
  const env = {
    ...LOCAL_AWS_ENV,
    AWS_ENDPOINT_URL_DYNAMODB: ddbEndpoint(),
    TABLE_NAME: store.tableName,
    DLI_TARGETS: `${REGION}:${PROJECT}`,
    DLI_ENDPOINT: dli.url,
    HUAWEICLOUD_SDK_AK: AK,
    HUAWEICLOUD_SDK_SK: SK,
    ...opts.env,
  };
  const config = loadSyncConfig(env);
  return {
    dli,
    store,
    config,
    env,
    sync: (deps = {}) => syncAll(config, { store, ...deps }),
    close: () => dli.close(),
  };
}
