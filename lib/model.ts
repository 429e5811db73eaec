/**
 * The product's own data: what a connection, a peering, a history version, a change event and a
 * run record look like once normalized. These are the JSON contract of the CLI and the API, so a
 * field here never changes meaning; new fields may be added.
 */
import { z } from 'zod';

/** A region/project pair that is swept as one unit. */
export const TargetSchema = z.object({
  region: z.string(),
  projectId: z.string(),
  /** Base URL of the DLI endpoint, e.g. https://dli.cn-north-4.myhuaweicloud.com */
  endpoint: z.string(),
});
export type Target = z.infer<typeof TargetSchema>;

/** One queue (or elastic resource pool) a connection is peered with. */
export const PeeringSchema = z.object({
  queue: z.string(),
  peerId: z.string().nullable(),
  status: z.string(),
  error: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export type Peering = z.infer<typeof PeeringSchema>;

export const HostSchema = z.object({ name: z.string().nullable(), ip: z.string().nullable() });
export const RouteSchema = z.object({
  name: z.string().nullable(),
  cidr: z.string().nullable(),
  createdAt: z.string().nullable(),
});

/** What the API says about a connection, normalized; the part whose change makes a history version. */
export const ConnectionContentSchema = z.object({
  region: z.string(),
  projectId: z.string(),
  id: z.string(),
  name: z.string().nullable(),
  status: z.string(),
  destVpcId: z.string().nullable(),
  destNetworkId: z.string().nullable(),
  isPrivis: z.boolean().nullable(),
  ipv6Enable: z.boolean().nullable(),
  createdAt: z.string().nullable(),
  hosts: z.array(HostSchema),
  routes: z.array(RouteSchema),
  peerings: z.array(PeeringSchema),
  elasticResourcePools: z.array(PeeringSchema),
});
export type ConnectionContent = z.infer<typeof ConnectionContentSchema>;

/** A connection as stored and shown: content plus what we observed about it. */
export const ConnectionSchema = ConnectionContentSchema.extend({
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  /** When the content last changed (the observedAt of the newest history version). */
  lastChangedAt: z.string(),
  /** Set when status became DELETED. */
  deletedAt: z.string().nullable(),
  /** Monotonic version number; the history version with this number holds the same content. */
  version: z.number().int().positive(),
  /** Hash of the normalized content, to tell "changed" without comparing field by field. */
  contentHash: z.string(),
  /** The API's object as last received, kept for audit (absent on tombstones made by absence). */
  raw: z.unknown().optional(),
});
export type Connection = z.infer<typeof ConnectionSchema>;

export const HistoryVersionSchema = ConnectionContentSchema.extend({
  version: z.number().int().positive(),
  observedAt: z.string(),
  contentHash: z.string(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  raw: z.unknown().optional(),
});
export type HistoryVersion = z.infer<typeof HistoryVersionSchema>;

export const EVENT_TYPES = ['PEERING_FAILED', 'CONNECTION_DELETED', 'PEERING_RECOVERED'] as const;
export const EventTypeSchema = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventTypeSchema>;

export const ChangeEventSchema = z.object({
  /** Deterministic: the same transition always gets the same id, so a retried write is a no-op. */
  id: z.string(),
  type: EventTypeSchema,
  region: z.string(),
  projectId: z.string(),
  connectionId: z.string(),
  connectionName: z.string().nullable(),
  /** Queue or pool name, for peering events; null for connection events. */
  queue: z.string().nullable(),
  /** 'queue' or 'elasticResourcePool', for peering events. */
  resourceKind: z.enum(['queue', 'elasticResourcePool']).nullable(),
  previousStatus: z.string().nullable(),
  status: z.string(),
  error: z.string().nullable(),
  detectedAt: z.string(),
  /** The connection version whose write produced this event. */
  connectionVersion: z.number().int().positive(),
  runId: z.string(),
});
export type ChangeEvent = z.infer<typeof ChangeEventSchema>;

export const QuarantinedRecordSchema = z.object({
  /** Position in the sweep, to find it in the raw answer. */
  index: z.number().int(),
  id: z.string().nullable(),
  reason: z.string(),
});
export type QuarantinedRecord = z.infer<typeof QuarantinedRecordSchema>;

export const RunRecordSchema = z.object({
  runId: z.string(),
  region: z.string(),
  projectId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** complete: swept every page; incomplete: the sweep failed, nothing but this record was written;
   *  skipped: another run held the target's lease. */
  outcome: z.enum(['complete', 'incomplete', 'skipped', 'failed']),
  error: z.string().nullable(),
  pages: z.number().int(),
  apiRequests: z.number().int(),
  seen: z.number().int(),
  created: z.number().int(),
  changed: z.number().int(),
  unchanged: z.number().int(),
  deleted: z.number().int(),
  events: z.number().int(),
  /** True when absent connections could be marked DELETED (complete sweep, no anonymous bad record). */
  deletionsApplied: z.boolean(),
  quarantined: z.array(QuarantinedRecordSchema),
  writeUnits: z.number(),
  readUnits: z.number(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;
