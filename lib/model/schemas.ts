/**
 * The product's own data: what a connection, a peering, a history version, a change event and a
 * run record look like once normalized. These are the JSON contract of the CLI and the API, so a
 * field here never changes meaning; new fields may be added.
 */
import { z } from 'zod';

/** A region/project pair that is swept as one unit; its label, config spec and table key are in target.ts. */
export const TargetSchema = z.object({
  region: z.string(),
  projectId: z.string(),
  /** Base URL of the DLI endpoint, e.g. https://dli.cn-north-4.myhuaweicloud.com */
  endpoint: z.string(),
});
export type Target = z.infer<typeof TargetSchema>;

/**
 * Fields of an API object that the known schema does not name, kept so that nothing the service
 * sends is lost and a change of them is a change. Items written before it existed lack it.
 */
export const ExtraSchema = z
  // Not z.record: it copies by assignment, and an own `__proto__` key (JSON.parse makes one) would
  // be lost, changing the content hash on every read. The object is kept as it is.
  .custom<Record<string, unknown>>(
    (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
    'expected an object of unknown fields',
  )
  .default(() => ({}));

/** One queue (or elastic resource pool) a connection is peered with. */
export const PeeringSchema = z.object({
  /** Queue or pool name; null when the API gave none (every official model marks it optional). */
  queue: z.string().nullable(),
  peerId: z.string().nullable(),
  status: z.string(),
  error: z.string().nullable(),
  updatedAt: z.string().nullable(),
  /**
   * While the peering is CREATING: the observedAt of the first version that showed it CREATING
   * (null otherwise). Derived by the diff from the stored state, not part of the content hash.
   */
  creatingSince: z.string().nullable().default(null),
  /**
   * When PEERING_STUCK was emitted for this CREATING spell (lib/sync/stuck.ts); null otherwise. Derived
   * like creatingSince, not part of the content hash; the marker that makes the alert exactly-once.
   * Optional (absent = null) so that peerings built before it existed stay valid as they are.
   */
  stuckAt: z.string().nullable().optional(),
  extra: ExtraSchema,
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
  /** The record's unknown top-level fields (see ExtraSchema). */
  extra: ExtraSchema,
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

export const EVENT_TYPES = [
  'PEERING_FAILED',
  'CONNECTION_DELETED',
  'PEERING_RECOVERED',
  // Target-level: a sweep would have deleted too many connections at once (lib/sync/fuse.ts).
  'DELETIONS_HELD',
  // Target-level: DLI answered a target with "denied" or "not enabled" (lib/dli/reachability.ts).
  'TARGET_DENIED',
  // A peering CREATING for longer than PEERING_STUCK_AFTER (lib/sync/stuck.ts).
  'PEERING_STUCK',
  // Target-level: no complete sweep for SYNC_STALE_AFTER_INTERVALS intervals, and back (lib/sync/stale.ts).
  'TARGET_STALE',
  // Target-level: a denied / not-enabled (lib/sync/targets.ts) or stale target is swept completely
  // again; previousStatus says which alert it closes (DENIED, NOT_ENABLED or STALE).
  'TARGET_RECOVERED',
] as const;
export const EventTypeSchema = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventTypeSchema>;

/**
 * What makes an outbox item a reminder: which alert (the event that opened it), since when it has
 * been open, and why it is sent now (every REMIND_AFTER, or once when a silence ended).
 */
export const ReminderInfoSchema = z.object({
  kind: z.enum(['periodic', 'silence-ended']),
  /** The id of the event that opened the alert (a PEERING_FAILED or CONNECTION_DELETED). */
  of: z.string(),
  alertKey: z.string(),
  openSince: z.string(),
  /** silence-ended: the silence that ended. */
  silenceId: z.string().nullable(),
});
export type ReminderInfo = z.infer<typeof ReminderInfoSchema>;

export const ChangeEventSchema = z.object({
  /** Deterministic: the same transition always gets the same id, so a retried write is a no-op. */
  id: z.string(),
  type: EventTypeSchema,
  region: z.string(),
  projectId: z.string(),
  /** Null only for target-level events (DELETIONS_HELD, TARGET_*). */
  connectionId: z.string().nullable(),
  connectionName: z.string().nullable(),
  /** Queue or pool name, for peering events; null for connection events and nameless entries. */
  queue: z.string().nullable(),
  /** The peering's peer_id, for peering events (identifies a nameless entry); old events lack it. */
  peerId: z.string().nullable().default(null),
  /** The peering key (see peeringKeys in peering-key.ts) the event's id is made from; old events lack it. */
  peeringKey: z.string().nullable().default(null),
  /** 'queue' or 'elasticResourcePool', for peering events. */
  resourceKind: z.enum(['queue', 'elasticResourcePool']).nullable(),
  previousStatus: z.string().nullable(),
  status: z.string(),
  error: z.string().nullable(),
  detectedAt: z.string(),
  /** The connection version whose write produced this event; null for target-level events. */
  connectionVersion: z.number().int().positive().nullable(),
  runId: z.string(),
  /** DELETIONS_HELD only: how many deletions the run held. */
  heldDeletions: z.number().int().nonnegative().optional(),
  /** PEERING_STUCK, and a PEERING_RECOVERED that ends a stuck spell: since when it was CREATING. */
  creatingSince: z.string().optional(),
  /** TARGET_STALE / TARGET_RECOVERED: the target's newest complete sweep the alert is about (null: none). */
  lastCompleteSweepAt: z.string().nullable().optional(),
  /**
   * Set by `dli-sync ack` (lib/store/ack.ts); null when not acknowledged. Optional in the type so the
   * sync's event constructors need not name them; parsing always fills null (old items read as null).
   */
  acknowledgedBy: z.string().nullable().default(null).optional(),
  acknowledgedAt: z.string().nullable().default(null).optional(),
  ackNote: z.string().nullable().default(null).optional(),
  /** The event that stands for this one, so it was not sent on its own (lib/notify/inhibit.ts). */
  inhibitedBy: z.string().nullable().default(null).optional(),
  /** The silence that held this event from every channel (lib/notify/silenced.ts); null when sent. */
  silencedBy: z.string().nullable().default(null).optional(),
  /** Only on reminder items (lib/sync/reminders.ts): this is a reminder of an open alert, not a change. */
  reminder: ReminderInfoSchema.optional(),
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
  /** The DLI request id of the answer that ended the run incomplete or failed (Huawei support asks for it). */
  requestId: z.string().nullable().default(null),
  pages: z.number().int(),
  apiRequests: z.number().int(),
  seen: z.number().int(),
  created: z.number().int(),
  changed: z.number().int(),
  unchanged: z.number().int(),
  deleted: z.number().int(),
  events: z.number().int(),
  /** True when absent connections could be marked DELETED (complete sweep, no anonymous bad record)
   *  and none of them was held by the safety fuse. */
  deletionsApplied: z.boolean(),
  quarantined: z.array(QuarantinedRecordSchema),
  /** Deletions held by the safety fuse after this run (lib/sync/fuse.ts); 0 when none. */
  heldDeletions: z.number().int().nonnegative().default(0),
  writeUnits: z.number(),
  readUnits: z.number(),
  /**
   * Set when DLI answered that the target is closed to us (`denied`: 401/403) or that DLI is not
   * enabled there (`not-enabled`): the run is `incomplete` (nothing swept, nothing written but this
   * record) yet not a failure of the sync. Absent otherwise.
   */
  state: z.enum(['denied', 'not-enabled']).optional(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;
