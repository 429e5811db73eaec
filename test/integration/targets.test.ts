/**
 * Target states and the registry against the DLI emulator and DynamoDB Local: denied and
 * not-enabled projects (a state, one event, exit 0, connections untouched), a real error still
 * failing, retired targets (nothing tombstoned, still listed), and the worker's acceptance rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DliEmulator, startDliEmulator } from '../../infra/local/dli-emulator.ts';
import { makeConnections } from '../../infra/local/emulator-data.ts';
import { route } from '../../lib/api/routes.ts';
import { TargetsResponseSchema } from '../../lib/api/targets.ts';
import { loadSyncConfig, type SyncConfig } from '../../lib/config.ts';
import { createTelemetry } from '../../lib/log.ts';
import type { Store } from '../../lib/store/client.ts';
import { listConnections, listEvents } from '../../lib/store/query.ts';
import { knownTargets, listTargetOverview } from '../../lib/store/targets.ts';
import { fanoutMessage } from '../../lib/sync/fanout.ts';
import { syncAll } from '../../lib/sync/run.ts';
import { recordTargets, resolvedFromConfig } from '../../lib/sync/targets.ts';
import { processFanoutBatch } from '../../lib/sync/worker.ts';
import { runCli } from '../support/cli.ts';
import { AK, REGION, SK } from '../support/harness.ts';
import { createTestStore, ddbEndpoint, LOCAL_AWS_ENV } from '../support/store.ts';

const P = {
  ok: 'projok00000000000000000000000001',
  denied: 'projdenied0000000000000000000002',
  off: 'projoff0000000000000000000000003',
  gone: 'projgone000000000000000000000004',
};
/** Connections per project: enough to see that none is touched, few enough to stay fast. */
const N = 3;
const denied: string[] = [];
const notEnabled: string[] = [];
let dli: DliEmulator;

beforeAll(async () => {
  dli = await startDliEmulator({
    credentials: { [AK]: SK },
    deniedProjects: denied,
    notEnabledProjects: notEnabled,
  });
  for (const [i, p] of Object.values(P).entries())
    dli.setConnections(p, makeConnections(N, { seed: 40 + i }));
});
afterAll(() => dli.close());

const configFor = (store: Store, projects: string[]): SyncConfig =>
  loadSyncConfig({
    ...LOCAL_AWS_ENV,
    AWS_ENDPOINT_URL_DYNAMODB: ddbEndpoint(),
    TABLE_NAME: store.tableName,
    DLI_TARGETS: projects.map((p) => `${REGION}:${p}`).join(','),
    DLI_ENDPOINT: dli.url,
    HUAWEICLOUD_SDK_AK: AK,
    HUAWEICLOUD_SDK_SK: SK,
  });

/** One tick as the scheduled function runs it: record the resolved list, then sweep it. */
async function tick(store: Store, projects: string[], hour: number) {
  const config = configFor(store, projects);
  const now = () => new Date(Date.UTC(2026, 4, 1, hour));
  await recordTargets(store, resolvedFromConfig(config.targets), now());
  return syncAll(config, { store, now });
}

const live = async (store: Store, projectId: string) =>
  (await listConnections(store, { region: REGION, projectId })).items.filter((c) => c.status !== 'DELETED');
const targetEvents = async (store: Store) =>
  (await listEvents(store)).items.filter((e) => e.type.startsWith('TARGET_'));
const stateOf = async (store: Store, projectId: string) =>
  (await listTargetOverview(store, [])).find((t) => t.projectId === projectId);

describe('denied and not-enabled targets', () => {
  it('a denied project: state denied, one TARGET_DENIED over two runs, the run ok, connections untouched; recovery closes it', async () => {
    const store = await createTestStore();
    const projects = [P.denied];
    expect((await tick(store, projects, 1)).ok).toBe(true);
    expect(await live(store, P.denied)).toHaveLength(N);

    denied.push(P.denied);
    try {
      for (const hour of [2, 3]) {
        const { ok, runs } = await tick(store, projects, hour);
        expect(ok).toBe(true);
        expect(runs.find((r) => r.projectId === P.denied)).toMatchObject({
          outcome: 'incomplete',
          state: 'denied',
        });
      }
      const events = await targetEvents(store);
      expect(events).toEqual([
        expect.objectContaining({
          type: 'TARGET_DENIED',
          projectId: P.denied,
          status: 'DENIED',
          previousStatus: 'ACTIVE',
          connectionId: null,
        }),
      ]);
      expect(events[0]?.error).toContain('HTTP 403');
      expect(await live(store, P.denied)).toHaveLength(N);
      expect(await stateOf(store, P.denied)).toMatchObject({ state: 'denied', connections: N });
    } finally {
      denied.length = 0;
    }
    expect((await tick(store, projects, 4)).ok).toBe(true);
    expect((await targetEvents(store)).map((e) => [e.type, e.status])).toEqual([
      ['TARGET_DENIED', 'DENIED'],
      ['TARGET_RECOVERED', 'ACTIVE'],
    ]);
    expect(await stateOf(store, P.denied)).toMatchObject({ state: 'active' });
  });

  it('a project where DLI is not enabled: state not-enabled, one event over two runs, the run ok', async () => {
    const store = await createTestStore();
    notEnabled.push(P.off);
    try {
      for (const hour of [1, 2]) {
        const { ok, runs } = await tick(store, [P.ok, P.off], hour);
        expect(ok).toBe(true);
        expect(runs.find((r) => r.projectId === P.off)).toMatchObject({ state: 'not-enabled' });
      }
    } finally {
      notEnabled.length = 0;
    }
    expect(await targetEvents(store)).toEqual([
      expect.objectContaining({ type: 'TARGET_DENIED', projectId: P.off, status: 'NOT_ENABLED' }),
    ]);
    expect(await stateOf(store, P.off)).toMatchObject({ state: 'not-enabled', connections: 0 });
  });

  it('a real 500 still fails the run and records no state', async () => {
    const store = await createTestStore();
    dli.setFaults({ serverError: { times: Number.POSITIVE_INFINITY } });
    try {
      const { ok, runs } = await tick(store, [P.ok], 1);
      expect(ok).toBe(false);
      expect(runs[0]?.outcome).toBe('incomplete');
      expect(runs[0]?.state).toBeUndefined();
    } finally {
      dli.setFaults({});
    }
    expect(await targetEvents(store)).toEqual([]);
    expect(await stateOf(store, P.ok)).toMatchObject({ state: 'active' });
  });
});

describe('retired targets', () => {
  it('a target removed from the list is retired, nothing is tombstoned, it is still listed; back again it is active', async () => {
    const store = await createTestStore();
    await tick(store, [P.ok, P.gone], 1);
    dli.setConnections(P.gone, []); // even if it were swept now, it would look emptied
    try {
      await tick(store, [P.ok], 2);
      await tick(store, [P.ok], 3);
      expect(await live(store, P.gone)).toHaveLength(N);
      const deletions = (await listEvents(store)).items.filter((e) => e.type === 'CONNECTION_DELETED');
      expect(deletions).toEqual([]);
      expect(await stateOf(store, P.gone)).toMatchObject({
        state: 'retired',
        source: 'explicit',
        connections: N,
        lastCompleteSweepAt: new Date(Date.UTC(2026, 4, 1, 1)).toISOString(),
      });
      const cfg = configFor(store, [P.ok]);
      const api = await route({ store, targets: cfg.targets }, 'GET', '/targets', {});
      expect(api.status).toBe(200);
      expect(TargetsResponseSchema.parse(api.body).items.map((t) => [t.projectId, t.state])).toEqual([
        [P.gone, 'retired'],
        [P.ok, 'active'],
      ]);
      const known = await knownTargets(store, cfg.targets, () => dli.url, { retired: true });
      expect(known.map((t) => t.projectId)).toEqual([P.ok, P.gone]);
    } finally {
      dli.setConnections(P.gone, makeConnections(N, { seed: 43 }));
    }
    await recordTargets(store, resolvedFromConfig(configFor(store, [P.ok, P.gone]).targets), new Date());
    expect(await stateOf(store, P.gone)).toMatchObject({ state: 'active' });
  });

  it('an unchanged resolved list writes nothing to the registry', async () => {
    const store = await createTestStore();
    const resolved = resolvedFromConfig(configFor(store, [P.ok, P.gone]).targets);
    expect(await recordTargets(store, resolved, new Date())).toBe(2);
    const before = store.meter.itemWrites;
    expect(await recordTargets(store, resolved, new Date())).toBe(0);
    expect(store.meter.itemWrites).toBe(before);
  });
});

describe('the fan-out worker accepts only configured or registered, non-retired targets', () => {
  it('sweeps a discovered target, refuses an unknown one and a retired one', async () => {
    const store = await createTestStore();
    const config = configFor(store, [P.ok]);
    const discovered = {
      ...resolvedFromConfig(configFor(store, [P.denied]).targets)[0]!,
      source: 'discovered' as const,
    };
    const retired = resolvedFromConfig(configFor(store, [P.gone]).targets)[0]!;
    await recordTargets(store, [discovered, retired], new Date());
    await recordTargets(store, [discovered], new Date()); // P.gone retires
    const msg = (projectId: string) =>
      JSON.stringify(fanoutMessage({ region: REGION, projectId }, new Date(), 60_000));
    const telemetry = createTelemetry({ POWERTOOLS_SERVICE_NAME: 'targets-test' });
    const out = await processFanoutBatch(
      [
        { messageId: 'a', body: msg(P.denied) },
        { messageId: 'b', body: msg('projunknown000000000000000000009') },
        { messageId: 'c', body: msg(P.gone) },
      ],
      config,
      { store, telemetry, endpointFor: () => dli.url },
    );
    expect(out.batchItemFailures).toEqual([]);
    expect(telemetry.metrics.serializeMetrics()).toMatchObject({
      RejectedFanoutMessages: [1, 1],
      TargetsSynced: 1,
    });
    expect(await live(store, P.denied)).toHaveLength(N);
    expect(await live(store, P.gone)).toHaveLength(0);
  });
});

describe('dli-sync CLI (real process)', () => {
  it('sync exits 0 with a denied project; targets --json shows a dropped target retired; connections still lists it', async () => {
    const store = await createTestStore();
    const env = (projects: string[]) => ({
      ...LOCAL_AWS_ENV,
      AWS_ENDPOINT_URL_DYNAMODB: ddbEndpoint(),
      TABLE_NAME: store.tableName,
      DLI_TARGETS: projects.map((p) => `${REGION}:${p}`).join(','),
      DLI_ENDPOINT: dli.url,
      HUAWEICLOUD_SDK_AK: AK,
      HUAWEICLOUD_SDK_SK: SK,
    });
    denied.push(P.denied);
    try {
      const sync = await runCli(['sync'], env([P.ok, P.gone, P.denied]));
      expect(sync.code).toBe(0);
      expect(sync.stdout).toContain('incomplete (denied)');
    } finally {
      denied.length = 0;
    }
    expect((await runCli(['sync'], env([P.ok]))).code).toBe(0);
    const targets = await runCli(['targets', '--json'], env([P.ok]));
    expect(targets.code).toBe(0);
    expect(
      TargetsResponseSchema.shape.items
        .parse(JSON.parse(targets.stdout))
        .map((t) => [t.projectId, t.state, t.connections]),
    ).toEqual([
      [P.denied, 'retired', 0],
      [P.gone, 'retired', N],
      [P.ok, 'active', N],
    ]);
    const connections = await runCli(['connections', '--json'], env([P.ok]));
    const listed = JSON.parse(connections.stdout) as { projectId: string; status: string }[];
    expect(listed.filter((c) => c.projectId === P.gone && c.status !== 'DELETED')).toHaveLength(N);
  }, 120_000);
});
