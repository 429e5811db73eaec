/**
 * A target's lease: at most one run sweeps and writes a target at a time.
 *
 * The pattern of AWS's DynamoDB lock client: a short lease (LEASE_DURATION_SECONDS, default 30) that
 * the holder renews by a heartbeat (LEASE_HEARTBEAT_SECONDS, default 10) while it is alive. A run
 * that dies (kill -9, a Lambda timeout) stops renewing, so its target is free again within one lease
 * duration instead of blocking every sync of it for the whole sweep deadline. Fencing is separate:
 * every transaction of a run checks that the lease still names it (fenceAction in write.ts), so a
 * run that lost its lease can write nothing even before it notices.
 */

import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { targetLabel } from '../model/target.ts';
import { record, type Store, writeOne } from './client.ts';
import { keys } from './table.ts';

type TargetRef = { region: string; projectId: string };

const leaseKey = (target: TargetRef) => ({
  PK: keys.targetPk(target),
  SK: keys.leaseSk(),
});

const isConditionFailure = (err: unknown): boolean =>
  err instanceof Error && err.name === 'ConditionalCheckFailedException';

/** A renewal's metering: writeOne's, without its beforeWrite hook (see renewLease). */
function countedRenewal(store: Store, consumed: Parameters<typeof record>[2]): void {
  store.meter.itemWrites += 1;
  store.meter.estimatedWriteUnits += 1;
  record(store.meter, 'write', consumed);
}

/**
 * Takes the target's lease for `ttlMs`. Succeeds only if nobody holds it or the holder's lease ran
 * out (a crashed run), so two runs of one target never sweep at once. Returns false when held.
 */
export async function acquireLease(
  store: Store,
  target: TargetRef,
  holder: string,
  now: number,
  ttlMs: number,
): Promise<boolean> {
  try {
    await writeOne(
      store,
      () =>
        store.doc.send(
          new PutCommand({
            TableName: store.tableName,
            Item: {
              ...leaseKey(target),
              entity: 'lease',
              holder,
              leaseUntil: now + ttlMs,
              acquiredAt: new Date(now).toISOString(),
            },
            // Free, expired, or already ours (a retried call must not lock us out).
            ConditionExpression: 'attribute_not_exists(PK) OR leaseUntil < :now OR holder = :me',
            ExpressionAttributeValues: { ':now': now, ':me': holder },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      1,
    );
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/**
 * Extends our lease to `now + ttlMs`, only if it still names us. False: another run took the target
 * over (our lease had run out), and this run must stop. A lease that ran out but that nobody took is
 * still ours to renew: no other run has written under it.
 */
export async function renewLease(
  store: Store,
  target: TargetRef,
  holder: string,
  now: number,
  ttlMs: number,
): Promise<boolean> {
  // Not passed through store.beforeWrite: the heartbeat runs on a timer beside the run's own writes,
  // and the crash-point tests count and kill exactly those, in order.
  try {
    const out = await store.doc.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: leaseKey(target),
        UpdateExpression: 'SET leaseUntil = :until',
        ConditionExpression: 'holder = :me',
        ExpressionAttributeValues: { ':me': holder, ':until': now + ttlMs },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    countedRenewal(store, out.ConsumedCapacity);
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/** Gives the lease back, only if we still hold it (an expired lease may already be someone else's). */
export async function releaseLease(store: Store, target: TargetRef, holder: string): Promise<void> {
  try {
    await writeOne(
      store,
      () =>
        store.doc.send(
          new UpdateCommand({
            TableName: store.tableName,
            Key: leaseKey(target),
            UpdateExpression: 'SET leaseUntil = :zero',
            ConditionExpression: 'holder = :me',
            ExpressionAttributeValues: { ':me': holder, ':zero': 0 },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      1,
    );
  } catch (err) {
    if (isConditionFailure(err)) return;
    throw err;
  }
}

export interface Heartbeat {
  /** Set once a renewal found the lease taken by another run (or renewals failed past the lease). */
  readonly lost: string | null;
  /** Resolves when the lease is lost; never rejects. */
  readonly whenLost: Promise<string>;
  stop(): void;
}

/**
 * Renews the lease every `periodMs` until stopped. A renewal that errors (throttling, network) is
 * retried at the next beat; once the last successful renewal is older than the lease itself, another
 * run may hold the target, so the lease counts as lost.
 */
export function startHeartbeat(
  store: Store,
  target: TargetRef,
  holder: string,
  opts: { durationMs: number; periodMs: number; clock?: () => number },
): Heartbeat {
  const clock = opts.clock ?? Date.now;
  let lastRenewed = clock();
  let lost: string | null = null;
  let inFlight = false;
  let markLost: (reason: string) => void = () => undefined;
  const whenLost = new Promise<string>((resolve) => {
    markLost = (reason) => {
      if (lost !== null) return;
      lost = reason;
      clearInterval(timer);
      resolve(reason);
    };
  });
  const where = targetLabel(target);
  const beat = async (): Promise<void> => {
    if (inFlight || lost !== null) return;
    inFlight = true;
    const now = clock();
    try {
      if (await renewLease(store, target, holder, now, opts.durationMs)) lastRenewed = now;
      else markLost(`this run lost the lease of ${where} to another run; it stopped and wrote nothing more`);
    } catch {
      if (clock() - lastRenewed >= opts.durationMs) {
        markLost(
          `this run could not renew the lease of ${where} for ${Math.round(opts.durationMs / 1000)} s; it stopped so that another run may take over`,
        );
      }
    } finally {
      inFlight = false;
    }
  };
  const timer = setInterval(() => void beat(), opts.periodMs);
  // A heartbeat alone must not keep a finished CLI process alive.
  timer.unref();
  return {
    get lost() {
      return lost;
    },
    whenLost,
    stop: () => clearInterval(timer),
  };
}
