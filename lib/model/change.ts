/**
 * What a sync decides to write: the diff's changes (lib/sync/diff.ts) and the fuse's held deletions
 * (lib/sync/fuse.ts). The store (lib/store) writes them without knowing the rules that made them.
 */
import type { ChangeEvent, Connection, HistoryVersion } from './schemas.ts';

/** One connection's new version: its state item, its history version and the events it causes. */
export interface Change {
  kind: 'created' | 'changed' | 'deleted';
  previous: Connection | null;
  next: Connection;
  history: HistoryVersion;
  events: ChangeEvent[];
}

/** One held deletion, as stored under the target (SK HELD#{connectionId}) and shown by `deletions --json`. */
export interface HeldDeletion {
  region: string;
  projectId: string;
  connectionId: string;
  connectionName: string | null;
  /** When the sweep that first found it absent started (ISO-8601): the deletion's time if applied. */
  heldAt: string;
  /** That sweep's run. */
  runId: string;
  /** Consecutive complete sweeps that found it absent, the first included. */
  agreeingSweeps: number;
}

/**
 * A target-level event (DELETIONS_HELD, TARGET_STALE, TARGET_DENIED, TARGET_RECOVERED): about a whole
 * target, so every connection and peering field is null. The one place that says so.
 */
export const targetLevelEvent = (
  type: ChangeEvent['type'],
  target: { region: string; projectId: string },
  fields: Pick<ChangeEvent, 'id' | 'previousStatus' | 'status' | 'error' | 'detectedAt' | 'runId'> &
    Partial<Pick<ChangeEvent, 'heldDeletions' | 'lastCompleteSweepAt'>>,
): ChangeEvent => ({
  type,
  region: target.region,
  projectId: target.projectId,
  connectionId: null,
  connectionName: null,
  queue: null,
  peerId: null,
  peeringKey: null,
  resourceKind: null,
  connectionVersion: null,
  ...fields,
});
