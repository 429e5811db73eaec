import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/dynamodb-local.ts';
import { makeConnections } from '../../infra/local/emulator-data.ts';
import type { RunRecord } from '../../lib/model/schemas.ts';
import { listConnections, listEvents, listHistory, listRuns } from '../../lib/store/query.ts';
import { syncAll } from '../../lib/sync/run.ts';
import { type Harness, PROJECT, REGION, startHarness } from '../support/harness.ts';
import { createTestStore } from '../support/store.ts';

type Raw = Record<string, unknown>;
const target = { region: REGION, projectId: PROJECT };
let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const queues = (c: Raw) => c.available_queue_info as Raw[];
function setPeering(c: Raw, status: string, err = ''): void {
  Object.assign(queues(c)[0] as Raw, { status, err_msg: err });
}
const healthy = (n: number, seed = 1): Raw[] =>
  makeConnections(n, { seed }).map((c) => ({
    ...c,
    available_queue_info: queues(c).map((q) => ({ ...q, status: 'ACTIVE', err_msg: '' })),
  }));

async function events() {
  return (await listEvents(h.store)).items;
}

describe('end-to-end sync against the DLI emulator and DynamoDB Local', () => {
  it('stores 250 connections served over 3 pages exactly once', async () => {
    h.dli.setConnections(PROJECT, healthy(250));
    const { runs, ok } = await h.sync();
    expect(ok).toBe(true);
    expect(runs[0]).toMatchObject({ outcome: 'complete', seen: 250, created: 250, pages: 3 });
    const stored = (await listConnections(h.store, target)).items;
    expect(stored).toHaveLength(250);
    expect(new Set(stored.map((c) => c.id)).size).toBe(250);
    // and exactly one history version each
    const first = stored[0]!;
    expect((await listHistory(h.store, first.id)).items).toHaveLength(1);
  });

  it('writing changes in slices gives the same state, history and events as one slice', async () => {
    // The same four syncs into two tables: slices of 7 connections, and the default (all in one).
    const other = await createTestStore();
    const data = healthy(40, 3);
    const runs: RunRecord[][] = [];
    const step = async (hour: number) => {
      h.dli.setConnections(PROJECT, structuredClone(data));
      const now = () => new Date(Date.UTC(2026, 0, 1, hour));
      const sliced = await h.sync({ now, sliceSize: 7 });
      const whole = await syncAll({ ...h.config, tableName: other.tableName }, { store: other, now });
      runs.push([...sliced.runs, ...whole.runs]);
    };
    await step(1);
    for (const c of data.slice(0, 12)) setPeering(c, 'FAILED', 'no route');
    await step(2);
    data.splice(20, 5); // at most 5: more would trip the mass-deletion fuse (lib/sync/fuse.ts)
    data.push(...healthy(5, 4));
    await step(3);
    for (const c of data.slice(0, 6)) setPeering(c, 'ACTIVE');
    await step(4);
    const counts = (r: RunRecord) => [
      r.outcome,
      r.seen,
      r.created,
      r.changed,
      r.deleted,
      r.unchanged,
      r.events,
    ];
    for (const [sliced, whole] of runs) expect(counts(sliced!)).toEqual(counts(whole!));
    expect(runs.map(([r]) => [r!.created, r!.changed, r!.deleted])).toEqual([
      [40, 0, 0],
      [0, 12, 0],
      [5, 0, 5],
      [0, 6, 0],
    ]);
    const strip = <T extends { lastSeenAt?: unknown }>(items: T[]) =>
      items.map(({ lastSeenAt: _, ...x }) => x);
    expect(strip((await listConnections(h.store, target)).items)).toEqual(
      strip((await listConnections(other, target)).items),
    );
    const ev = (s: typeof other) => listEvents(s).then((p) => p.items.map((e) => [e.id, e.type, e.status]));
    expect(await ev(h.store)).toEqual(await ev(other));
    const id = String(data[0]!.id);
    expect((await listHistory(h.store, id)).items).toEqual((await listHistory(other, id)).items);
  });

  it('normalizes a mixed-case status', async () => {
    const data = healthy(2);
    Object.assign(data[0]!, { status: 'Active' });
    setPeering(data[1]!, 'Failed', 'no route');
    h.dli.setConnections(PROJECT, data);
    await h.sync();
    const stored = (await listConnections(h.store, target)).items;
    expect(stored.find((c) => c.id === data[0]!.id)?.status).toBe('ACTIVE');
    expect(stored.find((c) => c.id === data[1]!.id)?.peerings.some((p) => p.status === 'FAILED')).toBe(true);
  });

  it('an unchanged re-sync writes no item besides the run record (and the lease)', async () => {
    h.dli.setConnections(PROJECT, healthy(120));
    await h.sync();
    const before = h.store.meter.itemWrites;
    const { runs } = await h.sync();
    // lease acquire + lease release + run record, whatever the number of connections
    expect(h.store.meter.itemWrites - before).toBe(3);
    expect(runs[0]).toMatchObject({ unchanged: 120, created: 0, changed: 0 });
  });

  it('writes a history version only when the normalized content changed', async () => {
    const data = healthy(3);
    h.dli.setConnections(PROJECT, data);
    await h.sync();
    // Reordering peerings and changing the case of a status is not a change.
    Object.assign(data[0]!, { available_queue_info: [...queues(data[0]!)].reverse(), status: 'active' });
    h.dli.setConnections(PROJECT, data);
    expect((await h.sync()).runs[0]).toMatchObject({ changed: 0, unchanged: 3 });
    Object.assign(data[0]!, { name: 'renamed' });
    h.dli.setConnections(PROJECT, data);
    expect((await h.sync()).runs[0]).toMatchObject({ changed: 1, unchanged: 2 });
    const history = (await listHistory(h.store, String(data[0]!.id))).items;
    expect(history.map((v) => v.name)).toEqual([expect.any(String), 'renamed']);
    expect(history[1]!.observedAt > history[0]!.observedAt).toBe(true);
  });

  it('tracks firstSeenAt and lastSeenAt', async () => {
    const data = healthy(2);
    h.dli.setConnections(PROJECT, data);
    const t0 = new Date('2026-05-01T00:00:00.000Z');
    await h.sync({ now: () => t0 });
    const t1 = new Date('2026-05-01T01:00:00.000Z');
    await h.sync({ now: () => t1 });
    const c = (await listConnections(h.store, target)).items[0]!;
    expect(c.firstSeenAt).toBe(t0.toISOString());
    expect(c.lastSeenAt).toBe(t1.toISOString());
  });

  it('peering events: one when it fails, none while it stays failed, a second after FAILED → ACTIVE → FAILED', async () => {
    const data = healthy(5);
    h.dli.setConnections(PROJECT, data);
    await h.sync();
    expect(await events()).toEqual([]);

    setPeering(data[2]!, 'FAILED', 'CIDR overlap');
    h.dli.setConnections(PROJECT, data);
    await h.sync();
    let evs = (await events()).filter((e) => e.type === 'PEERING_FAILED');
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({
      connectionId: data[2]!.id,
      queue: queues(data[2]!)[0]!.name,
      previousStatus: 'ACTIVE',
      status: 'FAILED',
      error: 'CIDR overlap',
      region: REGION,
      projectId: PROJECT,
    });

    await h.sync();
    await h.sync();
    expect((await events()).filter((e) => e.type === 'PEERING_FAILED')).toHaveLength(1);

    setPeering(data[2]!, 'ACTIVE');
    h.dli.setConnections(PROJECT, data);
    await h.sync();
    setPeering(data[2]!, 'FAILED', 'CIDR overlap again');
    h.dli.setConnections(PROJECT, data);
    await h.sync();
    evs = (await events()).filter((e) => e.type === 'PEERING_FAILED');
    expect(evs).toHaveLength(2);
    expect(evs[1]).toMatchObject({ previousStatus: 'ACTIVE', error: 'CIDR overlap again' });
  });

  it('emits PEERING_FAILED for a connection first seen with a FAILED peering', async () => {
    const data = healthy(2);
    setPeering(data[1]!, 'FAILED', 'boom');
    h.dli.setConnections(PROJECT, data);
    await h.sync();
    expect(await events()).toMatchObject([
      { type: 'PEERING_FAILED', connectionId: data[1]!.id, previousStatus: null },
    ]);
  });

  it('a connection gone from a complete sweep becomes a DELETED tombstone with one event', async () => {
    const data = healthy(4);
    h.dli.setConnections(PROJECT, data);
    await h.sync();
    h.dli.setConnections(PROJECT, data.slice(0, 3));
    const { runs } = await h.sync();
    expect(runs[0]).toMatchObject({ deleted: 1, events: 1, deletionsApplied: true });
    const gone = (await listConnections(h.store, target)).items.find((c) => c.id === data[3]!.id);
    expect(gone).toMatchObject({ status: 'DELETED', deletedAt: runs[0]!.startedAt });
    expect(await events()).toMatchObject([
      { type: 'CONNECTION_DELETED', connectionId: data[3]!.id, previousStatus: 'ACTIVE', status: 'DELETED' },
    ]);
    await h.sync();
    expect(await events()).toHaveLength(1);
    expect((await listConnections(h.store, target)).items).toHaveLength(4);
  });

  it('a sweep failing on a middle page marks nothing deleted, stores nothing and emits nothing', async () => {
    const data = healthy(250);
    h.dli.setConnections(PROJECT, data);
    await h.sync();
    // Next run: one connection fails, one disappears, and every page after the first answers 500.
    setPeering(data[0]!, 'FAILED', 'x');
    h.dli.setConnections(PROJECT, data.slice(0, 249));
    h.dli.onListRequest((info) => {
      if (info.offset === 0) h.dli.setFaults({ serverError: { times: 1_000 } });
    });
    const { runs, ok } = await h.sync();
    expect(ok).toBe(false);
    expect(runs[0]).toMatchObject({ outcome: 'incomplete', created: 0, changed: 0, deleted: 0, events: 0 });
    expect(runs[0]!.error).toMatch(/500/);
    expect(await events()).toEqual([]);
    const stored = (await listConnections(h.store, target)).items;
    expect(stored.filter((c) => c.status === 'DELETED')).toEqual([]);
    expect(stored.find((c) => c.id === data[0]!.id)?.peerings.every((p) => p.status === 'ACTIVE')).toBe(true);
    // The run is recorded as incomplete.
    expect((await listRuns(h.store, target)).items[0]).toMatchObject({ outcome: 'incomplete' });
  });

  it('quarantines a bad record, reports it in the run record, and still syncs the rest', async () => {
    const data: unknown[] = [...healthy(3), { ...healthy(1, 9)[0], available_queue_info: 'not-a-list' }];
    h.dli.setConnections(PROJECT, data);
    const { runs } = await h.sync();
    expect(runs[0]).toMatchObject({ outcome: 'complete', seen: 3, created: 3 });
    expect(runs[0]!.quarantined).toEqual([
      {
        index: expect.any(Number),
        id: (data[3] as Raw).id,
        reason: expect.stringContaining('available_queue_info'),
      },
    ]);
  });

  it('a bad record without an id blocks deletions (it could be any connection) but not updates', async () => {
    const data = healthy(3);
    h.dli.setConnections(PROJECT, data);
    await h.sync();
    setPeering(data[0]!, 'FAILED', 'x');
    h.dli.setConnections(PROJECT, [data[0], data[1], { name: 'no id here', create_time: 1 }]);
    const { runs } = await h.sync();
    expect(runs[0]).toMatchObject({ outcome: 'complete', deletionsApplied: false, deleted: 0, changed: 1 });
    expect((await events()).map((e) => e.type)).toEqual(['PEERING_FAILED']);
  });

  it('a quarantined record with an id is neither updated nor deleted', async () => {
    const data = healthy(2);
    h.dli.setConnections(PROJECT, data);
    await h.sync();
    h.dli.setConnections(PROJECT, [data[0], { ...data[1], hosts: 'garbage' }]);
    const { runs } = await h.sync();
    expect(runs[0]).toMatchObject({ deletionsApplied: true, deleted: 0 });
    expect((await listConnections(h.store, target)).items.every((c) => c.status === 'ACTIVE')).toBe(true);
  });

  it('two syncs of one target started together: one skips on the lease, the state is right', async () => {
    const data = healthy(150);
    setPeering(data[7]!, 'FAILED', 'x');
    h.dli.setConnections(PROJECT, data);
    const [a, b] = await Promise.all([h.sync(), h.sync()]);
    const outcomes = [a.runs[0]!.outcome, b.runs[0]!.outcome].sort();
    expect(outcomes).toEqual(['complete', 'skipped']);
    expect((await listConnections(h.store, target)).items).toHaveLength(150);
    expect(await events()).toHaveLength(1);
  });

  it('one failing target never stops the others, and its run record says why', async () => {
    h.dli.setConnections(PROJECT, healthy(10));
    const closed = await freePort();
    const config = {
      ...h.config,
      targets: [
        { region: 'cn-east-3', projectId: 'unreachable', endpoint: `http://127.0.0.1:${closed}` },
        ...h.config.targets,
      ],
    };
    const { runs, ok } = await syncAll(config, { store: h.store });
    expect(ok).toBe(false);
    expect(runs.map((r) => [r.projectId, r.outcome])).toEqual([
      ['unreachable', 'incomplete'],
      [PROJECT, 'complete'],
    ]);
    expect(runs[0]!.error).toMatch(/cn-east-3\/unreachable/);
    expect((await listConnections(h.store, target)).items).toHaveLength(10);
  });
});
