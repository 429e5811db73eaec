/**
 * The run record: opened when a target's run starts, closed (written) exactly once with its outcome,
 * its counts and the capacity the run used. Every run writes one, whatever happened.
 */
import { randomUUID } from 'node:crypto';
import type { SweepResult } from '../dli/types.ts';
import { describeError } from '../errors.ts';
import type { Change } from '../model/change.ts';
import type { QuarantinedRecord, RunRecord, Target } from '../model/schemas.ts';
import type { Store } from '../store/client.ts';
import { putRun } from '../store/write.ts';
import { isLive } from './diff.ts';
import type { Listing } from './listing.ts';

export type Progress = { kind: 'target-start'; target: Target } | { kind: 'target-done'; run: RunRecord };

/** What a complete run counts, as its slices and deletions are written (the changes are let go). */
export interface Tally {
  created: number;
  changed: number;
  unchanged: number;
  deleted: number;
  events: number;
}

export const startTally = (unchanged: number): Tally => ({
  created: 0,
  changed: 0,
  unchanged,
  deleted: 0,
  events: 0,
});

export function countChange(tally: Tally, c: Change): void {
  if (c.kind === 'created') tally.created++;
  if (c.kind === 'changed') tally.changed++;
  if (becameDeleted(c)) tally.deleted++;
  tally.events += c.events.length;
}

const becameDeleted = (c: Change): boolean => !isLive(c.next) && c.previous !== null && isLive(c.previous);

export interface OpenRun {
  runId: string;
  /** The sweep's time: the observedAt of every version this run writes. */
  startedAt: string;
  /** Writes the run record (the blank one overlaid with `fields`) and reports it. */
  close(fields: Partial<RunRecord>): Promise<RunRecord>;
}

export function openRun(
  store: Store,
  target: Target,
  now: () => Date,
  onProgress?: (p: Progress) => void,
): OpenRun {
  const runId = randomUUID();
  const startedAt = now().toISOString();
  const meterStart = { ...store.meter };
  onProgress?.({ kind: 'target-start', target });
  const blank: RunRecord = {
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
  const close = async (fields: Partial<RunRecord>): Promise<RunRecord> => {
    const run: RunRecord = { ...blank, ...fields };
    const done: RunRecord = {
      ...run,
      // An error may quote the API (cut at a length, maybe through a surrogate pair): stored as UTF-8.
      error: run.error === null ? null : run.error.toWellFormed(),
      finishedAt: now().toISOString(),
      writeUnits: store.meter.writeUnits - meterStart.writeUnits,
      readUnits: store.meter.readUnits - meterStart.readUnits,
    };
    await putRun(store, done);
    onProgress?.({ kind: 'target-done', run: done });
    return done;
  };
  return { runId, startedAt, close };
}

/** The record of a sweep that did not complete: nothing but this record is written. */
export const incompleteSweep = (sweep: SweepResult<unknown>): Partial<RunRecord> => ({
  outcome: 'incomplete',
  pages: sweep.pages,
  apiRequests: sweep.requests,
  error: describeError(sweep.error),
  requestId: sweep.error?.details.requestId ?? null,
  seen: sweep.records.length,
});

/** The record of a complete sweep: its counts, its bad records, and what the fuse holds. */
export const completeSweep = (
  sweep: SweepResult<unknown>,
  listed: Pick<Listing, 'seen' | 'quarantined' | 'mayDelete'>,
  tally: Tally,
  heldDeletions: number,
): Partial<RunRecord> => ({
  outcome: 'complete',
  pages: sweep.pages,
  apiRequests: sweep.requests,
  seen: listed.seen.size,
  ...tally,
  deletionsApplied: listed.mayDelete && heldDeletions === 0,
  quarantined: reportable(listed.quarantined),
  heldDeletions,
});

/**
 * The run record is one DynamoDB item (400 KB at most): a sweep of thousands of bad records would
 * make it too large to write, and the run would fail after its changes were stored. The first
 * MAX_REPORTED are listed (reasons and ids are already cut to 300 characters), then one entry with
 * index -1 counts the rest. Deletion decisions use the full list, never this one.
 */
const MAX_REPORTED = 100;
function reportable(quarantined: QuarantinedRecord[]): QuarantinedRecord[] {
  if (quarantined.length <= MAX_REPORTED) return quarantined;
  const rest = quarantined.length - MAX_REPORTED;
  return [
    ...quarantined.slice(0, MAX_REPORTED),
    { index: -1, id: null, reason: `…and ${rest} more bad record(s), not listed` },
  ];
}
