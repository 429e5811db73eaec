/**
 * One sync: for each target, fetch → normalize → diff → persist, and a run record either way.
 * This is the function the Lambda handler and the CLI both call.
 */
import { randomUUID } from 'node:crypto';
import { mapLimit } from '../concurrency.ts';
import type { SyncConfig } from '../config.ts';
import { sweepTarget } from '../dli/sweep.ts';
import type { SweepOptions, SweepResult } from '../dli/types.ts';
import { DliApiError, describeError } from '../errors.ts';
import type { Change } from '../model/change.ts';
import { DEFAULT_FUSE } from '../model/fuse-policy.ts';
import type { QuarantinedRecord, RunRecord, Target } from '../model/schemas.ts';
import { DELETED } from '../model/status.ts';
import type { Store } from '../store/client.ts';
import { acquireLease, type Heartbeat, releaseLease, startHeartbeat } from '../store/lease.ts';
import { loadConnections, loadTargetIndex } from '../store/query.ts';
import { putRun } from '../store/write.ts';
import { sweepDeletions } from './deletions.ts';
import { diffTarget, type Observation, selectCandidates } from './diff.ts';
import { collectSightings, observe, type Sighting, sight } from './normalize.ts';
import { persistChanges } from './persist.ts';

/** Changed connections normalized, diffed and written at a time (bounds a first sync's memory). */
const SLICE = 1_000;

export type Progress = { kind: 'target-start'; target: Target } | { kind: 'target-done'; run: RunRecord };

export interface SyncDeps {
  store: Store;
  /** The observation clock (timestamps of versions, events, runs); tests pin it. */
  now?: () => Date;
  onProgress?: (p: Progress) => void;
  /** Changed connections written per slice (default SLICE); tests shrink it to cross slice boundaries. */
  sliceSize?: number;
  /** The fetch step; replaceable only to inject faults the emulator cannot produce. */
  sweep?: (
    target: Target,
    options: SweepOptions<Sighting> & { map: (r: unknown) => Sighting },
  ) => Promise<SweepResult<Sighting>>;
}

export interface SyncSummary {
  runs: RunRecord[];
  /** True when every target's sweep completed and its changes were stored. */
  ok: boolean;
}

export async function syncAll(config: SyncConfig, deps: SyncDeps): Promise<SyncSummary> {
  const runs = await mapLimit(config.targets, config.targetConcurrency, (t) => syncTarget(config, t, deps));
  return { runs, ok: runs.every((r) => r.outcome === 'complete') };
}

export async function syncTarget(config: SyncConfig, target: Target, deps: SyncDeps): Promise<RunRecord> {
  const now = deps.now ?? (() => new Date());
  const { store } = deps;
  const runId = randomUUID();
  const started = now();
  const startedAt = started.toISOString();
  const meterStart = { ...store.meter };
  deps.onProgress?.({ kind: 'target-start', target });

  const base: RunRecord = {
    runId,
    region: target.region,
    projectId: target.projectId,
    startedAt,
    finishedAt: startedAt,
    outcome: 'failed',
    error: null,
    requestId: null,
    pages: 0,
    apiRequests: 0,
    seen: 0,
    created: 0,
    changed: 0,
    unchanged: 0,
    deleted: 0,
    events: 0,
    deletionsApplied: false,
    quarantined: [],
    heldDeletions: 0,
    writeUnits: 0,
    readUnits: 0,
  };
  const finish = async (run: RunRecord): Promise<RunRecord> => {
    const done: RunRecord = {
      ...run,
      // An error may quote the API (cut at a length, maybe through a surrogate pair): stored as UTF-8.
      error: run.error === null ? null : run.error.toWellFormed(),
      finishedAt: now().toISOString(),
      writeUnits: store.meter.writeUnits - meterStart.writeUnits,
      readUnits: store.meter.readUnits - meterStart.readUnits,
    };
    await putRun(store, done);
    deps.onProgress?.({ kind: 'target-done', run: done });
    return done;
  };

  // A short lease, renewed while this run lives: a run that dies frees its target within one lease
  // duration (lib/store/lease.ts). Leases run on the real clock: other processes compare against it.
  const lease = {
    durationMs: config.leaseDurationMs ?? DEFAULT_LEASE_MS,
    periodMs: config.leaseHeartbeatMs ?? DEFAULT_HEARTBEAT_MS,
  };
  const leased = await acquireLease(store, target, runId, Date.now(), lease.durationMs);
  if (!leased) return finish({ ...base, outcome: 'skipped', error: 'another run holds this target’s lease' });
  const heartbeat = startHeartbeat(store, target, runId, lease);

  try {
    // Fetch and read the stored state at once: they are independent, and the sweep is API-bound.
    const storedIndex = loadTargetIndex(store, target);
    storedIndex.catch(() => undefined); // awaited below; an incomplete sweep may never look at it
    const sweeping = (deps.sweep ?? sweepTarget)(target, {
      credentials: config.credentials,
      pageSize: config.pageSize,
      concurrency: config.pageConcurrency,
      deadline: Date.now() + config.sweepDeadlineMs,
      // Each record is reduced to id, hash and JSON text as its page arrives (see Sighting).
      map: (raw) => sight(target, raw),
    });
    const sweep = await untilLost(heartbeat, sweeping);
    const counted = { ...base, pages: sweep.pages, apiRequests: sweep.requests };
    if (!sweep.complete) {
      // All or nothing: a partial view must not tombstone what it missed, and events from it could
      // not be told apart from those of the next complete sweep. Only the run record is written.
      return await finish({
        ...counted,
        outcome: 'incomplete',
        error: describeError(sweep.error),
        requestId: sweep.error?.details.requestId ?? null,
        seen: sweep.records.length,
      });
    }

    const sightings = collectSightings(sweep.records);
    const protectedIds = new Set(
      sightings.quarantined.flatMap((q) => (q.id !== null && !sightings.seen.has(q.id) ? [q.id] : [])),
    );
    // A bad record without an id could be any stored connection: absence proves nothing then.
    const mayDelete = sightings.quarantined.every((q) => q.id !== null);
    // Only connections whose hash differs, or that vanished, are read in full, normalized again and diffed.
    const candidates = selectCandidates(await storedIndex, sightings.seen.values(), protectedIds, mayDelete);
    const ctx = {
      target,
      protectedIds,
      now: startedAt,
      runId,
      // Writes only while this run still holds the lease taken above (its holder id is the runId).
      fence: { target, holder: runId },
    };
    // Counted as slices are written; the changes themselves are let go (memory).
    const counts = { created: 0, changed: 0, deleted: 0, events: 0, unchanged: candidates.unchanged };
    // Observed connections only: absence is decided below, through the fuse.
    const apply = async (observed: Observation[], ids: string[]): Promise<void> => {
      const stored = await loadConnections(store, target, ids);
      const diff = diffTarget({ ...ctx, stored, observed, mayDelete: false });
      counts.unchanged += diff.unchanged;
      const applied = await persistChanges(store, diff.changes, { ...ctx, observed, mayDelete: false });
      for (const c of applied) count(c);
    };
    const count = (c: Change): void => {
      if (c.kind === 'created') counts.created++;
      if (c.kind === 'changed') counts.changed++;
      if (becameDeleted(c)) counts.deleted++;
      counts.events += c.events.length;
    };
    // A slice at a time: a first sync of 10,000s then holds one slice of full records, not all.
    const slice = deps.sliceSize ?? SLICE;
    for (let i = 0; i < candidates.changed.length; i += slice) {
      stopIfLost(heartbeat);
      const part = candidates.changed.slice(i, i + slice);
      const storedIds = part.flatMap((s) => (candidates.stored.has(s.id) ? [s.id] : []));
      await apply(
        part.map((s) => observe(target, s)),
        storedIds,
      );
    }
    // Then what vanished, through the mass-deletion fuse (lib/sync/fuse.ts): applied, or held.
    stopIfLost(heartbeat);
    const index = await storedIndex;
    let live = 0;
    for (const c of index.values()) if (c.status !== DELETED) live++;
    const fuse = await sweepDeletions(store, {
      target,
      live,
      vanished: candidates.vanished,
      seen: new Set([...sightings.seen.keys(), ...protectedIds]),
      mayDelete,
      policy: config.fuse ?? DEFAULT_FUSE,
      now: startedAt,
      runId,
      fence: ctx.fence,
    });
    for (const c of fuse.applied) count(c);
    stopIfLost(heartbeat);
    return await finish({
      ...counted,
      outcome: 'complete',
      seen: sightings.seen.size,
      ...counts,
      deletionsApplied: mayDelete && fuse.held === 0,
      quarantined: reportable(sightings.quarantined),
      heldDeletions: fuse.held,
    });
  } catch (err) {
    const requestId = err instanceof DliApiError ? err.details.requestId : null;
    // A lost lease is the cause whatever error it surfaced as (a fenced write refused, an abort).
    return await finish({
      ...base,
      outcome: 'failed',
      error: heartbeat.lost ?? describeError(err),
      requestId: heartbeat.lost ? null : requestId,
    });
  } finally {
    heartbeat.stop();
    await releaseLease(store, target, runId).catch(() => undefined);
  }
}

const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_HEARTBEAT_MS = 10_000;

class LeaseLost extends Error {
  override name = 'LeaseLost';
}

function stopIfLost(heartbeat: Heartbeat): void {
  if (heartbeat.lost) throw new LeaseLost(heartbeat.lost);
}

/**
 * The sweep, or a LeaseLost as soon as the heartbeat finds the lease gone: another run owns the
 * target, so this one stops at once (its writes would be refused by the fence anyway). The sweep's
 * own requests then end by its deadline; their result is dropped.
 */
async function untilLost<T>(heartbeat: Heartbeat, work: Promise<T>): Promise<T> {
  work.catch(() => undefined);
  return Promise.race([
    work,
    heartbeat.whenLost.then((reason) => {
      throw new LeaseLost(reason);
    }),
  ]);
}

/**
 * The run record is one DynamoDB item (400 KB at most): a sweep of thousands of bad records would
 * make it too large to write, and the run would fail after its changes were stored. The first
 * MAX_REPORTED are listed (reasons and ids are already cut to 300 characters), then one entry with
 * index -1 counts the rest. Deletion decisions use the full list, never this one.
 */
export const MAX_REPORTED = 100;
function reportable(quarantined: QuarantinedRecord[]): QuarantinedRecord[] {
  if (quarantined.length <= MAX_REPORTED) return quarantined;
  const rest = quarantined.length - MAX_REPORTED;
  return [
    ...quarantined.slice(0, MAX_REPORTED),
    { index: -1, id: null, reason: `…and ${rest} more bad record(s), not listed` },
  ];
}

const becameDeleted = (c: Change): boolean =>
  c.next.status === 'DELETED' && c.previous !== null && c.previous.status !== 'DELETED';
