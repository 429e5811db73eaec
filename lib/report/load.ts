/**
 * The shell of availability and the report: reads the history a window needs through the store's
 * queries (lib/store), then hands plain data to the pure rules (availability.ts).
 *
 * For each connection of each selected target (tombstones included: a connection deleted today was
 * alive last week), two reads: the version in force at the window's start, and every version inside
 * the window, every page. Each version is reduced at once to what availability reads, so hosts and
 * raw JSON are not held for 10,000 connections.
 */
import { mapLimit } from '../concurrency.ts';
import { globMatches } from '../model/glob.ts';
import type { ChangeEvent, HistoryVersion, Target } from '../model/schemas.ts';
import type { Store } from '../store/client.ts';
import { listEvents, listHistory, loadTargetIndex } from '../store/query.ts';
import { snapshotAt } from '../store/snapshot.ts';
import {
  type ConnectionHistory,
  connectionAvailability,
  type PeeringResult,
  type VersionView,
  versionView,
  type Window,
} from './availability.ts';

export interface Selection {
  targets: readonly Pick<Target, 'region' | 'projectId'>[];
  /** Only this connection. */
  connectionId?: string | undefined;
  /** Only peerings whose key (queue name, `peer:<peerId>` for a nameless entry) matches this glob. */
  queue?: string | undefined;
}

const PARALLEL_READS = 16;

async function connectionHistory(
  store: Store,
  target: Pick<Target, 'region' | 'projectId'>,
  id: string,
  w: Window,
): Promise<ConnectionHistory> {
  const [before, inside] = await Promise.all([
    listHistory(store, id, { to: w.from, order: 'desc', limit: 1 }),
    listHistory(store, id, { from: w.from, to: w.to }),
  ]);
  // A version exactly at `from` comes back from both reads: one per version number.
  const versions = new Map<number, VersionView>();
  for (const h of [...before.items, ...inside.items]) versions.set(h.version, versionView(h));
  return { ...target, connectionId: id, versions: [...versions.values()] };
}

/** Every peering of the selection that existed in the window, with its figures and states. */
export async function selectionAvailability(
  store: Store,
  sel: Selection,
  w: Window,
): Promise<PeeringResult[]> {
  const out: PeeringResult[] = [];
  for (const target of sel.targets) {
    const index = await loadTargetIndex(store, target);
    const ids = sel.connectionId ? [sel.connectionId].filter((id) => index.has(id)) : [...index.keys()];
    const results = await mapLimit(ids, PARALLEL_READS, async (id) =>
      connectionAvailability(await connectionHistory(store, target, id, w), w),
    );
    out.push(...results.flat());
  }
  const queue = sel.queue;
  return queue === undefined ? out : out.filter((r) => globMatches(queue, r.row.peeringKey));
}

/** The events of the window (`[from, to)`) about the selection, every page. */
export async function selectionEvents(store: Store, sel: Selection, w: Window): Promise<ChangeEvent[]> {
  const page = await listEvents(store, { from: w.from, to: w.to });
  const wanted = new Set(sel.targets.map((t) => `${t.region}\u0000${t.projectId}`));
  return page.items.filter(
    (e) =>
      e.detectedAt < w.to &&
      wanted.has(`${e.region}\u0000${e.projectId}`) &&
      (sel.connectionId === undefined || e.connectionId === sel.connectionId),
  );
}

/** The inventory at the window's end: what each selected target held just before `to`. */
export async function selectionInventory(store: Store, sel: Selection, w: Window): Promise<HistoryVersion[]> {
  // snapshotAt is inclusive of its instant; the window is half-open, so the instant before `to`.
  const at = new Date(Date.parse(w.to) - 1).toISOString();
  const out: HistoryVersion[] = [];
  for (const t of sel.targets) out.push(...(await snapshotAt(store, t, at)));
  return sel.connectionId === undefined ? out : out.filter((v) => v.id === sel.connectionId);
}
