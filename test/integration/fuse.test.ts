/** The mass-deletion fuse end to end: the DLI emulator, DynamoDB Local, the library and the real CLI. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConnections } from '../../infra/local/emulator-data.ts';
import type { SyncConfig } from '../../lib/config.ts';
import { DEFAULT_FUSE } from '../../lib/model/fuse-policy.ts';
import type { Store } from '../../lib/store/client.ts';
import { loadHeld } from '../../lib/store/held.ts';
import { listConnections, listEvents } from '../../lib/store/query.ts';
import { syncAll } from '../../lib/sync/run.ts';
import { runCli } from '../support/cli.ts';
import { type Harness, PROJECT, REGION, startHarness } from '../support/harness.ts';
import { createTestStore } from '../support/store.ts';

type Raw = Record<string, unknown>;
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const healthy = (n: number, seed: number): Raw[] =>
  makeConnections(n, { seed }).map((c) => ({
    ...c,
    available_queue_info: (c.available_queue_info as Raw[]).map((q) => ({
      ...q,
      status: 'ACTIVE',
      err_msg: '',
    })),
  }));
const at = (hour: number) => () => new Date(Date.UTC(2026, 0, 1, hour));

/** A fresh table and project, synced once with `data`; returns a sync function for later steps. */
async function world(data: Raw[], fuse = DEFAULT_FUSE) {
  const store = await createTestStore();
  const projectId = `p${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  const config: SyncConfig = {
    ...h.config,
    tableName: store.tableName,
    targets: [{ ...(h.config.targets[0] as SyncConfig['targets'][0]), projectId }],
    fuse,
  };
  const t = { region: REGION, projectId };
  const sync = async (shown: Raw[], hour: number, s: Store = store, c: SyncConfig = config) => {
    h.dli.setConnections(projectId, structuredClone(shown));
    const { runs } = await syncAll(c, { store: s, now: at(hour) });
    return runs[0] as NonNullable<(typeof runs)[0]>;
  };
  expect((await sync(data, 1)).created).toBe(data.length);
  return { store, config, t, projectId, sync };
}

const events = async (s: Store) => (await listEvents(s)).items;
const deletedIn = async (s: Store, t: { region: string; projectId: string }) =>
  (await listConnections(s, t)).items.filter((c) => c.status === 'DELETED');

describe('mass-deletion fuse', () => {
  it('holds a mass deletion: run complete with heldDeletions, nothing tombstoned, one DELETIONS_HELD across runs', async () => {
    const data = healthy(30, 11);
    const w = await world(data);
    const shown = data.slice(10); // 10 of 30 gone: 33 % and more than 5
    const run = await w.sync(shown, 2);
    expect(run).toMatchObject({
      outcome: 'complete',
      heldDeletions: 10,
      deleted: 0,
      events: 0,
      deletionsApplied: false,
    });
    expect(await deletedIn(w.store, w.t)).toEqual([]);
    const held = await loadHeld(w.store, w.t);
    expect(held.map((x) => x.connectionId).sort()).toEqual(
      data
        .slice(0, 10)
        .map((c) => String(c.id))
        .sort(),
    );
    expect(held[0]).toMatchObject({
      heldAt: '2026-01-01T02:00:00.000Z',
      runId: run.runId,
      agreeingSweeps: 1,
    });
    // The hold continues: still held, no second message.
    const again = await w.sync(shown, 3);
    expect(again).toMatchObject({ outcome: 'complete', heldDeletions: 10, deleted: 0 });
    expect((await loadHeld(w.store, w.t)).every((x) => x.agreeingSweeps === 2 && x.runId === run.runId)).toBe(
      true,
    );
    const all = await events(w.store);
    expect(all.filter((e) => e.type === 'DELETIONS_HELD')).toEqual([
      expect.objectContaining({ connectionId: null, heldDeletions: 10, runId: run.runId, region: REGION }),
    ]);
    expect(all.filter((e) => e.type === 'CONNECTION_DELETED')).toEqual([]);
  });

  it('a held connection that comes back is no longer held', async () => {
    const data = healthy(30, 12);
    const w = await world(data);
    await w.sync(data.slice(10), 2);
    const back = await w.sync(data.slice(7), 3); // 3 of the 10 are listed again
    expect(back.heldDeletions).toBe(7);
    expect((await loadHeld(w.store, w.t)).map((x) => x.connectionId).sort()).toEqual(
      data
        .slice(0, 7)
        .map((c) => String(c.id))
        .sort(),
    );
    const all = await w.sync(data, 4);
    expect(all).toMatchObject({ heldDeletions: 0, deleted: 0, deletionsApplied: true });
    expect(await loadHeld(w.store, w.t)).toEqual([]);
    expect(await deletedIn(w.store, w.t)).toEqual([]);
  });

  it('below the threshold deletions apply as before', async () => {
    const data = healthy(30, 13);
    const w = await world(data);
    const run = await w.sync(data.slice(5), 2); // 5: not more than 5
    expect(run).toMatchObject({ heldDeletions: 0, deleted: 5, events: 5, deletionsApplied: true });
    expect(await deletedIn(w.store, w.t)).toHaveLength(5);
    expect(await loadHeld(w.store, w.t)).toEqual([]);
  });

  it('opt-in: N agreeing sweeps apply the held deletions exactly as an unheld deletion would have', async () => {
    const data = healthy(30, 14);
    const w = await world(data, { ...DEFAULT_FUSE, confirmAfterSweeps: 3 });
    // The reference: the same world with the fuse off (100 % never trips).
    const ref = await createTestStore();
    const refConfig = { ...w.config, tableName: ref.tableName, fuse: { ...DEFAULT_FUSE, sharePercent: 100 } };
    await w.sync(data, 1, ref, refConfig);
    expect((await w.sync(data.slice(10), 2, ref, refConfig)).deleted).toBe(10);

    expect((await w.sync(data.slice(10), 2)).heldDeletions).toBe(10);
    expect((await w.sync(data.slice(10), 3)).heldDeletions).toBe(10);
    const third = await w.sync(data.slice(10), 4);
    expect(third).toMatchObject({ heldDeletions: 0, deleted: 10, events: 10 });
    expect(await loadHeld(w.store, w.t)).toEqual([]);
    // lastSeenAt of a live connection is the newest complete run's: later here than in the reference.
    const strip = async (s: Store) =>
      (await listConnections(s, w.t)).items.map(({ lastSeenAt, ...c }) =>
        c.status === 'DELETED' ? { ...c, lastSeenAt } : c,
      );
    expect(await strip(w.store)).toEqual(await strip(ref));
    const deletions = async (s: Store) => (await events(s)).filter((e) => e.type === 'CONNECTION_DELETED');
    expect(await deletions(w.store)).toEqual(
      (await deletions(ref)).map((e) => ({ ...e, runId: expect.any(String) })),
    );
    expect((await deletions(w.store)).every((e) => e.detectedAt === '2026-01-01T02:00:00.000Z')).toBe(true);
  });

  it('CLI: sync says held in one line, deletions --json lists them, confirm applies them (exit 0), unconfigured target exit 2', async () => {
    const data = healthy(30, 15);
    const table = `fuse-${randomUUID().slice(0, 8)}`;
    const env = { ...h.env, TABLE_NAME: table };
    expect((await runCli(['setup'], env)).code).toBe(0);
    h.dli.setConnections(PROJECT, structuredClone(data));
    expect((await runCli(['sync'], env)).code).toBe(0);
    expect(JSON.parse((await runCli(['deletions', '--json'], env)).stdout)).toEqual([]);

    h.dli.setConnections(PROJECT, structuredClone(data.slice(10)));
    const sync = await runCli(['sync'], env);
    expect(sync.code).toBe(0);
    const heldLines = sync.stdout.split('\n').filter((l) => /held/.test(l));
    expect(heldLines).toEqual([
      `${REGION}/${PROJECT}: 10 deletion(s) held by the mass-deletion fuse, not applied; see "dli-sync deletions", apply with "dli-sync deletions confirm ${REGION}:${PROJECT}"`,
    ]);
    const runs = JSON.parse((await runCli(['runs', '--json'], env)).stdout) as Raw[];
    expect(runs[0]).toMatchObject({ outcome: 'complete', heldDeletions: 10 });

    const listed = JSON.parse((await runCli(['deletions', '--json'], env)).stdout) as Raw[];
    expect(listed).toHaveLength(10);
    for (const d of listed) {
      expect(Object.keys(d)).toEqual(
        expect.arrayContaining(['region', 'projectId', 'connectionId', 'connectionName', 'heldAt', 'runId']),
      );
      expect(d).toMatchObject({ region: REGION, projectId: PROJECT, runId: runs[0]?.runId });
      expect(new Date(String(d.heldAt)).toISOString()).toBe(d.heldAt);
    }
    expect(listed.map((d) => d.connectionId).sort()).toEqual(
      data
        .slice(0, 10)
        .map((c) => c.id)
        .sort(),
    );
    expect((await runCli(['deletions'], env)).stdout).toContain('HELD AT');

    const wrong = await runCli(['deletions', 'confirm', 'cn-north-4:nosuchproject'], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toMatch(/not configured/);
    expect((await runCli(['deletions', 'confirm'], env)).code).toBe(2);

    const confirm = await runCli(['deletions', 'confirm', `${REGION}:${PROJECT}`], env);
    expect(confirm.code, confirm.stderr).toBe(0);
    expect(confirm.stdout).toMatch(/10 connection\(s\) deleted, 10 event\(s\)/);
    expect(JSON.parse((await runCli(['deletions', '--json'], env)).stdout)).toEqual([]);
    const conns = JSON.parse(
      (await runCli(['connections', '--status', 'DELETED', '--json'], env)).stdout,
    ) as Raw[];
    expect(conns.map((c) => c.id).sort()).toEqual(
      data
        .slice(0, 10)
        .map((c) => c.id)
        .sort(),
    );
    const evs = JSON.parse((await runCli(['events', '--json'], env)).stdout) as Raw[];
    const deleted = evs.filter((e) => e.type === 'CONNECTION_DELETED');
    expect(deleted).toHaveLength(10);
    // As the holding sweep would have made them: its time, its run.
    expect(deleted.every((e) => e.detectedAt === listed[0]?.heldAt && e.runId === runs[0]?.runId)).toBe(true);
    expect(evs.filter((e) => e.type === 'DELETIONS_HELD')).toHaveLength(1);
    // The next sync finds nothing more to do.
    const after = JSON.parse((await runCli(['sync', '--json'], env)).stdout) as Raw[];
    expect(after[0]).toMatchObject({ outcome: 'complete', heldDeletions: 0, deleted: 0, events: 0 });
  }, 180_000);
});
