/**
 * The chunk-renewal step. A big connection's hosts live in chunk items with a TTL (observedAt +
 * retention + grace, lib/store/write.ts); a version that changes rewrites what is short-lived, but a
 * connection that never changes writes no version, so its chunks would expire under its live state
 * item. This step renews them a while before: a missed run or DynamoDB's lazy TTL deletion then
 * still leaves weeks. A run with no chunk near expiry writes nothing here.
 */
import type { Store } from '../store/client.ts';
import type { StoredSummary } from '../store/query.ts';
import { renewChunks } from '../store/write.ts';
import { isLive } from './diff.ts';
import type { RunContext } from './slices.ts';

/** Renew chunks that expire within this many days (well under the 90 days of grace). */
export const RENEW_WITHIN_DAYS = 45;

/**
 * Pure: the live connections this sweep listed unchanged (same hash as stored: nothing else writes
 * them this run) whose chunks expire within RENEW_WITHIN_DAYS of `now`. Changed connections are left
 * to their new version's write, vanished ones to their tombstone's.
 */
export function chunksDue(
  index: ReadonlyMap<string, Pick<StoredSummary, 'status' | 'contentHash' | 'chunksExpireAt'>>,
  listed: ReadonlyMap<string, { hash: string }>,
  now: string,
): string[] {
  const before = Math.floor(Date.parse(now) / 1000) + RENEW_WITHIN_DAYS * 86_400;
  const due: string[] = [];
  for (const [id, s] of index) {
    if (s.chunksExpireAt === null || s.chunksExpireAt >= before || !isLive(s)) continue;
    if (listed.get(id)?.hash === s.contentHash) due.push(id);
  }
  return due;
}

/** One connection at a time: rare (once a year or so per big connection), and each is megabytes. */
export async function renewExpiringChunks(
  store: Store,
  ctx: RunContext,
  index: ReadonlyMap<string, StoredSummary>,
  listed: ReadonlyMap<string, { hash: string }>,
): Promise<void> {
  for (const id of chunksDue(index, listed, ctx.now))
    await renewChunks(store, ctx.target, id, ctx.now, ctx.fence);
}
