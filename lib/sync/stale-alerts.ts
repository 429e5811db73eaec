/**
 * The shell of stale-target alerts (rule in stale.ts): run by the scheduled tick right where it
 * measures staleness for the metric. Reads the open alerts (one BatchGetItem), and writes only on a
 * transition: a tick that changes nothing writes nothing.
 */
import type { Target } from '../model/schemas.ts';
import { targetSpec } from '../model/target.ts';
import type { Store } from '../store/client.ts';
import { closeStaleAlert, lastRunError, loadStaleMarkers, openStaleAlert } from '../store/stale-alert.ts';
import { decideStale, recoveredEvent, staleEvent } from './stale.ts';

export interface StaleAlertResult {
  opened: string[];
  closed: string[];
}

export async function alertStaleTargets(
  store: Store,
  targets: readonly Target[],
  /** Newest complete sweep per `region:projectId` (loadSweepAges). */
  lastComplete: ReadonlyMap<string, string | null>,
  nowMs: number,
  staleAfterMs: number,
): Promise<StaleAlertResult> {
  const open = new Map((await loadStaleMarkers(store, targets)).map((m) => [targetSpec(m), m]));
  const now = new Date(nowMs).toISOString();
  const out: StaleAlertResult = { opened: [], closed: [] };
  for (const t of targets) {
    const spec = targetSpec(t);
    const at = lastComplete.get(spec) ?? null;
    const marker = open.get(spec) ?? null;
    const d = decideStale({ lastCompleteSweepAt: at, open: marker, nowMs, staleAfterMs });
    if (d.close && marker) {
      const event = recoveredEvent(t, marker.lastCompleteSweepAt, at, now);
      if (await closeStaleAlert(store, marker, event)) out.closed.push(spec);
    }
    if (d.open) {
      const event = staleEvent(t, at, await lastRunError(store, t), now);
      const marker = {
        region: t.region,
        projectId: t.projectId,
        eventId: event.id,
        lastCompleteSweepAt: at,
        openedAt: now,
      };
      if (await openStaleAlert(store, marker, event)) out.opened.push(spec);
    }
  }
  return out;
}
