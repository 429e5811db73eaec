/**
 * API record → normalized connection content. Pure: no I/O, no clock.
 *
 * Rules: statuses upper-cased (the API writes both `Active` and `ACTIVE`); epoch-ms times become
 * ISO-8601 UTC; peerings are records keyed by (connection, peering key: see lib/model/peering-key.ts), in a
 * canonical order so that the API reordering them is not a change; what the official models allow
 * (any field missing, a queue entry without a name, unknown fields) is kept, unknown fields in
 * `extra`; a record the schema rejects (no usable id, a field of the wrong type) is quarantined with
 * its reason, and the rest of the sweep goes on.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { ConnectionRecordSchema, ResourceRecordSchema } from '../dli/schema.ts';
import { canonicalOrder } from '../model/peering-key.ts';
import type { ConnectionContent, Peering, QuarantinedRecord, Target } from '../model/schemas.ts';
import { stableStringify } from '../model/stable-json.ts';

export { stableStringify };

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

const CONNECTION_FIELDS = new Set(Object.keys(ConnectionRecordSchema.shape));
const RESOURCE_FIELDS = new Set(Object.keys(ResourceRecordSchema.shape));

/**
 * The fields of a raw API object that the schema does not name, keys sorted (so key order is no
 * change). Read from the raw object, not zod's copy: an own `__proto__` key (JSON.parse makes one)
 * stays an ordinary field here.
 */
export function extraFields(raw: unknown, known: ReadonlySet<string>): Record<string, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return {};
  return Object.fromEntries(
    Object.keys(raw)
      .filter((k) => !known.has(k) && (raw as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => [k, (raw as Record<string, unknown>)[k]]),
  );
}

function normalizeResources(list: readonly ResourceRecord[] | null | undefined, rawList: unknown): Peering[] {
  const raws: readonly unknown[] = Array.isArray(rawList) ? rawList : [];
  return canonicalOrder(
    (list ?? []).map(
      (r, i): Peering => ({
        // An empty name identifies nothing: the entry is then known by its peer id (lib/model/peering-key.ts).
        queue: r.name ? wellFormed(r.name) : null,
        peerId: opt(r.peer_id),
        status: normalizeStatus(r.status),
        // The API sends "" when there is no error; null says the same thing unambiguously.
        error: r.err_msg ? wellFormed(r.err_msg) : null,
        updatedAt: isoFromEpochMs(r.update_time),
        // Derived by the diff from the stored state (diff.ts), not from the API.
        creatingSince: null,
        extra: extraFields(raws[i], RESOURCE_FIELDS),
      }),
    ),
  );
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
    peerings: normalizeResources(r.available_queue_info, rawField(raw, 'available_queue_info')),
    elasticResourcePools: normalizeResources(
      r.elastic_resource_pools,
      rawField(raw, 'elastic_resource_pools'),
    ),
    extra: extraFields(raw, CONNECTION_FIELDS),
  };
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

/**
 * Stable hash of the normalized content: key order fixed by stableStringify, arrays sorted above.
 * Hashed without what is not the API's content (a peering's creatingSince and stuckAt, derived by the diff) and
 * without empty `extra` objects: content made before `extra` existed hashes as it did then, so an
 * upgrade re-versions only the connections that do carry unknown fields.
 */
export function contentHash(content: ConnectionContent): string {
  return createHash('sha256')
    .update(stableStringify(hashView(content)))
    .digest('base64url')
    .slice(0, 32);
}

const isEmpty = (o: Record<string, unknown> | undefined): boolean => !o || Object.keys(o).length === 0;

function hashView(content: ConnectionContent): unknown {
  const { extra, peerings, elasticResourcePools, ...rest } = content;
  const peering = ({ creatingSince: _derived, stuckAt: _marker, extra: more, ...p }: Peering) =>
    isEmpty(more) ? p : { ...p, extra: more };
  return {
    ...rest,
    ...(isEmpty(extra) ? {} : { extra }),
    peerings: peerings.map(peering),
    elasticResourcePools: elasticResourcePools.map(peering),
  };
}

function idOf(raw: unknown): string | null {
  if (raw !== null && typeof raw === 'object' && 'id' in raw) {
    const id = (raw as { id: unknown }).id;
    if (typeof id === 'string' && id.length > 0) return truncate(wellFormed(id));
  }
  return null;
}

/** A field of the raw record (already checked to be an object by the schema). */
const rawField = (raw: unknown, key: string): unknown => (raw as Record<string, unknown>)[key];

/** At most MAX_REASON characters; a cut through a surrogate pair leaves U+FFFD, never half a pair. */
function truncate(s: string): string {
  return s.length > MAX_REASON ? `${wellFormed(s.slice(0, MAX_REASON - 1))}…` : s;
}
