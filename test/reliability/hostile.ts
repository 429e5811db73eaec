/**
 * The properties a sync must keep whatever the API answers, checked against one hostile sweep:
 * it never throws, stores nothing it cannot read back, accounts for every record (synced or
 * quarantined with a reason in the run record), still syncs the good ones, raises FAILED for each
 * good record's newly failed peering, tombstones only what is really absent, and is idempotent.
 */
import { expect } from 'vitest';
import type { SyncConfig } from '../../lib/config.ts';
import type { SweepResult } from '../../lib/dli/types.ts';
import type { Connection, RunRecord } from '../../lib/model/schemas.ts';
import type { Store } from '../../lib/store/client.ts';
import { listConnections, listEvents, listHistory, listRuns } from '../../lib/store/query.ts';
import { contentOf } from '../../lib/sync/diff.ts';
import { contentHash } from '../../lib/sync/normalize.ts';
import { syncAll } from '../../lib/sync/run.ts';
import { dumpTable, strings } from '../support/secrets-scan.ts';
import type { HostileSweep, Raw } from './arbitraries.ts';

export const upper = (s: unknown): string | null =>
  typeof s === 'string' && s.trim() ? s.trim().toUpperCase().toWellFormed() : null;

/** A sweep step that hands `records` over as a complete listing (no HTTP), mapped as the sweep maps them. */
export const served =
  (records: unknown[]) =>
  async <R>(target: SweepResult['target'], options: { map: (r: unknown) => R }): Promise<SweepResult<R>> => ({
    target,
    complete: true,
    records: records.map(options.map),
    pages: 1,
    requests: 1,
    error: null,
  });

/** Every string of every item is valid UTF-16 (so valid UTF-8 in DynamoDB): what is stored reads back. */
export async function assertStoredIsReadable(store: Store): Promise<Record<string, unknown>[]> {
  const items = await dumpTable(store);
  const bad = strings(items).filter((s) => !s.text.isWellFormed());
  expect(bad.map((b) => b.where).slice(0, 5)).toEqual([]);
  return items;
}

/** State items read back as the content they were hashed from, and their history agrees. */
export async function assertRoundTrip(store: Store, target: { region: string; projectId: string }) {
  const state = (await listConnections(store, target)).items;
  for (const c of state) {
    expect(contentHash(contentOf(c)), `content hash of ${JSON.stringify(c.id)}`).toBe(c.contentHash);
    const newest = (await listHistory(store, c.id, { order: 'desc', limit: 1 })).items[0];
    expect(newest?.version).toBe(c.version);
    expect(newest && contentHash(contentOf(newest))).toBe(c.contentHash);
  }
  return state;
}

export interface HostileOutcome {
  run: RunRecord;
  /** Events the hostile run stored (each checked for uniqueness, FAILED ones against the oracle). */
  events: number;
}

/** Runs the baseline, then the hostile sweep, then the hostile sweep again; checks every property. */
export async function checkHostileSweep(
  store: Store,
  config: SyncConfig,
  sample: HostileSweep,
  opts: { via?: 'deps' | 'emulator'; serve?: (records: unknown[]) => void } = {},
): Promise<HostileOutcome> {
  const target = config.targets[0] as { region: string; projectId: string };
  const sync = async (records: unknown[], hour: number) => {
    const now = new Date(Date.UTC(2026, 6, 1, hour));
    if (opts.via === 'emulator') {
      opts.serve?.(records);
      return syncAll(config, { store, now: () => now });
    }
    return syncAll(config, { store, now: () => now, sweep: served(records) });
  };

  // 1. Baseline: good records only.
  const base = await sync(sample.baseline, 1);
  expect(base.runs[0]?.outcome).toBe('complete');
  expect(base.runs[0]?.quarantined).toEqual([]);
  const before = new Map((await listConnections(store, target)).items.map((c) => [c.id, c]));

  // 2. The hostile sweep: never throws, completes (the API answered), accounts for every record.
  const hostile = await sync(sample.records, 2);
  const run = hostile.runs[0] as RunRecord;
  expect(run.outcome, run.error ?? '').toBe('complete');
  for (const q of run.quarantined) {
    expect(q.reason.length).toBeGreaterThan(0);
    expect(q.reason.length).toBeLessThanOrEqual(300);
    expect(q.reason).not.toMatch(/\n\s+at /);
  }
  const quarantined = new Set(run.quarantined.map((q) => q.index));
  const state = await assertRoundTrip(store, target);
  const byId = new Map<string, Connection>(state.map((c) => [c.id, c]));
  const idOf = (r: unknown): string | null => {
    const id = r !== null && typeof r === 'object' ? (r as Raw).id : undefined;
    return typeof id === 'string' && id.length > 0 ? id.toWellFormed() : null;
  };
  if (opts.via === 'emulator') {
    // The emulator reorders by creation time and the sweep merges repeats: count instead of index.
    const distinct = new Set(sample.records.map((r) => idOf(r) ?? `json:${JSON.stringify(r)}`));
    expect(run.seen + run.quarantined.length).toBe(distinct.size);
  } else {
    sample.records.forEach((r, i) => {
      if (quarantined.has(i)) return;
      // Not quarantined: then it was synced, and its connection is stored and present.
      const id = idOf(r);
      expect(id, `record ${i} neither synced nor quarantined`).not.toBeNull();
      expect(byId.get(id as string)?.status, `record ${i}`).not.toBe(undefined);
    });
  }

  // 3. Good records are synced as they are, whatever their neighbours.
  for (const i of sample.knownGood) {
    const r = sample.records[i] as Raw;
    if (opts.via !== 'emulator') expect(quarantined.has(i), `good record ${i} quarantined`).toBe(false);
    const c = byId.get(String(r.id)) as Connection;
    expect(c, `good record ${i} not stored`).toBeDefined();
    expect(c.name).toBe(typeof r.name === 'string' ? r.name.toWellFormed() : null);
    expect(c.status).toBe(upper(r.status) ?? 'UNKNOWN');
    const queues = (r.available_queue_info as Raw[]).map((p) => String(p.name).toWellFormed()).sort();
    expect(c.peerings.map((p) => p.queue).sort()).toEqual(queues);
  }

  // 4. No missed FAILED: each good record's peering that is FAILED now and was not before.
  const events = (
    await listEvents(store, { from: '2026-07-01T02:00:00.000Z', to: '2026-07-01T02:00:00.000Z' })
  ).items;
  const expectedFailed = sample.knownGood.flatMap((i) => {
    const r = sample.records[i] as Raw;
    const prev = before.get(String(r.id));
    if (upper(r.status) === 'DELETED') return [];
    const prevStatus = new Map(
      prev && prev.status !== 'DELETED' ? prev.peerings.map((p) => [p.queue, p.status]) : [],
    );
    return (r.available_queue_info as Raw[])
      .filter(
        (p) => upper(p.status) === 'FAILED' && prevStatus.get(String(p.name).toWellFormed()) !== 'FAILED',
      )
      .map((p) => `${r.id}|${String(p.name).toWellFormed()}`);
  });
  const gotFailed = events
    .filter((e) => e.type === 'PEERING_FAILED' && e.resourceKind === 'queue')
    .map((e) => `${e.connectionId}|${e.queue}`);
  for (const key of expectedFailed) expect(gotFailed, 'missed PEERING_FAILED').toContain(key);
  expect(new Set(events.map((e) => e.id)).size).toBe(events.length);

  // 5. No false DELETED: a tombstone only for a baseline id absent from the whole sweep, and none at
  //    all when a record without a usable id could have been any connection.
  const present = new Set(sample.records.map(idOf).filter((x): x is string => x !== null));
  const anonymous = sample.records.some((r) => idOf(r) === null);
  for (const c of state) {
    if (c.status !== 'DELETED' || before.get(c.id)?.status === 'DELETED') continue;
    expect(present.has(c.id), `false DELETED for ${JSON.stringify(c.id)}`).toBe(false);
    expect(anonymous, 'tombstone despite an anonymous bad record').toBe(false);
  }
  const deletedEvents = events.filter((e) => e.type === 'CONNECTION_DELETED');
  for (const e of deletedEvents) expect(present.has(e.connectionId ?? '')).toBe(false);

  // 6. Nothing stored that cannot be read back, the run record included.
  await assertStoredIsReadable(store);
  expect((await listRuns(store, target)).items.map((r) => r.runId)).toContain(run.runId);

  // 7. Idempotent: the same answer again writes nothing but the lease and the run record.
  const writesBefore = store.meter.itemWrites;
  const again = (await sync(sample.records, 3)).runs[0] as RunRecord;
  expect(again).toMatchObject({ outcome: 'complete', created: 0, changed: 0, deleted: 0, events: 0 });
  expect(store.meter.itemWrites - writesBefore).toBe(3);

  return { run, events: events.length };
}
