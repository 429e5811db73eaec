/**
 * Every emulator fault, driven through the real CLI: the sync either completes correctly or reports
 * the target incomplete; never a false DELETED; no events from an incomplete sweep.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorFaults } from '../../infra/local/dli-emulator.ts';
import { makeConnections } from '../../infra/local/emulator-data.ts';
import { loadSyncConfig } from '../../lib/config.ts';
import type { RunRecord } from '../../lib/model/schemas.ts';
import type { Store } from '../../lib/store/client.ts';
import { listConnections, listEvents } from '../../lib/store/query.ts';
import { setupTable } from '../../lib/store/setup.ts';
import { syncAll } from '../../lib/sync/run.ts';
import { runCli } from '../support/cli.ts';
import { type Harness, PROJECT, REGION, startHarness } from '../support/harness.ts';

type Raw = Record<string, unknown>;
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

// 120 connections at 50 per page: three pages, so there is a middle page to fail.
const PAGE_ENV = { DLI_PAGE_SIZE: '50' };
const healthy = (n = 120, seed = 11, startTime?: number): Raw[] =>
  makeConnections(n, { seed, ...(startTime ? { startTime } : {}) }).map((c) => ({
    ...c,
    available_queue_info: (c.available_queue_info as Raw[]).map((q) => ({
      ...q,
      status: 'ACTIVE',
      err_msg: '',
    })),
  }));

async function scenario(faults: EmulatorFaults | ((data: Raw[]) => EmulatorFaults)) {
  const env = { ...h.env, ...PAGE_ENV, TABLE_NAME: `f-${randomUUID().slice(0, 8)}` };
  // Same DynamoDB Local, another table: the store object shares the harness's clients.
  const store: Store = {
    ...h.store,
    tableName: env.TABLE_NAME,
    meter: { readUnits: 0, writeUnits: 0, itemWrites: 0, estimatedWriteUnits: 0 },
  };
  await setupTable(store);
  const data = healthy();
  h.dli.setFaults({});
  h.dli.setConnections(PROJECT, data);
  expect((await syncAll(loadSyncConfig(env), { store })).ok).toBe(true);
  // The faulted run also carries a real change: a failed peering.
  Object.assign((data[5]!.available_queue_info as Raw[])[0]!, { status: 'FAILED', err_msg: 'x' });
  h.dli.setConnections(PROJECT, data);
  h.dli.setFaults(typeof faults === 'function' ? faults(data) : faults);
  const started = Date.now();
  const res = await runCli(['sync', '--json'], env);
  const elapsed = Date.now() - started;
  h.dli.setFaults({});
  const run = (JSON.parse(res.stdout) as RunRecord[])[0]!;
  const stored = (await listConnections(store, { region: REGION, projectId: PROJECT })).items;
  const events = (await listEvents(store)).items;
  const present = new Set(h.dli.getConnections(PROJECT).map((c) => String((c as Raw).id)));
  // Never a false DELETED: every tombstone is really gone from the API.
  const falseDeleted = stored.filter((c) => c.status === 'DELETED' && present.has(c.id));
  expect(falseDeleted).toEqual([]);
  if (run.outcome !== 'complete') {
    expect(res.code).toBe(1);
    expect(events).toEqual([]);
    expect(run.error).toBeTruthy();
  } else {
    expect(res.code).toBe(0);
    expect(events.filter((e) => e.type === 'PEERING_FAILED').map((e) => e.connectionId)).toEqual([
      data[5]!.id,
    ]);
    expect(stored.filter((c) => c.status !== 'DELETED')).toHaveLength(present.size);
  }
  return { run, elapsed, res, events, stored, env, store };
}

describe('faults through the CLI', () => {
  it('429 with Retry-After: retried after the delay the server asked for, then complete', async () => {
    const { run, elapsed } = await scenario({ rateLimit: { times: 2, retryAfter: '1' } });
    expect(run.outcome).toBe('complete');
    expect(elapsed).toBeGreaterThanOrEqual(1000);
  });

  it.each([
    ['500', { serverError: { times: 2 } }],
    ['HTML 502 page', { badGateway: { times: 2 } }],
    ['truncated JSON body', { truncated: { times: 1, mode: 'json' } }],
    ['dropped connection mid-body', { truncated: { times: 1, mode: 'socket' } }],
    ['slow page', { slow: { times: 2, ms: 400 } }],
    ['count as page size', { countMode: 'page' }],
  ] as [string, EmulatorFaults][])(
    'transient or odd answer (%s): complete and correct',
    async (_name, faults) => {
      const { run } = await scenario(faults);
      expect(run.outcome).toBe('complete');
    },
  );

  it.each([
    [
      'is_success false with 200',
      { isSuccessFalse: { times: 1_000, message: 'system busy' } },
      /system busy/,
    ],
    ['persistent 500', { serverError: { times: 1_000 } }, /500/],
    ['offset ignored', { ignoreOffset: true }, /ignores offset/],
    ['count that disagrees with the listing', { countDelta: 7 }, /count|total/i],
  ] as [string, EmulatorFaults, RegExp][])(
    'unusable answer (%s): incomplete, nothing deleted, no events',
    async (_name, faults, message) => {
      const { run } = await scenario(faults);
      expect(run.outcome).toBe('incomplete');
      expect(run.error).toMatch(message);
      expect(run).toMatchObject({ deleted: 0, events: 0, changed: 0 });
    },
  );

  it('a connection created between page requests: the shift is repaired or the sweep is incomplete', async () => {
    const extra = healthy(1, 99, Date.UTC(2023, 0, 1))[0]!;
    const { run, stored } = await scenario({
      mutate: { afterRequests: 1, projectId: PROJECT, create: [extra] },
    });
    if (run.outcome === 'complete') expect(stored.find((c) => c.id === extra.id)).toBeTruthy();
  });

  it('a connection deleted between page requests: never a false DELETED, and the next sync converges', async () => {
    const extra = healthy(1, 98, Date.UTC(2023, 0, 1))[0]!;
    let victim = '';
    const { run, env, store } = await scenario((data) => {
      victim = String(data[70]!.id);
      // A create and a delete that cancel out across a page boundary cannot be seen by offset paging;
      // the sweep is then a consistent view from before the change, which is still no false DELETED.
      return { mutate: { afterRequests: 1, projectId: PROJECT, create: [extra], deleteIds: [victim] } };
    });
    expect(['complete', 'incomplete']).toContain(run.outcome);
    expect((await runCli(['sync'], env)).code).toBe(0);
    const stored = (await listConnections(store, { region: REGION, projectId: PROJECT })).items;
    expect(stored.find((c) => c.id === victim)?.status).toBe('DELETED');
    expect(stored.find((c) => c.id === extra.id)?.status).not.toBe('DELETED');
    expect(
      (await listEvents(store)).items
        .filter((e) => e.type === 'CONNECTION_DELETED')
        .map((e) => e.connectionId),
    ).toEqual([victim]);
  });
});
