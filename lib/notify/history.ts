/**
 * The history a flap decision needs (lib/notify/flap.ts decides how far back is enough; the store's
 * paged history query reads it).
 */
import type { ChangeEvent, HistoryVersion } from '../model/schemas.ts';
import type { Store } from '../store/client.ts';
import { listHistory } from '../store/query.ts';
import type { FlapPolicy } from './config.ts';
import { historyIsEnough } from './flap.ts';

const MAX_HISTORY_PAGES = 4;

/**
 * The connection's history up to the event's time, newest first, as far back as the flap window
 * and the recovered failure need (at most 100 versions).
 */
export async function loadHistoryFor(
  store: Store,
  e: ChangeEvent,
  policy: FlapPolicy | null,
): Promise<HistoryVersion[]> {
  const out: HistoryVersion[] = [];
  // A target-level event (DELETIONS_HELD) has no connection, hence no history.
  if (e.connectionId === null) return out;
  let cursor: string | null = null;
  for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
    const res: Awaited<ReturnType<typeof listHistory>> = await listHistory(store, e.connectionId, {
      to: e.detectedAt,
      order: 'desc',
      limit: 25,
      cursor,
    });
    out.push(...res.items);
    if (!res.cursor || historyIsEnough(e, out, policy)) break;
    cursor = res.cursor;
  }
  return out;
}
