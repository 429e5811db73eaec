/**
 * Fan-out worker: SQS (ReportBatchItemFailures on) → lib/sync/worker.ts, which says per message
 * what is swept, dropped, refused or retried. The targets are read (and validated) on every
 * invocation: a message may only pick one of the configured or discovered targets, and a target added to
 * DLI_TARGETS_PARAMETER is picked up without a redeploy.
 */
import { endpointFor, loadSyncConfig } from '../lib/config.ts';
import { coldStart, lambdaShell } from '../lib/lambda.ts';
import { resolveTargets, withResolution } from '../lib/sync/resolve.ts';
import { type BatchResponse, type FanoutRecord, processFanoutBatch } from '../lib/sync/worker.ts';

const boot = coldStart(() => lambdaShell(process.env));

export async function handler(event: { Records?: FanoutRecord[] }): Promise<BatchResponse> {
  const shell = await boot();
  try {
    const env = await shell.env();
    // The same resolution as the scheduled tick (discovery is cached per container): a message may
    // name a discovered target, swept with its own account's credential.
    const configured = loadSyncConfig(env);
    const resolution = await resolveTargets(configured);
    for (const p of resolution.problems) shell.telemetry.logger.error('target discovery failed', { ...p });
    const config = withResolution(configured, resolution);
    return await processFanoutBatch(event.Records ?? [], config, {
      store: shell.store(config),
      telemetry: shell.telemetry,
      endpointFor: endpointFor(env),
    });
  } finally {
    shell.telemetry.metrics.publishStoredMetrics();
  }
}
