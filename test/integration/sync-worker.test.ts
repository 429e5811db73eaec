/** lib/sync/worker.ts against the DLI emulator and DynamoDB Local: what is swept, dropped, refused, retried. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConnections } from '../../infra/local/emulator-data.ts';
import { createTelemetry } from '../../lib/log.ts';
import { createStore } from '../../lib/store/client.ts';
import { listConnections, listRuns } from '../../lib/store/query.ts';
import { fanoutMessage } from '../../lib/sync/fanout.ts';
import { processFanoutBatch } from '../../lib/sync/worker.ts';
import { type Harness, PROJECT, REGION, startHarness } from '../support/harness.ts';
import { ddbEndpoint, LOCAL_AWS_ENV } from '../support/store.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const FOREIGN = 'not-a-configured-project';
const fresh = (projectId: string) =>
  JSON.stringify(fanoutMessage({ region: REGION, projectId }, new Date(), 60_000));

/** The EMF document of what the batch metered. */
const metered = (t: ReturnType<typeof createTelemetry>) =>
  t.metrics.serializeMetrics() as unknown as Record<string, unknown>;

describe('processFanoutBatch (the fan-out worker)', () => {
  it('sweeps the configured target, drops the superseded, refuses the foreign, retries only the unreadable', async () => {
    h.dli.setConnections(PROJECT, makeConnections(12, { seed: 21 }));
    h.dli.setConnections(FOREIGN, makeConnections(3, { seed: 22 }));
    const expired = JSON.stringify(
      fanoutMessage({ region: REGION, projectId: PROJECT }, new Date(Date.now() - 3_600_000), 60_000),
    );
    const telemetry = createTelemetry({ POWERTOOLS_SERVICE_NAME: 'worker-test' });
    const out = await processFanoutBatch(
      [
        { messageId: 'm1', body: fresh(PROJECT) },
        { messageId: 'm2', body: 'not a target message' },
        { messageId: 'm3', body: expired },
        { messageId: 'm4', body: fresh(FOREIGN) },
      ],
      h.config,
      { store: h.store, telemetry },
    );
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(metered(telemetry)).toMatchObject({
      ExpiredFanoutMessages: 1,
      RejectedFanoutMessages: 1,
      TargetsSynced: 1,
    });
    const mine = { region: REGION, projectId: PROJECT };
    expect((await listRuns(h.store, mine, { limit: 5 })).items.map((r) => r.outcome)).toEqual(['complete']);
    expect((await listConnections(h.store, mine)).items).toHaveLength(12);
    const foreign = { region: REGION, projectId: FOREIGN };
    expect((await listRuns(h.store, foreign, { limit: 5 })).items).toEqual([]);
    expect((await listConnections(h.store, foreign)).items).toEqual([]);
  });

  it('retries a message whose sweep threw (the store is unusable), and meters the failure', async () => {
    const missing = createStore({
      tableName: 'no-such-table',
      retentionDays: 30,
      clientConfig: {
        endpoint: ddbEndpoint(),
        region: LOCAL_AWS_ENV.AWS_REGION,
        credentials: {
          accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID,
          secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY,
        },
        maxAttempts: 1,
      },
    });
    const telemetry = createTelemetry({ POWERTOOLS_SERVICE_NAME: 'worker-test' });
    const out = await processFanoutBatch([{ messageId: 'm9', body: fresh(PROJECT) }], h.config, {
      store: missing,
      telemetry,
    });
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'm9' }] });
    expect(metered(telemetry)).toMatchObject({ TargetSyncFailures: 1 });
  });
});
