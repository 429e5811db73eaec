/**
 * The mass-deletion safety fuse. Pure: plain data in, a decision out; the shell (run.ts, held.ts)
 * reads and writes.
 *
 * Why: a listing that silently ends early (a server-side page cap, a gateway, a bug of ours) looks
 * exactly like a mass deletion. One such sweep would tombstone most of a target and post a
 * CONNECTION_DELETED for each. So when one complete sweep would delete more than `sharePercent` % of
 * the target's live connections AND more than `minCount` of them, nothing is deleted: the deletions
 * are held until an operator confirms them, or (opt-in) until `confirmAfterSweeps` consecutive
 * complete sweeps agree.
 *
 * Rule, per complete sweep that may prove absence:
 * - `vanished` are the live connections absent from this sweep. If they trip the fuse, every one of
 *   them is held (those held before keep their heldAt/runId and count one more agreeing sweep);
 *   otherwise every one is deleted as before.
 * - A held connection that agreed in `confirmAfterSweeps` sweeps (this one included) is deleted even
 *   while the fuse is tripped (0 = only an operator confirms).
 * - A held connection not among `vanished` came back (or is gone otherwise): no longer held.
 * A sweep that may not prove absence (a bad record without an id) changes nothing held, except that
 * held connections it saw are released.
 */
import { type HeldDeletion, targetLevelEvent } from '../model/change.ts';
import { heldEventId } from '../model/event-id.ts';
import type { FusePolicy } from '../model/fuse-policy.ts';
import type { ChangeEvent } from '../model/schemas.ts';
import { HELD } from '../model/status.ts';

export interface Vanished {
  id: string;
  name: string | null;
}

export interface FuseInput {
  target: { region: string; projectId: string };
  /** Live (not DELETED) connections stored for the target before this sweep. */
  live: number;
  /** Live connections absent from this sweep; empty when the sweep may not prove absence. */
  vanished: readonly Vanished[];
  held: readonly HeldDeletion[];
  /** False when absence proves nothing (a bad record without an id): held items are kept. */
  mayDelete: boolean;
  /** Ids the sweep saw (quarantined ones included). */
  seen: ReadonlySet<string>;
  policy: FusePolicy;
  now: string;
  runId: string;
}

export interface FuseDecision {
  /** Delete now: as of `heldAt`/`runId` (the sweep that first found them absent, maybe this one). */
  apply: { id: string; heldAt: string; runId: string }[];
  /** Held items to write (new, or one more agreeing sweep). */
  hold: HeldDeletion[];
  /** Held items to remove: came back, or applied now. */
  release: string[];
  /** True when this sweep starts a hold (no earlier hold continues): one DELETIONS_HELD event. */
  newHold: boolean;
  tripped: boolean;
}

/** More than sharePercent % of `live` and more than minCount. Integers only: no float rounding. */
export const trips = (vanished: number, live: number, policy: FusePolicy): boolean =>
  vanished > policy.minCount && vanished * 100 > live * policy.sharePercent;

export function decideDeletions(input: FuseInput): FuseDecision {
  const { policy } = input;
  const heldById = new Map(input.held.map((h) => [h.connectionId, h]));
  if (!input.mayDelete) {
    return {
      apply: [],
      hold: [],
      release: input.held.filter((h) => input.seen.has(h.connectionId)).map((h) => h.connectionId),
      newHold: false,
      tripped: false,
    };
  }
  const vanishedIds = new Set(input.vanished.map((v) => v.id));
  const release = input.held.filter((h) => !vanishedIds.has(h.connectionId)).map((h) => h.connectionId);
  const tripped = trips(input.vanished.length, input.live, policy);
  if (!tripped) {
    return {
      apply: input.vanished.map((v) => asOf(v.id, heldById.get(v.id), input)),
      hold: [],
      release: [...release, ...input.vanished.filter((v) => heldById.has(v.id)).map((v) => v.id)],
      newHold: false,
      tripped,
    };
  }
  const apply: FuseDecision['apply'] = [];
  const hold: HeldDeletion[] = [];
  for (const v of input.vanished) {
    const before = heldById.get(v.id);
    const agreeingSweeps = (before?.agreeingSweeps ?? 0) + 1;
    if (policy.confirmAfterSweeps > 0 && agreeingSweeps >= policy.confirmAfterSweeps) {
      apply.push(asOf(v.id, before, input));
      if (before) release.push(v.id);
      continue;
    }
    hold.push({
      region: input.target.region,
      projectId: input.target.projectId,
      connectionId: v.id,
      connectionName: v.name,
      heldAt: before?.heldAt ?? input.now,
      runId: before?.runId ?? input.runId,
      agreeingSweeps,
    });
  }
  // One message per hold: a hold that continues (some connection still held from before) is not news.
  const newHold = hold.length > 0 && hold.every((h) => !heldById.has(h.connectionId));
  return { apply, hold, release, newHold, tripped };
}

/** A deletion applies as of the sweep that first found the connection absent. */
const asOf = (id: string, held: HeldDeletion | undefined, input: FuseInput) => ({
  id,
  heldAt: held?.heldAt ?? input.now,
  runId: held?.runId ?? input.runId,
});

/**
 * The one DELETIONS_HELD event of a hold. Its id comes from the target and the run that started the
 * hold: a retried write collides, and the runs that keep the hold do not post it again.
 */
export function heldEvent(
  target: { region: string; projectId: string },
  held: number,
  ctx: { now: string; runId: string },
): ChangeEvent {
  return {
    ...targetLevelEvent('DELETIONS_HELD', target, {
      id: heldEventId(target, ctx.runId),
      previousStatus: null,
      status: HELD,
      error: null,
      detectedAt: ctx.now,
      runId: ctx.runId,
      heldDeletions: held,
    }),
    silencedBy: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
  };
}
