/**
 * As-of snapshots: a target's inventory as it was at a past instant, rebuilt from history. For each
 * connection the target has ever had (state items, tombstones included), the newest history version
 * observed at or before the instant is what the connection looked like then.
 */

import { mapLimit } from '../concurrency.ts';
import type { HistoryVersion, Target } from '../model/schemas.ts';
import { DELETED } from '../model/status.ts';
import type { Store } from './client.ts';
import { listHistory, loadTargetIndex } from './query.ts';

const PARALLEL_READS = 16;

export async function snapshotAt(
  store: Store,
  target: Pick<Target, 'region' | 'projectId'>,
  at: string,
  opts: { includeDeleted?: boolean } = {},
): Promise<HistoryVersion[]> {
  // Ids only: the index does not read the connections' chunks, their versions are read below.
  const ids = [...(await loadTargetIndex(store, target)).keys()];
  const versions = await mapLimit(ids, PARALLEL_READS, async (id) => {
    const page = await listHistory(store, id, { to: at, order: 'desc', limit: 1 });
    return page.items[0];
  });
  return pickAsOf(versions, opts.includeDeleted ?? false);
}

/** Pure: the versions that make up the inventory (not yet created → absent; deleted → absent unless asked). */
export function pickAsOf(
  versions: readonly (HistoryVersion | undefined)[],
  includeDeleted: boolean,
): HistoryVersion[] {
  return versions
    .filter((v): v is HistoryVersion => v !== undefined && (includeDeleted || v.status !== DELETED))
    .sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.id.localeCompare(b.id));
}
