/**
 * Availability of peerings, computed exactly from history. Pure: plain versions in, figures out.
 *
 * A peering's state holds from the `observedAt` of the version that shows it until the next
 * version's `observedAt` (the newest known state holds to the window's end). Before the first
 * version, while the connection is DELETED, and while a version does not list the peering, it is
 * absent. Instants count to the whole second (sub-second parts are dropped from every instant,
 * the window's bounds included), so every figure is an integer number of seconds and the four
 * shares sum exactly to the window's length.
 *
 * A peering status other than ACTIVE, CREATING or FAILED (UNKNOWN when the API sent none, or a
 * status the service adds later) is counted in `creating`: the peering exists (absent would inflate
 * availability) but is not known to work (active) nor known to have failed (an alarm it did not
 * raise). `otherSeconds` says how much of `creating` was such a status, so nothing is hidden.
 */
import { keyedPeerings } from '../model/peering-key.ts';
import type { HistoryVersion, Peering } from '../model/schemas.ts';
import { ACTIVE, CREATING, DELETED, FAILED } from '../model/status.ts';

export type ResourceKind = 'queue' | 'elasticResourcePool';

/** The contract's four shares, in seconds; they sum to the window's length. */
export interface Seconds {
  active: number;
  creating: number;
  failed: number;
  absent: number;
}

/** What availability reads of one peering in one version. */
export interface PeeringView {
  kind: ResourceKind;
  /** The peering key (lib/model/peering-key.ts): queue name, else `peer:<peerId>`, else `#n`. */
  key: string;
  queue: string | null;
  peerId: string | null;
  status: string;
}

/** What availability reads of one history version. */
export interface VersionView {
  observedAt: string;
  version: number;
  name: string | null;
  status: string;
  peerings: PeeringView[];
}

/** One connection's versions: the one in force at the window's start and all inside it (any order). */
export interface ConnectionHistory {
  region: string;
  projectId: string;
  connectionId: string;
  versions: readonly VersionView[];
}

/** Half-open `[from, to)`, ISO instants. */
export interface Window {
  from: string;
  to: string;
}

/** The figures of a peering, or of a roll-up (whose seconds are peering-seconds, summed). */
export interface Figures {
  seconds: Seconds;
  /** active ÷ (active + creating + failed), 0 to 1; null when the peering never existed in the window. */
  availability: number | null;
  /** Transitions into FAILED inside the window (a peering first seen FAILED counts). */
  failures: number;
  /** Of those failures, how many came back to ACTIVE inside the window. */
  recoveries: number;
  /** Mean FAILED→ACTIVE time of those recoveries; null if none. */
  mttrSeconds: number | null;
  /** Longest FAILED stretch overlapping the window, clipped to it; 0 if none. */
  longestOutageSeconds: number;
  /** Seconds counted in `creating` that were a status other than CREATING (see above). */
  otherSeconds: number;
}

export interface AvailabilityRow extends Figures {
  region: string;
  projectId: string;
  connectionId: string;
  connectionName: string | null;
  queue: string | null;
  peerId: string | null;
  peeringKey: string;
  resourceKind: ResourceKind;
}

/** A stretch of one state inside the window; `status` null is absent. Epoch seconds, `[start, end)`. */
export interface Segment {
  start: number;
  end: number;
  status: string | null;
}

export interface PeeringResult {
  row: AvailabilityRow;
  /** The peering's states over the window, in order, covering it exactly. */
  segments: Segment[];
}

/** An instant in whole epoch seconds (sub-second parts dropped). */
export const epochSeconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

const view = (kind: ResourceKind, list: readonly Peering[]): PeeringView[] =>
  keyedPeerings(list).map(([key, p]) => ({ kind, key, queue: p.queue, peerId: p.peerId, status: p.status }));

/** A history version reduced to what availability reads (hosts and raw JSON dropped at once). */
export const versionView = (h: HistoryVersion): VersionView => ({
  observedAt: h.observedAt,
  version: h.version,
  name: h.name,
  status: h.status,
  peerings: [...view('queue', h.peerings), ...view('elasticResourcePool', h.elasticResourcePools)],
});

const identity = (p: Pick<PeeringView, 'kind' | 'key'>): string => `${p.kind}\u0000${p.key}`;

const byTime = (a: VersionView, b: VersionView): number =>
  epochSeconds(a.observedAt) - epochSeconds(b.observedAt) || a.version - b.version;

/**
 * Every state of one peering over all time, from the versions given: zero-length stretches (two
 * versions in one second) dropped, equal neighbours merged, so each FAILED segment is one outage.
 */
function allSegments(versions: readonly VersionView[], id: string): Segment[] {
  const out: Segment[] = [];
  const push = (start: number, end: number, status: string | null): void => {
    if (end <= start) return;
    const last = out[out.length - 1];
    if (last && last.status === status) last.end = end;
    else out.push({ start, end, status });
  };
  let start = Number.NEGATIVE_INFINITY;
  let status: string | null = null;
  for (const v of versions) {
    const at = epochSeconds(v.observedAt);
    push(start, at, status);
    start = Math.max(start, at);
    status = v.status === DELETED ? null : (v.peerings.find((p) => identity(p) === id)?.status ?? null);
  }
  push(start, Number.POSITIVE_INFINITY, status);
  return out;
}

const clip = (s: Segment, from: number, to: number): Segment => ({
  start: Math.max(s.start, from),
  end: Math.min(s.end, to),
  status: s.status,
});

/** One peering's figures over `[from, to)` (epoch seconds) from its all-time segments. */
function figuresOf(
  all: readonly Segment[],
  from: number,
  to: number,
): { figures: Figures; inWindow: Segment[] } {
  const seconds: Seconds = { active: 0, creating: 0, failed: 0, absent: 0 };
  let otherSeconds = 0;
  let failures = 0;
  let recoveries = 0;
  let recoverySeconds = 0;
  let longest = 0;
  const inWindow: Segment[] = [];
  all.forEach((s, i) => {
    const c = clip(s, from, to);
    const length = c.end - c.start;
    if (length > 0) {
      inWindow.push(c);
      if (c.status === null) seconds.absent += length;
      else if (c.status === ACTIVE) seconds.active += length;
      else if (c.status === FAILED) {
        seconds.failed += length;
        longest = Math.max(longest, length);
      } else {
        seconds.creating += length;
        if (c.status !== CREATING) otherSeconds += length;
      }
    }
    if (s.status !== FAILED || s.start < from || s.start >= to) return;
    failures++;
    // Recovered: the next ACTIVE after this outage, through CREATING or other statuses only
    // (a peering that went away and came back is a new peering, not a recovery).
    for (const next of all.slice(i + 1)) {
      if (next.status === null || next.status === FAILED) break;
      if (next.status !== ACTIVE) continue;
      if (next.start < to) {
        recoveries++;
        recoverySeconds += next.start - s.start;
      }
      break;
    }
  });
  return {
    figures: finish({ seconds, otherSeconds, failures, recoveries, recoverySeconds, longest }),
    inWindow,
  };
}

/** What roll-ups add up: figures before the ratios are taken. */
interface Totals {
  seconds: Seconds;
  otherSeconds: number;
  failures: number;
  recoveries: number;
  recoverySeconds: number;
  longest: number;
}

function finish(t: Totals): Figures {
  const existed = t.seconds.active + t.seconds.creating + t.seconds.failed;
  return {
    seconds: t.seconds,
    availability: existed === 0 ? null : t.seconds.active / existed,
    failures: t.failures,
    recoveries: t.recoveries,
    mttrSeconds: t.recoveries === 0 ? null : t.recoverySeconds / t.recoveries,
    longestOutageSeconds: t.longest,
    otherSeconds: t.otherSeconds,
  };
}

const totalsOf = (f: Figures): Totals => ({
  seconds: f.seconds,
  otherSeconds: f.otherSeconds,
  failures: f.failures,
  recoveries: f.recoveries,
  // mttr × recoveries is the exact integer sum it was made from (a mean of integers).
  recoverySeconds: Math.round((f.mttrSeconds ?? 0) * f.recoveries),
  longest: f.longestOutageSeconds,
});

/** Figures of several peerings together: seconds are peering-seconds, MTTR weighted by recoveries. */
export function rollUp(list: readonly Figures[]): Figures {
  const t: Totals = {
    seconds: { active: 0, creating: 0, failed: 0, absent: 0 },
    otherSeconds: 0,
    failures: 0,
    recoveries: 0,
    recoverySeconds: 0,
    longest: 0,
  };
  for (const f of list.map(totalsOf)) {
    t.seconds.active += f.seconds.active;
    t.seconds.creating += f.seconds.creating;
    t.seconds.failed += f.seconds.failed;
    t.seconds.absent += f.seconds.absent;
    t.otherSeconds += f.otherSeconds;
    t.failures += f.failures;
    t.recoveries += f.recoveries;
    t.recoverySeconds += f.recoverySeconds;
    t.longest = Math.max(t.longest, f.longest);
  }
  return finish(t);
}

/** Every peering of one connection that existed at some time in the window, with its states. */
export function connectionAvailability(c: ConnectionHistory, w: Window): PeeringResult[] {
  const from = epochSeconds(w.from);
  const to = epochSeconds(w.to);
  const versions = [...c.versions].sort(byTime);
  const newest = new Map<string, PeeringView>();
  for (const v of versions) {
    if (epochSeconds(v.observedAt) >= to) continue;
    for (const p of v.peerings) newest.set(identity(p), p);
  }
  const name = [...versions].reverse().find((v) => epochSeconds(v.observedAt) < to)?.name ?? null;
  const results: PeeringResult[] = [];
  for (const [id, p] of newest) {
    const { figures, inWindow } = figuresOf(allSegments(versions, id), from, to);
    if (figures.availability === null) continue;
    results.push({
      row: {
        region: c.region,
        projectId: c.projectId,
        connectionId: c.connectionId,
        connectionName: name,
        queue: p.queue,
        peerId: p.peerId,
        peeringKey: p.key,
        resourceKind: p.kind,
        ...figures,
      },
      segments: inWindow,
    });
  }
  return results.sort((a, b) => cmpRows(a.row, b.row));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const cmpRows = (a: AvailabilityRow, b: AvailabilityRow): number =>
  cmp(a.region, b.region) ||
  cmp(a.projectId, b.projectId) ||
  cmp(a.connectionId, b.connectionId) ||
  cmp(a.resourceKind, b.resourceKind) ||
  cmp(a.peeringKey, b.peeringKey);

/** The rows of many connections, in a stable order (target, connection id, kind, peering key). */
export const availabilityRows = (list: readonly ConnectionHistory[], w: Window): AvailabilityRow[] =>
  list
    .flatMap((c) => connectionAvailability(c, w))
    .map((r) => r.row)
    .sort(cmpRows);

export interface Summary extends Figures {
  connections: number;
  peerings: number;
}

/** The whole selection's figures: the report's summary, also the API's. */
export const summarize = (rows: readonly AvailabilityRow[]): Summary => ({
  connections: new Set(rows.map((r) => `${r.region}\u0000${r.projectId}\u0000${r.connectionId}`)).size,
  peerings: rows.length,
  ...rollUp(rows),
});

export interface ConnectionRollUp extends Figures {
  region: string;
  projectId: string;
  connectionId: string;
  connectionName: string | null;
  peerings: number;
}

export interface TargetRollUp extends Figures {
  region: string;
  projectId: string;
  connections: number;
  peerings: number;
}

function groupBy<T>(
  rows: readonly AvailabilityRow[],
  key: (r: AvailabilityRow) => string,
  make: (g: AvailabilityRow[]) => T,
): T[] {
  const groups = new Map<string, AvailabilityRow[]>();
  for (const r of rows) {
    const k = key(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return [...groups.values()].map(make);
}

export const byConnection = (rows: readonly AvailabilityRow[]): ConnectionRollUp[] =>
  groupBy(
    rows,
    (r) => `${r.region}\u0000${r.projectId}\u0000${r.connectionId}`,
    (g) => {
      const first = g[0] as AvailabilityRow;
      return {
        region: first.region,
        projectId: first.projectId,
        connectionId: first.connectionId,
        connectionName: first.connectionName,
        peerings: g.length,
        ...rollUp(g),
      };
    },
  );

export const byTarget = (rows: readonly AvailabilityRow[]): TargetRollUp[] =>
  groupBy(
    rows,
    (r) => `${r.region}\u0000${r.projectId}`,
    (g) => {
      const { region, projectId } = g[0] as AvailabilityRow;
      return { region, projectId, ...summarize(g) };
    },
  );
