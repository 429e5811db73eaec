/**
 * Stored state + one sweep → what to write. Pure: the clock and the run id come in as arguments.
 *
 * The rules of the product live here:
 * - a connection whose normalized content changed gets a new version (state + history);
 *   an unchanged one gets nothing written at all;
 * - a connection absent from a sweep that may prove absence becomes a DELETED tombstone, never
 *   a silent delete; a sweep that may not prove absence (incomplete, or a bad record without an id)
 *   deletes nothing;
 * - events: PEERING_FAILED when a queue or pool peering becomes FAILED (from any other status, or
 *   first seen FAILED); CONNECTION_DELETED when a connection becomes DELETED (by absence or by the
 *   API's own status); PEERING_RECOVERED when a FAILED peering is ACTIVE again. Staying in a
 *   status emits nothing; a connection first seen already DELETED emits nothing. Peerings of two
 *   versions are matched by their peering key (lib/model/peering-key.ts), so a nameless entry alerts too;
 * - a peering's `creatingSince` is the observedAt of the first version that showed it CREATING,
 *   carried over while it stays CREATING, null otherwise. It is not in the content hash: a
 *   connection whose only news is that time passing writes nothing;
 * - PEERING_STUCK once when a peering has been CREATING for `stuckAfterMs` (lib/sync/stuck.ts): the
 *   one case where an unchanged connection gets a version (its peering's `stuckAt` mark), and the
 *   PEERING_RECOVERED (previousStatus CREATING) when a peering so marked becomes ACTIVE.
 */
import type { Change } from '../model/change.ts';
import { eventId, stuckEventId } from '../model/event-id.ts';
import { byPeeringKey, keyedPeerings } from '../model/peering-key.ts';
import type {
  ChangeEvent,
  Connection,
  ConnectionContent,
  HistoryVersion,
  Peering,
  Target,
} from '../model/schemas.ts';
import { ACTIVE, CREATING, DELETED, FAILED } from '../model/status.ts';
import { contentHash } from './normalize.ts';
import { isStuckDue, markStuck, type StuckAfterMs } from './stuck.ts';

export interface Observation {
  content: ConnectionContent;
  raw: unknown;
}

export interface DiffInput {
  target: Pick<Target, 'region' | 'projectId'>;
  /** Current stored state of the target, tombstones included. */
  stored: ReadonlyMap<string, Connection>;
  observed: readonly Observation[];
  /** Ids of records that were seen but could not be used: never updated, never deleted. */
  protectedIds: ReadonlySet<string>;
  /** Only a complete sweep with no anonymous bad record may turn absence into DELETED. */
  mayDelete: boolean;
  /** When the sweep was taken (ISO); the observedAt of every version this run writes. */
  now: string;
  runId: string;
  /** PEERING_STUCK_AFTER in ms; null or absent: no peering is ever declared stuck. */
  stuckAfterMs?: StuckAfterMs;
}

export interface DiffResult {
  changes: Change[];
  unchanged: number;
}

export function diffTarget(input: DiffInput): DiffResult {
  const changes: Change[] = [];
  let unchanged = 0;
  const seen = new Set<string>();

  for (const { content, raw } of input.observed) {
    seen.add(content.id);
    const previous = input.stored.get(content.id) ?? null;
    const hash = contentHash(content);
    const derived = withCreatingSince(previous, content, input.now);
    const stuck = markStuck(derived, input.now, input.stuckAfterMs ?? null);
    // Same content and no peering newly stuck: nothing to write.
    if (previous && previous.contentHash === hash && stuck.newly === 0) {
      unchanged++;
      continue;
    }
    const next: Connection = {
      ...stuck.content,
      firstSeenAt: previous?.firstSeenAt ?? input.now,
      lastSeenAt: input.now,
      lastChangedAt: input.now,
      deletedAt: content.status === DELETED ? (previous?.deletedAt ?? input.now) : null,
      version: (previous?.version ?? 0) + 1,
      contentHash: hash,
      raw,
    };
    changes.push(makeChange(previous ? 'changed' : 'created', previous, next, input));
  }

  if (input.mayDelete) {
    const sweep = { seen, protectedIds: input.protectedIds };
    for (const previous of input.stored.values()) {
      if (!hasVanished(previous.id, previous.status, sweep)) continue;
      const content: ConnectionContent = { ...contentOf(previous), status: DELETED };
      const next: Connection = {
        ...previous,
        ...content,
        // It was last seen by an earlier sweep, not this one.
        lastSeenAt: previous.lastSeenAt,
        lastChangedAt: input.now,
        deletedAt: input.now,
        version: previous.version + 1,
        contentHash: contentHash(content),
      };
      changes.push(makeChange('deleted', previous, next, input));
    }
  }
  return { changes, unchanged };
}

function makeChange(
  kind: Change['kind'],
  previous: Connection | null,
  next: Connection,
  input: DiffInput,
): Change {
  const history: HistoryVersion = {
    ...contentOf(next),
    version: next.version,
    observedAt: input.now,
    contentHash: next.contentHash,
    firstSeenAt: next.firstSeenAt,
    lastSeenAt: next.lastSeenAt,
    ...(next.raw === undefined ? {} : { raw: next.raw }),
  };
  return { kind, previous, next, history, events: decideEvents(previous, next, input) };
}

/** Not a tombstone: a connection the target still has, as far as we know. */
export const isLive = (c: { status: string }): boolean => c.status !== DELETED;

/** What a sweep that may prove absence says about a stored connection's id. */
export interface AbsenceView {
  /** Ids the sweep listed and could use. */
  seen: { has(id: string): boolean };
  /** Ids the sweep listed but could not use: never updated, never deleted. */
  protectedIds: ReadonlySet<string>;
}

/**
 * The deletion rule, written once: a stored connection has vanished when the sweep did not list it,
 * it is not protected, and it is live (a tombstone cannot vanish again). The candidate selection
 * (which connections to read in full), the diff (which to tombstone) and so the fuse (what it weighs)
 * all ask this one function. Only a sweep that may prove absence asks it at all.
 */
export const hasVanished = (id: string, status: string, sweep: AbsenceView): boolean =>
  !sweep.seen.has(id) && !sweep.protectedIds.has(id) && isLive({ status });

/**
 * Which stored connections the diff must see in full: those observed with another content hash, and
 * those absent from a sweep that may delete them. Everything else is unchanged by definition (same
 * hash) and needs no full read, except one whose stored `stuckCheckFrom` says a peering may now be
 * stuck (lib/sync/stuck.ts). Pure; the shell uses it to load only what may change: the
 * `knownIds` among `changed` (stored before, so read in full), and the `vanished`.
 */
export function selectCandidates<T extends { id: string; hash: string }>(
  index: ReadonlyMap<string, { contentHash: string; status: string; stuckCheckFrom?: string | null }>,
  observed: Iterable<T>,
  protectedIds: ReadonlySet<string>,
  mayDelete: boolean,
  /** When given, an unchanged connection with a peering that may now be stuck is a candidate too. */
  stuck: { now: string; afterMs: StuckAfterMs } | null = null,
): { changed: T[]; knownIds: Set<string>; vanished: string[]; unchanged: number } {
  const changed: T[] = [];
  const knownIds = new Set<string>();
  const vanished: string[] = [];
  const seen = new Set<string>();
  let unchanged = 0;
  for (const o of observed) {
    seen.add(o.id);
    const known = index.get(o.id);
    const due = known && stuck !== null && isStuckDue(known.stuckCheckFrom, stuck.now, stuck.afterMs);
    if (known && known.contentHash === o.hash && !due) {
      unchanged++;
      continue;
    }
    changed.push(o);
    if (known) knownIds.add(o.id);
  }
  if (mayDelete) {
    const sweep = { seen, protectedIds };
    for (const [id, s] of index) if (hasVanished(id, s.status, sweep)) vanished.push(id);
  }
  return { changed, knownIds, vanished, unchanged };
}

/** The transitions that matter, for one connection going from `previous` to `next`. */
export function decideEvents(
  previous: Connection | null,
  next: Connection,
  ctx: Pick<DiffInput, 'now' | 'runId'>,
): ChangeEvent[] {
  const events: ChangeEvent[] = [];
  const event = (
    type: ChangeEvent['type'],
    fields: Pick<
      ChangeEvent,
      'queue' | 'peerId' | 'peeringKey' | 'resourceKind' | 'previousStatus' | 'status' | 'error'
    > & { creatingSince?: string },
    id = eventId(type, next.id, fields.resourceKind, fields.peeringKey, next.version),
  ): ChangeEvent => ({
    id,
    type,
    region: next.region,
    projectId: next.projectId,
    connectionId: next.id,
    connectionName: next.name,
    ...fields,
    detectedAt: ctx.now,
    connectionVersion: next.version,
    runId: ctx.runId,
    silencedBy: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
  });

  const wasDeleted = previous?.status === DELETED;
  if (next.status === DELETED) {
    if (previous && !wasDeleted) {
      events.push(
        event('CONNECTION_DELETED', {
          queue: null,
          peerId: null,
          peeringKey: null,
          resourceKind: null,
          previousStatus: previous.status,
          status: DELETED,
          error: null,
        }),
      );
    }
    // Peerings of a deleted connection are history, not news.
    return events;
  }

  // A connection back from DELETED starts afresh: its peerings count as first seen.
  const before = previous && !wasDeleted ? previous : null;
  const kinds = [
    ['queue', before?.peerings ?? [], next.peerings],
    ['elasticResourcePool', before?.elasticResourcePools ?? [], next.elasticResourcePools],
  ] as const;
  for (const [resourceKind, oldList, newList] of kinds) {
    const oldByKey = byPeeringKey(oldList);
    for (const [peeringKey, p] of keyedPeerings(newList)) {
      const old = oldByKey.get(peeringKey);
      const previousStatus = old?.status ?? null;
      const who = { queue: p.queue, peerId: p.peerId, peeringKey };
      const wasStuck = old?.status === CREATING && (old.stuckAt ?? null) !== null;
      if (p.status === CREATING && p.stuckAt && p.creatingSince !== null && !old?.stuckAt) {
        const since = p.creatingSince;
        events.push(
          event(
            'PEERING_STUCK',
            { ...who, resourceKind, previousStatus, status: CREATING, error: p.error, creatingSince: since },
            stuckEventId(next.id, resourceKind, peeringKey, since),
          ),
        );
      } else if (p.status === ACTIVE && wasStuck && old.creatingSince !== null) {
        // Closes the stuck alert: same peering, so the same alert key (lib/model/alert-key.ts).
        events.push(
          event('PEERING_RECOVERED', {
            ...who,
            resourceKind,
            previousStatus: CREATING,
            status: ACTIVE,
            error: null,
            creatingSince: old.creatingSince,
          }),
        );
      } else if (p.status === FAILED && previousStatus !== FAILED) {
        events.push(
          event('PEERING_FAILED', {
            ...who,
            resourceKind,
            previousStatus,
            status: FAILED,
            error: p.error,
          }),
        );
      } else if (p.status === ACTIVE && previousStatus === FAILED) {
        events.push(
          event('PEERING_RECOVERED', {
            ...who,
            resourceKind,
            previousStatus,
            status: ACTIVE,
            error: null,
          }),
        );
      }
    }
  }
  return events;
}

export function contentOf(c: ConnectionContent): ConnectionContent {
  return {
    region: c.region,
    projectId: c.projectId,
    id: c.id,
    name: c.name,
    status: c.status,
    destVpcId: c.destVpcId,
    destNetworkId: c.destNetworkId,
    isPrivis: c.isPrivis,
    ipv6Enable: c.ipv6Enable,
    createdAt: c.createdAt,
    hosts: c.hosts,
    routes: c.routes,
    peerings: c.peerings,
    elasticResourcePools: c.elasticResourcePools,
    extra: c.extra,
  };
}

/**
 * `content` with each peering's creatingSince derived from `previous`: a CREATING peering keeps the
 * time it was first seen CREATING (matched by peering key), or starts now; any other status has
 * none. A version stored before creatingSince existed counts from its own observedAt (lastChangedAt),
 * the earliest time we know it was CREATING. A connection back from DELETED starts afresh. A peering
 * that stays CREATING keeps its stuckAt mark too (one PEERING_STUCK per spell); any other loses it.
 */
export function withCreatingSince(
  previous: Connection | null,
  content: ConnectionContent,
  now: string,
): ConnectionContent {
  const before = previous && previous.status !== DELETED ? previous : null;
  const carry = (oldList: readonly Peering[], newList: readonly Peering[]): Peering[] => {
    const old = byPeeringKey(oldList);
    const since = new Map(
      keyedPeerings(newList).map(
        ([key, p]): [Peering, { creatingSince: string; stuckAt: string | null } | null] => {
          if (p.status !== CREATING) return [p, null];
          const o = old.get(key);
          return [
            p,
            o?.status === CREATING
              ? { creatingSince: o.creatingSince ?? before?.lastChangedAt ?? now, stuckAt: o.stuckAt ?? null }
              : { creatingSince: now, stuckAt: null },
          ];
        },
      ),
    );
    return newList.map((p) => ({
      ...p,
      creatingSince: since.get(p)?.creatingSince ?? null,
      stuckAt: since.get(p)?.stuckAt ?? null,
    }));
  };
  return {
    ...content,
    peerings: carry(before?.peerings ?? [], content.peerings),
    elasticResourcePools: carry(before?.elasticResourcePools ?? [], content.elasticResourcePools),
  };
}
