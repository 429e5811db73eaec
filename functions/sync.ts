/**
 * Scheduled sync: EventBridge fires; lib/sync/scheduled.ts sweeps every target inline or hands
 * them to functions/sync-worker.ts through SQS. Targets and the AK/SK pair may come from SSM
 * (lib/lambda.ts: read at cold start, cached, re-read after their max age); the configuration is
 * validated on every invocation, which costs nothing and lets a new target in without a redeploy.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadScheduleConfig, loadSyncConfig } from '../lib/config.ts';
import { describeError } from '../lib/errors.ts';
import { coldStart, lambdaShell } from '../lib/lambda.ts';
import { targetLabel } from '../lib/model/target.ts';
import { scheduledTick } from '../lib/sync/scheduled.ts';

const boot = coldStart(() => {
  let sqs: SQSClient | undefined;
  // Made only in fan-out mode, once per container.
  return { shell: lambdaShell(process.env), sqs: () => (sqs ??= new SQSClient({ maxAttempts: 5 })) };
});

interface SyncAnswer {
  ok: boolean;
  runs: { target: string; outcome: string; events: number; error: string | null }[];
  enqueued?: number;
}

export async function handler(
  _event?: unknown,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<SyncAnswer> {
  const { shell, sqs } = await boot();
  const { logger, metrics } = shell.telemetry;
  try {
    const env = await shell.env();
    const config = loadSyncConfig(env);
    const tick = await scheduledTick(config, loadScheduleConfig(env), {
      store: shell.store(config),
      telemetry: shell.telemetry,
      sqs,
      remainingMs: context?.getRemainingTimeInMillis?.(),
    });
    // A failed target is reported, not thrown: EventBridge would retry every target, and the run
    // records plus the sync-errors alarm already say what went wrong.
    return {
      ok: tick.ok,
      runs: tick.runs.map((r) => ({
        target: targetLabel(r),
        outcome: r.outcome,
        events: r.events,
        error: r.error,
      })),
      ...(tick.enqueued === undefined ? {} : { enqueued: tick.enqueued }),
    };
  } catch (err) {
    logger.error('sync invocation failed', { error: describeError(err) });
    throw err;
  } finally {
    metrics.publishStoredMetrics();
  }
}
