/**
 * One connection whose peerings fail all at once makes more events than one transaction holds (100
 * actions, one of them the lease fence). The overflow is written before the version, fenced and
 * idempotent: every alert is stored once, and a retry after a crash in between loses and repeats none.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listEvents } from '../../lib/store/query.ts';
import { type Harness, PROJECT, startHarness } from '../support/harness.ts';

const PEERINGS = 230;
let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const connection = (status: string) => ({
  id: '7d1c0a52-0000-4000-8000-000000000001',
  name: 'wide_connection',
  status: 'ACTIVE',
  available_queue_info: Array.from({ length: PEERINGS }, (_, i) => ({
    name: `queue_${i}`,
    peer_id: `peer-${i}`,
    status,
    err_msg: status === 'FAILED' ? 'the destination CIDR overlaps the queue CIDR' : '',
  })),
});

const at = (hour: number) => () => new Date(Date.UTC(2026, 0, 1, hour));

describe('a change with more events than one transaction holds', () => {
  it(`stores all ${PEERINGS} PEERING_FAILED events of one connection, once each`, async () => {
    h.dli.setConnections(PROJECT, [connection('ACTIVE')]);
    expect((await h.sync({ now: at(1) })).ok).toBe(true);
    h.dli.setConnections(PROJECT, [connection('FAILED')]);
    const { runs } = await h.sync({ now: at(2) });
    expect(runs[0]).toMatchObject({ outcome: 'complete', changed: 1, events: PEERINGS });
    const events = (await listEvents(h.store)).items;
    expect(events.filter((e) => e.type === 'PEERING_FAILED')).toHaveLength(PEERINGS);
    expect(new Set(events.map((e) => e.queue)).size).toBe(PEERINGS);
  });

  it('a retry after the overflow was written but the version was not keeps every event once', async () => {
    h.dli.setConnections(PROJECT, [connection('ACTIVE')]);
    await h.sync({ now: at(1) });
    h.dli.setConnections(PROJECT, [connection('FAILED')]);
    // The first attempt dies right after its overflow events are written: two transactions of
    // events, then the third (the version) is never sent.
    let transactions = 0;
    const crash = new Error('crash before the version');
    h.store.beforeWrite = (n) => {
      if (n > 2 && ++transactions === 3) throw crash;
    };
    const first = await h.sync({ now: at(2) });
    expect(first.runs[0]?.outcome).toBe('failed');
    expect((await listEvents(h.store)).items.length).toBeGreaterThan(0);
    h.store.beforeWrite = undefined;
    const again = await h.sync({ now: at(3) });
    expect(again.runs[0]).toMatchObject({ outcome: 'complete', changed: 1 });
    const events = (await listEvents(h.store)).items.filter((e) => e.type === 'PEERING_FAILED');
    expect(events).toHaveLength(PEERINGS);
    expect(new Set(events.map((e) => e.id)).size).toBe(PEERINGS);
  });
});
