/** Human-readable tables for the CLI and the demo. JSON output bypasses this entirely. */

import type { HeldDeletion } from '../lib/model/change.ts';
import { keyedPeerings, peeringLabel } from '../lib/model/peering-key.ts';
import type { ChangeEvent, Connection, HistoryVersion, Peering, RunRecord } from '../lib/model/schemas.ts';
import { CREATING } from '../lib/model/status.ts';
import { targetLabel, targetSpec } from '../lib/model/target.ts';
import { terminalText } from './terminal.ts';

export function table(headers: string[], rows: (string | number | null)[][]): string {
  const cells = rows.map((r) => r.map((c) => terminalText(c === null ? '-' : String(c))));
  const widths = headers.map((h, i) =>
    Math.min(48, Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length))),
  );
  const fmt = (r: string[]): string =>
    r
      .map((c, i) => {
        const w = widths[i] ?? 0;
        return (c.length > w ? `${c.slice(0, w - 1)}…` : c).padEnd(w);
      })
      .join('  ')
      .trimEnd();
  return [fmt(headers), fmt(widths.map((w) => '-'.repeat(w))), ...cells.map(fmt)].join('\n');
}

/** A duration in the largest two units that matter: `45s`, `12m`, `3h 5m`, `2d 4h`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** The status, with how long a CREATING peering has been so (the DLI FAQ's 5–10 minutes matter). */
export const peeringStatus = (p: Pick<Peering, 'status' | 'creatingSince'>, now: Date): string =>
  p.status === CREATING && p.creatingSince
    ? `CREATING for ${duration(now.getTime() - Date.parse(p.creatingSince))}`
    : p.status;

/** `label:status` of each peering; a nameless entry shows as `(peer <peerId>)`. */
const peeringList = (ps: readonly Peering[], sep: string, now?: Date): string =>
  keyedPeerings(ps)
    .map(([key, p]) => `${peeringLabel(p, key)}:${now ? peeringStatus(p, now) : p.status}`)
    .join(sep);

export function connectionsTable(list: Connection[], now: Date = new Date()): string {
  return table(
    ['REGION', 'PROJECT', 'ID', 'NAME', 'STATUS', 'PEERINGS', 'LAST SEEN'],
    list.map((c) => [
      c.region,
      c.projectId,
      c.id,
      c.name,
      c.status,
      peeringList(c.peerings, ' ', now) || '-',
      c.lastSeenAt,
    ]),
  );
}

/** What changed from one version to the next, in a few words (first version: "first seen"). */
export function describeChange(prev: HistoryVersion | undefined, next: HistoryVersion): string {
  if (!prev) return 'first seen';
  const parts: string[] = [];
  if (prev.status !== next.status) parts.push(`status ${prev.status}→${next.status}`);
  // Matched by peering key, per kind (a queue and a pool may share a name).
  const statuses = (v: HistoryVersion) =>
    new Map(
      (['peerings', 'elasticResourcePools'] as const).flatMap((kind) =>
        keyedPeerings(v[kind]).map(([key, p]) => [`${kind}\u0000${key}`, [peeringLabel(p, key), p.status]]),
      ),
    );
  const before = statuses(prev);
  const after = statuses(next);
  for (const [key, [label, status]] of after) {
    const was = before.get(key)?.[1];
    if (was === undefined) parts.push(`+${label} ${status}`);
    else if (was !== status) parts.push(`${label} ${was}→${status}`);
  }
  for (const [key, [label]] of before) if (!after.has(key)) parts.push(`-${label}`);
  if (prev.name !== next.name) parts.push(`renamed ${prev.name ?? '-'}→${next.name ?? '-'}`);
  return parts.join(', ') || 'details changed';
}

export function historyTable(list: HistoryVersion[]): string {
  return table(
    ['VERSION', 'OBSERVED AT', 'STATUS', 'CHANGE'],
    list.map((h, i) => [h.version, h.observedAt, h.status, describeChange(list[i - 1], h)]),
  );
}

/**
 * Why an alert was or was not sent, and whether someone is on it: silenced, acknowledged,
 * inhibited. Several can hold (a silenced failure may be acknowledged), so all are shown.
 */
const minute = (iso: string | null | undefined): string =>
  iso && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(iso) ? `${iso.slice(0, 16)}Z` : (iso ?? '?');

function alertState(e: ChangeEvent): string | null {
  const parts = [
    e.silencedBy ? `silenced (${e.silencedBy})` : null,
    // To the minute: the table cuts cells at 48 characters; --json has the full time.
    e.acknowledgedBy ? `acked by ${e.acknowledgedBy} ${minute(e.acknowledgedAt)}` : null,
    e.inhibitedBy ? `inhibited by ${e.inhibitedBy}` : null,
  ].filter((p) => p !== null);
  return parts.length > 0 ? parts.join('; ') : null;
}

export function eventsTable(list: ChangeEvent[]): string {
  return table(
    ['DETECTED AT', 'TYPE', 'CONNECTION', 'QUEUE', 'FROM', 'TO', 'ERROR', 'ALERT STATE'],
    list.map((e) => [
      e.detectedAt,
      e.type,
      e.connectionName ?? e.connectionId,
      e.type === 'CONNECTION_DELETED' ? null : peeringLabel(e, e.peeringKey),
      e.previousStatus,
      e.status,
      e.error,
      alertState(e),
    ]),
  );
}

export function runsTable(list: RunRecord[]): string {
  return table(
    [
      'STARTED AT',
      'TARGET',
      'OUTCOME',
      'SEEN',
      'NEW',
      'CHANGED',
      'DELETED',
      'EVENTS',
      'WCU',
      'REQUEST ID',
      'ERROR',
    ],
    list.map((r) => [
      r.startedAt,
      targetLabel(r),
      r.state ? `${r.outcome} (${r.state})` : r.outcome,
      r.seen,
      r.created,
      r.changed,
      r.deleted,
      r.events,
      Math.round(r.writeUnits * 10) / 10,
      r.requestId,
      r.error,
    ]),
  );
}

export function runLine(r: RunRecord): string {
  const ms = Date.parse(r.finishedAt) - Date.parse(r.startedAt);
  const base = `${targetLabel(r)}: ${r.outcome}${r.state ? ` (${r.state})` : ''} in ${ms} ms, ${r.pages} page(s), ${r.seen} seen, ${r.created} new, ${r.changed} changed, ${r.deleted} deleted, ${r.unchanged} unchanged, ${r.events} event(s), ${Math.round(r.writeUnits * 10) / 10} WCU`;
  const quarantine = r.quarantined.length ? `, ${r.quarantined.length} record(s) quarantined` : '';
  // A DLI error's message already names its request id; the record keeps it apart for scripts.
  const id = r.requestId && !r.error?.includes(r.requestId) ? ` (request id ${r.requestId})` : '';
  const line = terminalText(`${base}${quarantine}${r.error ? ` — ${r.error}` : ''}${id}`);
  return r.heldDeletions > 0 ? `${line}\n${heldLine(r)}` : line;
}

/** The one line that says a run's deletions are held by the fuse, and what to do about it. */
export const heldLine = (r: Pick<RunRecord, 'region' | 'projectId' | 'heldDeletions'>): string =>
  `${targetLabel(r)}: ${r.heldDeletions} deletion(s) held by the mass-deletion fuse, not applied; see "dli-sync deletions", apply with "dli-sync deletions confirm ${targetSpec(r)}"`;

export function deletionsTable(list: readonly HeldDeletion[]): string {
  return table(
    ['TARGET', 'CONNECTION', 'NAME', 'HELD AT', 'RUN'],
    list.map((d) => [targetLabel(d), d.connectionId, d.connectionName, d.heldAt, d.runId]),
  );
}

/**
 * RFC 4180 CSV. A cell that a spreadsheet would run as a formula (=, +, -, @ first) is prefixed with
 * a quote: connection names come from the API and must not become formulas on someone's desktop.
 */
export function csv(headers: string[], rows: (string | number | boolean | null)[][]): string {
  const cell = (v: string | number | boolean | null): string => {
    let s = v === null ? '' : String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [headers, ...rows].map((r) => r.map(cell).join(',')).join('\r\n');
}

type Inventoried = Omit<Connection, 'lastChangedAt' | 'deletedAt' | 'version' | 'contentHash'> & {
  observedAt?: string;
};

export function inventoryCsv(list: Inventoried[]): string {
  const peerings = (ps: Connection['peerings']): string => peeringList(ps, ';');
  return csv(
    [
      'region',
      'projectId',
      'id',
      'name',
      'status',
      'destVpcId',
      'destNetworkId',
      'isPrivis',
      'createdAt',
      'peerings',
      'elasticResourcePools',
      'firstSeenAt',
      'lastSeenAt',
      'observedAt',
    ],
    list.map((c) => [
      c.region,
      c.projectId,
      c.id,
      c.name,
      c.status,
      c.destVpcId,
      c.destNetworkId,
      c.isPrivis,
      c.createdAt,
      peerings(c.peerings),
      peerings(c.elasticResourcePools),
      c.firstSeenAt,
      c.lastSeenAt,
      c.observedAt ?? null,
    ]),
  );
}

export function peeringsTable(
  list: {
    region: string;
    projectId: string;
    connectionName: string | null;
    connectionId: string;
    queue: string | null;
    peerId: string | null;
    status: string;
    error: string | null;
    updatedAt: string | null;
    /** Absent in answers of an API older than this CLI. */
    creatingSince?: string | null;
  }[],
  now: Date = new Date(),
): string {
  return table(
    ['TARGET', 'CONNECTION', 'QUEUE', 'STATUS', 'SINCE', 'ERROR'],
    list.map((p) => [
      targetLabel(p),
      p.connectionName ?? p.connectionId,
      peeringLabel(p),
      peeringStatus({ status: p.status, creatingSince: p.creatingSince ?? null }, now),
      p.updatedAt,
      p.error,
    ]),
  );
}
