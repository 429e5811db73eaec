/**
 * The sweep step: list the target through the DLI API (lib/dli/sweep.ts), each record reduced to
 * id, hash and JSON text as its page arrives, then read what the listing proves.
 */
import type { SyncConfig } from '../config.ts';
import { sweepTarget } from '../dli/sweep.ts';
import type { SweepOptions, SweepResult } from '../dli/types.ts';
import type { Target } from '../model/schemas.ts';
import { targetSpec } from '../model/target.ts';
import { collectSightings, type Sighting, type SweepSightings, sight } from './normalize.ts';

export type SweepFn = (
  target: Target,
  options: SweepOptions<Sighting> & { map: (r: unknown) => Sighting },
) => Promise<SweepResult<Sighting>>;

export function sweepListing(config: SyncConfig, target: Target, sweep: SweepFn = sweepTarget) {
  return sweep(target, {
    // The target's own credential when target resolution set one (another account, an agency).
    credentials: config.targetCredentials?.get(targetSpec(target)) ?? config.credentials,
    pageSize: config.pageSize,
    concurrency: config.pageConcurrency,
    deadline: Date.now() + config.sweepDeadlineMs,
    map: (raw) => sight(target, raw),
  });
}

/** What a complete sweep listed, and what its absences may prove. */
export interface Listing extends SweepSightings {
  /** Ids listed only in bad records: never updated, never deleted. */
  protectedIds: Set<string>;
  /** A bad record without an id could be any stored connection: absence proves nothing then. */
  mayDelete: boolean;
}

export function listingOf(records: readonly Sighting[]): Listing {
  const sightings = collectSightings(records);
  const protectedIds = new Set(
    sightings.quarantined.flatMap((q) => (q.id !== null && !sightings.seen.has(q.id) ? [q.id] : [])),
  );
  return { ...sightings, protectedIds, mayDelete: sightings.quarantined.every((q) => q.id !== null) };
}
