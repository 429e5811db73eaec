/**
 * Model objects ↔ DynamoDB items. Items carry the model's fields at top level (readable in the
 * console) plus keys; `raw` is kept as a JSON string because API objects may nest deeper than
 * DynamoDB allows and their numbers must come back exactly as received.
 */

import {
  type ChangeEvent,
  ChangeEventSchema,
  type Connection,
  type ConnectionContent,
  ConnectionSchema,
  type HistoryVersion,
  HistoryVersionSchema,
  type Peering,
  type RunRecord,
  RunRecordSchema,
} from '../model/schemas.ts';
import { stableStringify } from '../model/stable-json.ts';
import { DELETED, FAILED } from '../model/status.ts';
import { stuckCheckFrom } from '../model/stuck-marker.ts';
import { keys, TTL_ATTRIBUTE } from './table.ts';

export type Item = Record<string, unknown>;

const DAY_SECONDS = 86_400;

/** TTL value: epoch seconds `days` after `iso`. */
export const expiry = (iso: string, days: number): number =>
  Math.floor(Date.parse(iso) / 1000) + days * DAY_SECONDS;

const hasFailedPeering = (c: Connection): boolean =>
  c.status !== DELETED && [...c.peerings, ...c.elasticResourcePools].some((p) => p.status === FAILED);

/**
 * `extra` (unknown API fields) is stored as canonical JSON text, like `raw`: what the API sends there
 * may nest deeper than DynamoDB's 32 levels or hold numbers it cannot store. Empty `extra` and a null
 * `creatingSince` are left out, so an item without news is byte for byte what it was before they
 * existed (same size, same write units); reading fills the defaults back in.
 */
const extraText = (extra: Record<string, unknown>): { extra?: string } =>
  Object.keys(extra).length ? { extra: stableStringify(extra) } : {};

const peeringItem = ({ extra, creatingSince, stuckAt, ...p }: Peering): Item => ({
  ...p,
  ...(creatingSince === null ? {} : { creatingSince }),
  ...(stuckAt == null ? {} : { stuckAt }),
  ...extraText(extra),
});

function contentFields<T extends ConnectionContent>(c: T): Item {
  const { extra, peerings, elasticResourcePools, ...rest } = c;
  return {
    ...rest,
    ...extraText(extra),
    peerings: peerings.map(peeringItem),
    elasticResourcePools: elasticResourcePools.map(peeringItem),
  };
}

const parseExtra = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

/** An item's content fields as the model reads them (the inverse of contentFields). */
function readContent(item: Item): Item {
  const peerings = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map((p: unknown) =>
          p !== null && typeof p === 'object' && 'extra' in p ? { ...p, extra: parseExtra(p.extra) } : p,
        )
      : v;
  return {
    ...item,
    ...('extra' in item ? { extra: parseExtra(item.extra) } : {}),
    peerings: peerings(item.peerings),
    elasticResourcePools: peerings(item.elasticResourcePools),
  };
}

export function stateItem(c: Connection, retentionDays: number): Item {
  const { raw: _raw, ...fields } = c;
  const checkFrom = stuckCheckFrom(c);
  return {
    PK: keys.targetPk(c),
    SK: keys.stateSk(c.id),
    entity: 'connection',
    ...contentFields(fields),
    // For the stored index: when a CREATING peering may become stuck (absent when none can).
    ...(checkFrom === null ? {} : { stuckCheckFrom: checkFrom }),
    // Sparse index: only connections with a FAILED peering appear in it.
    ...(hasFailedPeering(c) ? { GSI1PK: keys.failedGsiPk(), GSI1SK: keys.failedGsiSk(c, c.id) } : {}),
    // A tombstone lives as long as the history that explains it.
    ...(c.deletedAt ? { [TTL_ATTRIBUTE]: expiry(c.deletedAt, retentionDays) } : {}),
  };
}

/**
 * The whole history item, `raw` still the API's object: lib/store/layout.ts turns it into JSON text
 * (and chunks) before it is written.
 */
export function historyItem(h: HistoryVersion, retentionDays: number): Item {
  const { raw, ...fields } = h;
  return {
    PK: keys.historyPk(h.id),
    SK: keys.historySk(h.observedAt, h.version),
    entity: 'history',
    ...contentFields(fields),
    ...(raw === undefined ? {} : { raw }),
    [TTL_ATTRIBUTE]: expiry(h.observedAt, retentionDays),
  };
}

/** An immutable chunk of a connection's hosts, routes or raw JSON (see lib/store/layout.ts). */
export function chunkItem(connectionId: string, hash: string, data: string, expiresAt: number): Item {
  return {
    PK: keys.historyPk(connectionId),
    SK: keys.chunkSk(hash),
    entity: 'chunk',
    data,
    [TTL_ATTRIBUTE]: expiresAt,
  };
}

/**
 * An event is a message, not the record: its texts are cut so that a hostile error text or name (the
 * API bounds neither err_msg nor what a server may send) cannot push the event past DynamoDB's item
 * limit and fail the transaction of the version that holds the full text.
 */
const EVENT_TEXT_MAX = 4096;
const cut = (s: string | null): string | null =>
  s !== null && s.length > EVENT_TEXT_MAX ? `${s.slice(0, EVENT_TEXT_MAX - 1).toWellFormed()}…` : s;

export function eventItem(e: ChangeEvent, retentionDays: number): Item {
  return {
    PK: keys.eventPk(e.id),
    SK: keys.eventSk(),
    entity: 'event',
    GSI1PK: keys.eventsGsiPk(),
    GSI1SK: keys.eventsGsiSk(e.detectedAt, e.id),
    ...e,
    connectionName: cut(e.connectionName),
    queue: cut(e.queue),
    error: cut(e.error),
    [TTL_ATTRIBUTE]: expiry(e.detectedAt, retentionDays),
  };
}

export function runItem(r: RunRecord, retentionDays: number): Item {
  return {
    PK: keys.targetPk(r),
    SK: keys.runSk(r.startedAt, r.runId),
    entity: 'run',
    GSI1PK: keys.runsGsiPk(),
    GSI1SK: keys.runsGsiSk(r.startedAt, r),
    ...r,
    [TTL_ATTRIBUTE]: expiry(r.startedAt, retentionDays),
  };
}

export const toConnection = (item: Item): Connection => ConnectionSchema.parse(readContent(item));

export const toHistory = (item: Item): HistoryVersion =>
  HistoryVersionSchema.parse({
    ...readContent(item),
    raw: typeof item.raw === 'string' ? JSON.parse(item.raw) : undefined,
  });

export const toEvent = (item: Item): ChangeEvent & { delivery?: unknown } => ({
  ...ChangeEventSchema.parse(item),
  ...(item.delivery === undefined ? {} : { delivery: item.delivery }),
});

export const toRun = (item: Item): RunRecord => RunRecordSchema.parse(item);
