/**
 * The reminder step of the scheduled function (lib/sync/scheduled.ts): reads the open alerts, the
 * silences and the reminders already made, asks `dueReminders` (lib/sync/reminders.ts), and writes
 * each due reminder into the outbox (lib/store/reminders.ts), where the notifier sends it like any
 * event: idempotent, retried, parked, redeliverable.
 *
 * Open alerts: every FAILED peering (the sparse FAILED_PEERINGS index), its failure event found
 * from the connection's history (the first version of the current FAILED streak names it: event ids
 * are deterministic); and, for silences that just ended, the CONNECTION_DELETED events of their
 * window whose connection is still DELETED.
 */
import { alertKey } from '../model/alert-key.ts';
import { eventId } from '../model/event-id.ts';
import { byPeeringKey, keyedPeerings } from '../model/peering-key.ts';
import type { Connection, HistoryVersion } from '../model/schemas.ts';
import { selectorMatches } from '../model/silence.ts';
import { DELETED, FAILED } from '../model/status.ts';
import type { Store } from '../store/client.ts';
import { getConnection, getEvent, listEvents, listFailedConnections, listHistory } from '../store/query.ts';
import { listRemindersSince, putReminder } from '../store/reminders.ts';
import { listSilences } from '../store/silences.ts';
import { dueReminders, type MadeReminder, type OpenAlert, reminderId } from './reminders.ts';

type Kind = 'queue' | 'elasticResourcePool';

/** Pure: the version that began the peering's current FAILED streak; null when history does not reach it. */
export function failedSince(newestFirst: readonly HistoryVersion[], kind: Kind, key: string): number | null {
  let start: number | null = null;
  for (const h of newestFirst) {
    const list = kind === 'elasticResourcePool' ? h.elasticResourcePools : h.peerings;
    const p = h.status === DELETED ? undefined : byPeeringKey(list).get(key);
    if (p?.status !== FAILED) return start;
    start = h.version;
  }
  return start === 1 ? start : null;
}

async function failureAlerts(store: Store, c: Connection): Promise<OpenAlert[]> {
  const failing = (['queue', 'elasticResourcePool'] as const).flatMap((kind) =>
    keyedPeerings(kind === 'queue' ? c.peerings : c.elasticResourcePools)
      .filter(([, p]) => p.status === FAILED)
      .map(([key]) => ({ kind, key })),
  );
  if (failing.length === 0) return [];
  const history = (await listHistory(store, c.id, { order: 'desc', limit: 100 })).items;
  const out: OpenAlert[] = [];
  for (const { kind, key } of failing) {
    const version = failedSince(history, kind, key);
    const e =
      version === null ? null : await getEvent(store, eventId('PEERING_FAILED', c.id, kind, key, version));
    if (e) out.push({ event: e, alertKey: alertKey(e), periodic: true });
  }
  return out;
}

export interface RemindResult {
  due: number;
  /** Written now; a due reminder that already existed (a retry, a concurrent run) is not counted. */
  created: number;
}

export async function remindStep(
  store: Store,
  opts: { now: number; remindAfterMs: number; silenceLookbackMs?: number },
): Promise<RemindResult> {
  const config = {
    remindAfterMs: opts.remindAfterMs,
    silenceLookbackMs: opts.silenceLookbackMs ?? 86_400_000,
  };
  const since = new Date(opts.now - Math.max(config.remindAfterMs, config.silenceLookbackMs)).toISOString();
  const iso = new Date(opts.now).toISOString();
  const silences = await listSilences(store, {
    endingAfter: new Date(opts.now - config.silenceLookbackMs).toISOString(),
  });
  const made: MadeReminder[] = (await listRemindersSince(store, since)).map((r) => ({
    id: r.id,
    of: r.reminder?.of ?? '',
    at: r.detectedAt,
  }));
  const open: OpenAlert[] = [];
  for (const c of (await listFailedConnections(store)).items) open.push(...(await failureAlerts(store, c)));
  // Deletions: only those a silence that just ended was holding, and only until their reminder exists.
  const madeIds = new Set(made.map((m) => m.id));
  for (const s of silences.filter(
    (x) => x.endsAt <= iso && (x.match.type ?? 'CONNECTION_DELETED') === 'CONNECTION_DELETED',
  )) {
    const window = (await listEvents(store, { from: s.startsAt, to: s.endsAt })).items;
    for (const e of window) {
      if (e.type !== 'CONNECTION_DELETED' || e.connectionId === null || e.detectedAt >= s.endsAt) continue;
      if (!selectorMatches(s.match, e) || madeIds.has(reminderId(['silence-ended', s.id, e.id]))) continue;
      if ((await getConnection(store, e.connectionId))?.status === DELETED)
        open.push({ event: e, alertKey: alertKey(e), periodic: false });
    }
  }
  const due = dueReminders(open, silences, made, opts.now, config);
  let created = 0;
  for (const r of due) if (await putReminder(store, r)) created++;
  return { due: due.length, created };
}
