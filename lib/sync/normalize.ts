/**
 * API record → normalized connection content. Pure: no I/O, no clock.
 *
 * Rules: statuses upper-cased (the API writes both `Active` and `ACTIVE`); epoch-ms times become
 * ISO-8601 UTC; peerings are records keyed by (connection, queue), sorted by queue so that the API
 * reordering them is not a change; a record the schema rejects is quarantined with its reason, and the
 * rest of the sweep goes on.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { ConnectionRecordSchema, type ResourceRecordSchema } from '../dli/schema.ts';
import type { ConnectionContent, Peering, QuarantinedRecord, Target } from '../model.ts';

type ResourceRecord = z.infer<typeof ResourceRecordSchema>;

/**
 * What the sync keeps of one listed record until the stored index says whether it changed: its id,
 * content hash and raw JSON text, a fraction of the parsed record and its normalized form together.
 * The few records that changed are normalized again from the text (`observe`).
 */
export type Sighting =
  | { ok: true; id: string; hash: string; rawJson: string }
  | { ok: false; id: string | null; reason: string };

export interface SweepSightings {
  /** Good records by id; a later copy of an id replaces an earlier one. */
  seen: Map<string, Extract<Sighting, { ok: true }>>;
  quarantined: QuarantinedRecord[];
}

const MAX_REASON = 300;

/**
 * A string as DynamoDB will store it. UTF-8 cannot hold a lone UTF-16 surrogate (invalid UTF-8 in
 * the API's JSON arrives as one), so it would be stored as something else and the item would no
 * longer match the content it was hashed from: a new version every run for an unchanged record,
 * or, in an id, a connection that seems to vanish. U+FFFD in its place, before sorting, hashing and
 * storing, makes what is stored exactly what reads back. Control characters are kept as they are.
 */
export const wellFormed = (s: string): string => s.toWellFormed();
const opt = (s: string | null | undefined): string | null =>
  s === null || s === undefined ? null : wellFormed(s);

export const normalizeStatus = (status: string | null | undefined): string =>
  status?.trim() ? wellFormed(status.trim().toUpperCase()) : 'UNKNOWN';

export const isoFromEpochMs = (ms: number | null | undefined): string | null =>
  ms === null || ms === undefined ? null : new Date(ms).toISOString();

const byKey =
  <T>(key: (t: T) => string) =>
  (a: T, b: T): number => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };

function normalizeResources(list: ResourceRecord[] | null | undefined): Peering[] {
  return (list ?? [])
    .map((r) => ({
      queue: wellFormed(r.name),
      peerId: opt(r.peer_id),
      status: normalizeStatus(r.status),
      // The API sends "" when there is no error; null says the same thing unambiguously.
      error: r.err_msg ? wellFormed(r.err_msg) : null,
      updatedAt: isoFromEpochMs(r.update_time),
    }))
    .sort(byKey((p) => `${p.queue}\u0000${p.peerId ?? ''}`));
}

/** One record, or the reason it cannot be used. */
export function normalizeConnection(
  target: Pick<Target, 'region' | 'projectId'>,
  raw: unknown,
):
  | { ok: true; content: ConnectionContent; rawJson: string }
  | { ok: false; id: string | null; reason: string } {
  const parsed = ConnectionRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'record';
    return { ok: false, id: idOf(raw), reason: truncate(`${where}: ${issue?.message ?? 'invalid'}`) };
  }
  const r = parsed.data;
  const id = wellFormed(r.id);
  const content: ConnectionContent = {
    region: target.region,
    projectId: target.projectId,
    id,
    name: opt(r.name),
    status: normalizeStatus(r.status),
    destVpcId: opt(r.dest_vpc_id),
    destNetworkId: opt(r.dest_network_id),
    isPrivis: r.isPrivis ?? null,
    ipv6Enable: r.ipv6_enable ?? null,
    createdAt: isoFromEpochMs(r.create_time),
    hosts: (r.hosts ?? [])
      .map((h) => ({ name: opt(h.name), ip: opt(h.ip) }))
      .sort(byKey((h) => `${h.name ?? ''}\u0000${h.ip ?? ''}`)),
    routes: (r.routes ?? [])
      .map((x) => ({
        name: opt(x.name),
        cidr: opt(x.cidr),
        createdAt: isoFromEpochMs(x.create_time),
      }))
      .sort(byKey((x) => `${x.name ?? ''}\u0000${x.cidr ?? ''}`)),
    peerings: normalizeResources(r.available_queue_info),
    elasticResourcePools: normalizeResources(r.elastic_resource_pools),
  };
  // Two entries for one queue (or pool) would make two events with one id, which DynamoDB refuses
  // in one transaction: the peering key would be ambiguous anyway.
  for (const [field, what, list] of [
    ['available_queue_info', 'queue', content.peerings],
    ['elastic_resource_pools', 'pool', content.elasticResourcePools],
  ] as const) {
    const duplicate = firstDuplicate(list.map((p) => p.queue));
    if (duplicate !== null) {
      return { ok: false, id, reason: truncate(`${field}: ${what} ${duplicate} listed twice`) };
    }
  }
  let rawJson: string;
  try {
    rawJson = JSON.stringify(raw) ?? 'null';
  } catch {
    // A RangeError from a record nested thousands of levels deep.
    return {
      ok: false,
      id,
      reason: 'record cannot be stored: its JSON cannot be serialized (nested too deeply)',
    };
  }
  return { ok: true, content, rawJson };
}

/** One record as the sweep keeps it (see Sighting). */
export function sight(target: Pick<Target, 'region' | 'projectId'>, raw: unknown): Sighting {
  const r = normalizeConnection(target, raw);
  return r.ok ? { ok: true, id: r.content.id, hash: contentHash(r.content), rawJson: r.rawJson } : r;
}

/**
 * A good sighting normalized again, for the diff. The raw JSON came from JSON.parse and went through
 * JSON.stringify, so it parses back to an equal record with the same content and hash.
 */
export function observe(
  target: Pick<Target, 'region' | 'projectId'>,
  s: Extract<Sighting, { ok: true }>,
): { content: ConnectionContent; raw: unknown } {
  const raw: unknown = JSON.parse(s.rawJson);
  const r = normalizeConnection(target, raw);
  if (!r.ok) throw new Error(`connection ${s.id} no longer normalizes from its own JSON: ${r.reason}`);
  return { content: r.content, raw };
}

/** A whole sweep's sightings: bad ones quarantined with their position, duplicates of one id merged (last wins). */
export function collectSightings(sightings: readonly Sighting[]): SweepSightings {
  const seen: SweepSightings['seen'] = new Map();
  const quarantined: QuarantinedRecord[] = [];
  sightings.forEach((s, index) => {
    if (s.ok) seen.set(s.id, s);
    else quarantined.push({ index, id: s.id, reason: s.reason });
  });
  // A bad copy of an id that also arrived good must not hide the good one, nor be "absent".
  return { seen, quarantined };
}

/** Sights and collects a list of raw records (tests and tools; the sync sights page by page). */
export const sightSweep = (target: Pick<Target, 'region' | 'projectId'>, records: readonly unknown[]) =>
  collectSightings(records.map((r) => sight(target, r)));

/** Stable hash of the normalized content: key order fixed by construction, arrays sorted above. */
export function contentHash(content: ConnectionContent): string {
  return createHash('sha256').update(stableStringify(content)).digest('base64url').slice(0, 32);
}

export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function idOf(raw: unknown): string | null {
  if (raw !== null && typeof raw === 'object' && 'id' in raw) {
    const id = (raw as { id: unknown }).id;
    if (typeof id === 'string' && id.length > 0) return truncate(wellFormed(id));
  }
  return null;
}

function firstDuplicate(values: string[]): string | null {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) return v;
    seen.add(v);
  }
  return null;
}

/** At most MAX_REASON characters; a cut through a surrogate pair leaves U+FFFD, never half a pair. */
function truncate(s: string): string {
  return s.length > MAX_REASON ? `${wellFormed(s.slice(0, MAX_REASON - 1))}…` : s;
}
