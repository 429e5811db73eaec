/** Human-readable tables for the CLI and the demo. JSON output bypasses this entirely. */
import type { ChangeEvent, Connection, HistoryVersion, RunRecord } from '../lib/model.ts';
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

const peeringSummary = (c: Pick<Connection, 'peerings'>): string =>
  c.peerings.map((p) => `${p.queue}:${p.status}`).join(' ') || '-';

export function connectionsTable(list: Connection[]): string {
  return table(
    ['REGION', 'PROJECT', 'ID', 'NAME', 'STATUS', 'PEERINGS', 'LAST SEEN'],
    list.map((c) => [c.region, c.projectId, c.id, c.name, c.status, peeringSummary(c), c.lastSeenAt]),
  );
}

/** What changed from one version to the next, in a few words (first version: "first seen"). */
export function describeChange(prev: HistoryVersion | undefined, next: HistoryVersion): string {
  if (!prev) return 'first seen';
  const parts: string[] = [];
  if (prev.status !== next.status) parts.push(`status ${prev.status}→${next.status}`);
  const before = new Map([...prev.peerings, ...prev.elasticResourcePools].map((p) => [p.queue, p.status]));
  const after = new Map([...next.peerings, ...next.elasticResourcePools].map((p) => [p.queue, p.status]));
  for (const [queue, status] of after) {
    const was = before.get(queue);
    if (was === undefined) parts.push(`+${queue} ${status}`);
    else if (was !== status) parts.push(`${queue} ${was}→${status}`);
  }
  for (const queue of before.keys()) if (!after.has(queue)) parts.push(`-${queue}`);
  if (prev.name !== next.name) parts.push(`renamed ${prev.name ?? '-'}→${next.name ?? '-'}`);
  return parts.join(', ') || 'details changed';
}

export function historyTable(list: HistoryVersion[]): string {
  return table(
    ['VERSION', 'OBSERVED AT', 'STATUS', 'CHANGE'],
    list.map((h, i) => [h.version, h.observedAt, h.status, describeChange(list[i - 1], h)]),
  );
}

export function eventsTable(list: ChangeEvent[]): string {
  return table(
    ['DETECTED AT', 'TYPE', 'CONNECTION', 'QUEUE', 'FROM', 'TO', 'ERROR'],
    list.map((e) => [
      e.detectedAt,
      e.type,
      e.connectionName ?? e.connectionId,
      e.queue,
      e.previousStatus,
      e.status,
      e.error,
    ]),
  );
}

export function runsTable(list: RunRecord[]): string {
  return table(
    ['STARTED AT', 'TARGET', 'OUTCOME', 'SEEN', 'NEW', 'CHANGED', 'DELETED', 'EVENTS', 'WCU', 'ERROR'],
    list.map((r) => [
      r.startedAt,
      `${r.region}/${r.projectId}`,
      r.outcome,
      r.seen,
      r.created,
      r.changed,
      r.deleted,
      r.events,
      Math.round(r.writeUnits * 10) / 10,
      r.error,
    ]),
  );
}

export function runLine(r: RunRecord): string {
  const ms = Date.parse(r.finishedAt) - Date.parse(r.startedAt);
  const base = `${r.region}/${r.projectId}: ${r.outcome} in ${ms} ms, ${r.pages} page(s), ${r.seen} seen, ${r.created} new, ${r.changed} changed, ${r.deleted} deleted, ${r.unchanged} unchanged, ${r.events} event(s), ${Math.round(r.writeUnits * 10) / 10} WCU`;
  const quarantine = r.quarantined.length ? `, ${r.quarantined.length} record(s) quarantined` : '';
  return terminalText(`${base}${quarantine}${r.error ? ` — ${r.error}` : ''}`);
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
  const peerings = (ps: Connection['peerings']): string => ps.map((p) => `${p.queue}:${p.status}`).join(';');
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
    queue: string;
    status: string;
    error: string | null;
    updatedAt: string | null;
  }[],
): string {
  return table(
    ['TARGET', 'CONNECTION', 'QUEUE', 'STATUS', 'SINCE', 'ERROR'],
    list.map((p) => [
      `${p.region}/${p.projectId}`,
      p.connectionName ?? p.connectionId,
      p.queue,
      p.status,
      p.updatedAt,
      p.error,
    ]),
  );
}
