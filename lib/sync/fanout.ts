/**
 * Fan-out: whether the scheduled invocation sweeps every target itself or hands each target to a
 * worker through SQS, the message between them, and how stale each target is. The decisions are
 * pure; `enqueueTargets` and `loadSweepAges` are the thin I/O shell.
 *
 * Modes (README "Deploy" explains them to operators):
 * - inline: the scheduled invocation runs syncAll, `targetConcurrency` targets at a time. Used when
 *   there is no queue (CLI, local runs) or when the targets fit: even if every sweep ran to its
 *   deadline, all of them would finish (run records written) before the invocation's own timeout.
 * - fanout: one SQS message per target; functions/sync-worker.ts sweeps each in its own invocation
 *   with its own timeout, so the number of targets no longer races one Lambda's 15 minutes. The
 *   target's lease (lib/store/write.ts) makes a redelivered message, a slow previous tick or an
 *   inline run by the CLI harmless: the second holder finds the lease taken and records `skipped`.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { mapLimit } from '../concurrency.ts';
import type { Target } from '../model/schemas.ts';
import { targetSpec } from '../model/target.ts';
import type { Store } from '../store/client.ts';
import { latestCompleteSweepAt } from '../store/query.ts';

/** Time a sweep may take after its deadline: persisting the changes and the run record. */
export const PERSIST_ALLOWANCE_MS = 60_000;
/** Kept free at the end of the invocation: staleness reads, metrics, the answer. */
export const INVOCATION_MARGIN_MS = 30_000;

/**
 * How many targets one invocation can sweep for certain: whole "waves" of `targetConcurrency`
 * sweeps, each allowed its full deadline plus the persist allowance, inside the time left.
 */
export function inlineCapacity(o: {
  targetConcurrency: number;
  sweepDeadlineMs: number;
  remainingMs: number;
}): number {
  const waves = Math.floor(
    (o.remainingMs - INVOCATION_MARGIN_MS) / (o.sweepDeadlineMs + PERSIST_ALLOWANCE_MS),
  );
  return Math.max(0, waves) * o.targetConcurrency;
}

export type SyncMode = 'inline' | 'fanout';

export function chooseMode(o: {
  targets: number;
  /** SYNC_FANOUT_THRESHOLD when set; otherwise `capacity` decides. */
  threshold: number | null;
  /** inlineCapacity of this invocation; null outside Lambda (no timeout to respect). */
  capacity: number | null;
  queueUrl: string | null;
}): SyncMode {
  if (!o.queueUrl) return 'inline';
  const limit = o.threshold ?? o.capacity;
  return limit !== null && o.targets > limit ? 'fanout' : 'inline';
}

/** One target for the worker. Region and project only: the worker derives the endpoint itself. */
export const FanoutMessageSchema = z.strictObject({
  v: z.literal(1),
  region: z.string().max(64),
  projectId: z.string().max(64),
  enqueuedAt: z.iso.datetime(),
  /** After this the next tick's message has superseded this one: the worker drops it. */
  notAfter: z.iso.datetime(),
});
export type FanoutMessage = z.infer<typeof FanoutMessageSchema>;

export function fanoutMessage(
  target: Pick<Target, 'region' | 'projectId'>,
  now: Date,
  intervalMs: number,
): FanoutMessage {
  return {
    v: 1,
    region: target.region,
    projectId: target.projectId,
    enqueuedAt: now.toISOString(),
    notAfter: new Date(now.getTime() + intervalMs).toISOString(),
  };
}

/** Null for a body that is not our message (it goes back to the queue and, in the end, the DLQ). */
export function parseFanoutMessage(body: string): FanoutMessage | null {
  try {
    const parsed = FanoutMessageSchema.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export const isExpired = (m: FanoutMessage, nowMs: number): boolean => Date.parse(m.notAfter) < nowMs;

/**
 * The configured target a message names, or null. The worker sweeps nothing else: a message is
 * data from whoever could send to the queue or invoke the worker, not an instruction to sweep any
 * project the Huawei key can list.
 */
export const configuredTarget = (m: FanoutMessage, targets: readonly Target[]): Target | null =>
  targets.find((t) => t.region === m.region && t.projectId === m.projectId) ?? null;

export interface EnqueueResult {
  enqueued: number;
  /** `region:projectId` of targets SQS did not take, after one retry. */
  failed: string[];
}

/** SendMessageBatch, 10 entries a call; entries SQS reports as failed are retried once. */
export async function enqueueTargets(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  targets: readonly Target[],
  now: Date,
  intervalMs: number,
): Promise<EnqueueResult> {
  let pending = targets.map((t) => ({
    key: targetSpec(t),
    body: fanoutMessage(t, now, intervalMs),
  }));
  let enqueued = 0;
  for (let attempt = 0; attempt < 2 && pending.length > 0; attempt++) {
    const retry: typeof pending = [];
    for (let i = 0; i < pending.length; i += 10) {
      const chunk = pending.slice(i, i + 10);
      const out = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((p, j) => ({ Id: String(j), MessageBody: JSON.stringify(p.body) })),
        }),
      );
      enqueued += out.Successful?.length ?? 0;
      for (const f of out.Failed ?? []) {
        const entry = chunk[Number(f.Id)];
        if (entry) retry.push(entry);
      }
    }
    pending = retry;
  }
  return { enqueued, failed: pending.map((p) => p.key) };
}

export interface Staleness {
  /** Targets whose newest complete sweep is older than the limit. */
  stale: string[];
  /** Targets with no complete sweep on record (new, or never reachable): reported, not alarmed. */
  neverSwept: string[];
  /** Age of the oldest newest-complete-sweep, over the targets that have one. */
  oldestAgeSeconds: number | null;
}

/**
 * A target not swept for N intervals is what the StaleTargets alarm watches. A target without any
 * complete sweep is not counted: a project added a minute ago would alarm before its first sweep;
 * one that can never be swept shows up in the sync-errors alarm instead.
 */
export function staleness(
  lastComplete: ReadonlyMap<string, string | null>,
  nowMs: number,
  staleAfterMs: number,
): Staleness {
  const out: Staleness = { stale: [], neverSwept: [], oldestAgeSeconds: null };
  for (const [key, at] of lastComplete) {
    if (at === null) {
      out.neverSwept.push(key);
      continue;
    }
    const age = Math.max(0, nowMs - Date.parse(at));
    if (age > staleAfterMs) out.stale.push(key);
    const seconds = Math.round(age / 1000);
    out.oldestAgeSeconds = Math.max(out.oldestAgeSeconds ?? 0, seconds);
  }
  return out;
}

/**
 * Newest complete sweep per target. `known` holds what this invocation already knows (the runs it
 * just completed) so those cost no read; the rest is one Query each.
 */
export async function loadSweepAges(
  store: Store,
  targets: readonly Target[],
  known: ReadonlyMap<string, string> = new Map(),
): Promise<Map<string, string | null>> {
  const keys = targets.map(targetSpec);
  const ages = await mapLimit(targets, 8, async (t) => {
    const hit = known.get(targetSpec(t));
    return hit ?? (await latestCompleteSweepAt(store, t));
  });
  return new Map(keys.map((k, i) => [k, ages[i] ?? null]));
}
