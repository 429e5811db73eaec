/** The lease and its heartbeat against DynamoDB Local. */
import { expect, it } from 'vitest';
import { acquireLease, releaseLease, renewLease, startHeartbeat } from '../../lib/store/lease.ts';
import { createTestStore } from '../support/store.ts';

const t = { region: 'cn-north-4', projectId: 'lease' };

it('renewal succeeds only for the holder, also after its lease ran out unclaimed', async () => {
  const store = await createTestStore();
  expect(await acquireLease(store, t, 'a', 1_000, 30_000)).toBe(true);
  expect(await renewLease(store, t, 'a', 40_000, 30_000)).toBe(true); // ran out at 31 000, nobody took it
  expect(await acquireLease(store, t, 'b', 60_000, 30_000)).toBe(false); // renewed to 70 000
  expect(await acquireLease(store, t, 'b', 71_000, 30_000)).toBe(true);
  expect(await renewLease(store, t, 'a', 72_000, 30_000)).toBe(false);
  await releaseLease(store, t, 'b');
});

it('the heartbeat keeps a live run’s lease, and reports it lost once another run took the target', async () => {
  const store = await createTestStore();
  expect(await acquireLease(store, t, 'a', Date.now(), 600)).toBe(true);
  const beat = startHeartbeat(store, t, 'a', { durationMs: 600, periodMs: 150 });
  await new Promise((r) => setTimeout(r, 1_500));
  // Renewed all along: nobody can take it.
  expect(await acquireLease(store, t, 'b', Date.now(), 600)).toBe(false);
  expect(beat.lost).toBeNull();
  beat.stop();
  await new Promise((r) => setTimeout(r, 700));
  expect(await acquireLease(store, t, 'b', Date.now(), 60_000)).toBe(true);
  const lost = startHeartbeat(store, t, 'a', { durationMs: 600, periodMs: 100 });
  expect(await lost.whenLost).toMatch(/lost the lease of cn-north-4\/lease to another run/);
  lost.stop();
});
