/**
 * Stuck peerings and stale targets, end to end against the DLI emulator and DynamoDB Local with an
 * injected clock: a peering the emulator holds CREATING past the threshold alerts once, writes
 * nothing in later runs, and recovers once; a target whose endpoint refuses us for N intervals gets
 * one TARGET_STALE carrying the error, and one TARGET_RECOVERED when a sweep completes. Both show
 * `hint` in `events --json` (CLI) and GET /events (API).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.ts';
import { SIGNATURE_ERROR } from '../../infra/local/dli-emulator.ts';
import { makeConnections } from '../../infra/local/emulator-data.ts';
import { route } from '../../lib/api/routes.ts';
import type { ScheduleConfig } from '../../lib/config.ts';
import { createTelemetry } from '../../lib/log.ts';
import type { ChangeEvent } from '../../lib/model/schemas.ts';
import { listEvents } from '../../lib/store/query.ts';
import { scheduledTick } from '../../lib/sync/scheduled.ts';
import { type Harness, PROJECT, REGION, startHarness } from '../support/harness.ts';

type Raw = Record<string, unknown>;
const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 1, 8);
const clock = (offsetMs: number) => () => new Date(T0 + offsetMs);

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

const events = async (): Promise<ChangeEvent[]> => (await listEvents(h.store)).items;
const ofType = async (type: string) => (await events()).filter((e) => e.type === type);

/** Two connections, every peering ACTIVE except the first connection's first queue, as given. */
function data(firstStatus: string): Raw[] {
  return makeConnections(2, { seed: 11 }).map((c, i) => ({
    ...c,
    available_queue_info: (c.available_queue_info as Raw[]).map((q, j) => ({
      ...q,
      status: i === 0 && j === 0 ? firstStatus : 'ACTIVE',
      err_msg: '',
    })),
  }));
}

describe('a peering held CREATING by the emulator', () => {
  it('emits one PEERING_STUCK past the threshold, writes nothing after, then one recovery', async () => {
    h.dli.setConnections(PROJECT, data('CREATING'));
    const at = async (minutes: number) => (await h.sync({ now: clock(minutes * MIN) })).runs[0];

    expect((await at(0))?.outcome).toBe('complete');

    expect(await at(16)).toMatchObject({ changed: 1, events: 1 });
    const stuck = await ofType('PEERING_STUCK');
    expect(stuck).toEqual([
      expect.objectContaining({
        previousStatus: 'CREATING',
        status: 'CREATING',
        creatingSince: new Date(T0).toISOString(),
        detectedAt: new Date(T0 + 16 * MIN).toISOString(),
      }),
    ]);

    // Still CREATING: the marker keeps later runs from reading or writing the connection for it.
    const later = await at(30);
    expect(later).toMatchObject({ changed: 0, unchanged: 2, events: 0 });
    expect(await ofType('PEERING_STUCK')).toHaveLength(1);

    h.dli.setConnections(PROJECT, data('ACTIVE'));
    expect(await at(40)).toMatchObject({ changed: 1, events: 1 });
    const recovered = await ofType('PEERING_RECOVERED');
    expect(recovered).toEqual([
      expect.objectContaining({
        previousStatus: 'CREATING',
        status: 'ACTIVE',
        connectionId: stuck[0]?.connectionId,
        peeringKey: stuck[0]?.peeringKey,
      }),
    ]);
  });
});

describe('a target whose endpoint refuses dli-sync', () => {
  const schedule: ScheduleConfig = {
    fanoutQueueUrl: null,
    fanoutThreshold: null,
    intervalMs: 15 * MIN,
    staleAfterIntervals: 3,
  };
  const tick = (minutes: number) =>
    scheduledTick(h.config, schedule, {
      store: h.store,
      telemetry: createTelemetry({ POWERTOOLS_SERVICE_NAME: 'stale-test', POWERTOOLS_LOG_LEVEL: 'ERROR' }),
      sqs: () => {
        throw new Error('no queue in this test');
      },
      now: clock(minutes * MIN),
    });

  it('gets one TARGET_STALE with the error after N intervals, and one TARGET_RECOVERED', async () => {
    h.dli.setConnections(PROJECT, data('ACTIVE'));
    expect((await tick(0)).ok).toBe(true);

    h.dli.setFaults({ errorBody: { times: Number.POSITIVE_INFINITY, status: 401, body: SIGNATURE_ERROR } });
    expect((await tick(45)).ok).toBe(false);
    // 45 minutes is exactly 3 intervals: not yet stale.
    expect(await ofType('TARGET_STALE')).toEqual([]);

    await tick(60);
    await tick(75);
    const stale = await ofType('TARGET_STALE');
    expect(stale).toEqual([
      expect.objectContaining({
        region: REGION,
        projectId: PROJECT,
        connectionId: null,
        status: 'STALE',
        lastCompleteSweepAt: new Date(T0).toISOString(),
        error: expect.stringContaining('verify aksk signature fail'),
      }),
    ]);

    h.dli.setFaults({});
    expect((await tick(90)).ok).toBe(true);
    expect(await ofType('TARGET_RECOVERED')).toEqual([
      expect.objectContaining({
        connectionId: null,
        previousStatus: 'STALE',
        status: 'ACTIVE',
        lastCompleteSweepAt: new Date(T0 + 90 * MIN).toISOString(),
      }),
    ]);
    expect(await ofType('TARGET_STALE')).toHaveLength(1);

    // Concurrent ticks of the same spell: the conditional writes keep one event each.
    h.dli.setFaults({ errorBody: { times: Number.POSITIVE_INFINITY, status: 401, body: SIGNATURE_ERROR } });
    await Promise.all([tick(200), tick(200)]);
    expect(await ofType('TARGET_STALE')).toHaveLength(2);

    // events --json (CLI) and GET /events (API) show the same hint, computed from the error.
    const out: string[] = [];
    const errs: string[] = [];
    // In process: the AWS SDK reads its region and endpoint from process.env, as in the real CLI.
    Object.assign(process.env, h.env);
    const code = await main(['events', '--json'], h.env, {
      out: (s) => out.push(s),
      err: (s) => errs.push(s),
    });
    expect(errs).toEqual([]);
    expect(code).toBe(0);
    const cli = (JSON.parse(out.join('')) as (ChangeEvent & { hint: unknown })[]).find(
      (e) => e.type === 'TARGET_STALE',
    );
    expect(cli?.hint).toEqual(expect.objectContaining({ link: expect.stringContaining('dli_02_0056') }));
    const api = await route({ store: h.store, targets: h.config.targets }, 'GET', '/events', {});
    const items = (api.body as { items: (ChangeEvent & { hint: unknown })[] }).items;
    expect(items.find((e) => e.id === cli?.id)?.hint).toEqual(cli?.hint);
    expect(items.find((e) => e.type === 'TARGET_RECOVERED')?.hint).toBeNull();
  });
});
