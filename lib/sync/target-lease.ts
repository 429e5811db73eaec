/**
 * The lease step of a run: a short lease on the target, renewed while the run lives, so a run that
 * dies frees its target within one lease duration (lib/store/lease.ts). Leases run on the real clock:
 * other processes compare against it.
 */
import { DliApiError, describeError } from '../errors.ts';
import type { RunRecord, Target } from '../model/schemas.ts';
import type { Store } from '../store/client.ts';
import { acquireLease, type Heartbeat, releaseLease, startHeartbeat } from '../store/lease.ts';
import type { OpenRun } from './run-record.ts';

const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_HEARTBEAT_MS = 10_000;

export interface LeaseTiming {
  durationMs: number;
  periodMs: number;
}

export const leaseTiming = (config: {
  leaseDurationMs?: number;
  leaseHeartbeatMs?: number;
}): LeaseTiming => ({
  durationMs: config.leaseDurationMs ?? DEFAULT_LEASE_MS,
  periodMs: config.leaseHeartbeatMs ?? DEFAULT_HEARTBEAT_MS,
});

/** What the steps under the lease use to stop as soon as it is lost. */
export interface LeaseGuard {
  /** Throws when the heartbeat found the lease gone: call between steps. */
  check(): void;
  /** `work`, or a throw as soon as the lease is lost (for a long step such as the sweep). */
  race<T>(work: Promise<T>): Promise<T>;
}

class LeaseLost extends Error {
  override name = 'LeaseLost';
}

/**
 * Runs `work` under the target's lease and closes the run record in every case: `skipped` when
 * another run holds the lease, `failed` (with the reason) when `work` throws. Releases the lease.
 */
export async function underTargetLease(
  store: Store,
  target: Target,
  run: OpenRun,
  timing: LeaseTiming,
  work: (lease: LeaseGuard) => Promise<RunRecord>,
): Promise<RunRecord> {
  const leased = await acquireLease(store, target, run.runId, Date.now(), timing.durationMs);
  if (!leased) return run.close({ outcome: 'skipped', error: 'another run holds this target’s lease' });
  const heartbeat = startHeartbeat(store, target, run.runId, timing);
  try {
    return await work(guardOf(heartbeat));
  } catch (err) {
    const requestId = err instanceof DliApiError ? err.details.requestId : null;
    // A lost lease is the cause whatever error it surfaced as (a fenced write refused, an abort).
    return await run.close({
      outcome: 'failed',
      error: heartbeat.lost ?? describeError(err),
      requestId: heartbeat.lost ? null : requestId,
    });
  } finally {
    heartbeat.stop();
    await releaseLease(store, target, run.runId).catch(() => undefined);
  }
}

const guardOf = (heartbeat: Heartbeat): LeaseGuard => ({
  check: () => {
    if (heartbeat.lost) throw new LeaseLost(heartbeat.lost);
  },
  /**
   * Another run owns the target once the lease is lost, so this one stops at once (its writes would
   * be refused by the fence anyway). The work's own requests then end by their deadline; their
   * result is dropped.
   */
  race: <T>(work: Promise<T>): Promise<T> => {
    work.catch(() => undefined);
    return Promise.race([
      work,
      heartbeat.whenLost.then((reason) => {
        throw new LeaseLost(reason);
      }),
    ]);
  },
});
