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

export interface NormalizedSweep {
  connections: { content: ConnectionContent; raw: unknown }[];
  quarantined: QuarantinedRecord[];
}

const MAX_REASON = 300;

export const normalizeStatus = (status: string | null | undefined): string =>
  status?.trim() ? status.trim().toUpperCase() : 'UNKNOWN';

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
      queue: r.name,
      peerId: r.peer_id ?? null,
      status: normalizeStatus(r.status),
      // The API sends "" when there is no error; null says the same thing unambiguously.
      error: r.err_msg ? r.err_msg : null,
      updatedAt: isoFromEpochMs(r.update_time),
    }))
    .sort(byKey((p) => `${p.queue}\u0000${p.peerId ?? ''}`));
}

/** One record, or the reason it cannot be used. */
export function normalizeConnection(
  target: Pick<Target, 'region' | 'projectId'>,
  raw: unknown,
): { ok: true; content: ConnectionContent } | { ok: false; id: string | null; reason: string } {
  const parsed = ConnectionRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'record';
    return { ok: false, id: idOf(raw), reason: truncate(`${where}: ${issue?.message ?? 'invalid'}`) };
  }
  const r = parsed.data;
  const peerings = normalizeResources(r.available_queue_info);
  const duplicate = firstDuplicate(peerings.map((p) => p.queue));
  if (duplicate !== null) {
    return { ok: false, id: r.id, reason: truncate(`available_queue_info: queue ${duplicate} listed twice`) };
  }
  return {
    ok: true,
    content: {
      region: target.region,
      projectId: target.projectId,
      id: r.id,
      name: r.name ?? null,
      status: normalizeStatus(r.status),
      destVpcId: r.dest_vpc_id ?? null,
      destNetworkId: r.dest_network_id ?? null,
      isPrivis: r.isPrivis ?? null,
      ipv6Enable: r.ipv6_enable ?? null,
      createdAt: isoFromEpochMs(r.create_time),
      hosts: (r.hosts ?? [])
        .map((h) => ({ name: h.name ?? null, ip: h.ip ?? null }))
        .sort(byKey((h) => `${h.name ?? ''}\u0000${h.ip ?? ''}`)),
      routes: (r.routes ?? [])
        .map((x) => ({
          name: x.name ?? null,
          cidr: x.cidr ?? null,
          createdAt: isoFromEpochMs(x.create_time),
        }))
        .sort(byKey((x) => `${x.name ?? ''}\u0000${x.cidr ?? ''}`)),
      peerings,
      elasticResourcePools: normalizeResources(r.elastic_resource_pools),
    },
  };
}

/** A whole sweep: good records normalized, bad ones quarantined, duplicates of one id merged (last wins). */
export function normalizeSweep(
  target: Pick<Target, 'region' | 'projectId'>,
  records: unknown[],
): NormalizedSweep {
  const byId = new Map<string, { content: ConnectionContent; raw: unknown }>();
  const quarantined: QuarantinedRecord[] = [];
  records.forEach((raw, index) => {
    const result = normalizeConnection(target, raw);
    if (result.ok) byId.set(result.content.id, { content: result.content, raw });
    else quarantined.push({ index, id: result.id, reason: result.reason });
  });
  // A bad copy of an id that also arrived good must not hide the good one, nor be "absent".
  return { connections: [...byId.values()], quarantined };
}

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
    if (typeof id === 'string' && id.length > 0) return truncate(id);
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

function truncate(s: string): string {
  return s.length > MAX_REASON ? `${s.slice(0, MAX_REASON - 1)}…` : s;
}
