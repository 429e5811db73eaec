/**
 * DynamoDB Stream → chat notifications. The event source mapping delivers only INSERTs of event
 * items (filter: lib/notify/stream.ts EVENT_SOURCE_FILTER) with ReportBatchItemFailures on; the
 * answer lists only the events to retry. Configuration (and the SSM channel secret) is read once
 * per cold start; a bad configuration fails every invocation loudly, which the stream retries, and
 * is read again on the next invocation (lib/lambda.ts coldStart caches no failure).
 */
import { loadStoreConfig } from '../lib/config.ts';
import { coldStart, lambdaShell } from '../lib/lambda.ts';
import { entryLogger } from '../lib/log.ts';
import { legacyHostWarning } from '../lib/notify/channels/jsm.ts';
import { channelSource, loadNotifyOptions } from '../lib/notify/config.ts';
import { createStreamHandler, type LambdaContextLike } from '../lib/notify/handler.ts';
import { loadChannels } from '../lib/notify/ssm.ts';
import type { StreamBatchResponse } from '../lib/notify/stream.ts';

const boot = coldStart(async () => {
  const env = process.env;
  const shell = lambdaShell(env);
  const { logger } = shell.telemetry;
  const config = loadStoreConfig(env);
  const options = loadNotifyOptions(env);
  const channels = await loadChannels(channelSource(env));
  if (channels.length === 0) logger.warn('no notification channels configured');
  for (const c of channels) {
    const warning = legacyHostWarning(c, Date.now());
    if (warning) logger.warn(warning);
  }
  // One stream handler per container: its pacing buckets outlive a single batch.
  return createStreamHandler({
    store: shell.store(config),
    channels,
    deps: { options, log: entryLogger(logger) },
  });
});

export async function handler(event: unknown, context?: LambdaContextLike): Promise<StreamBatchResponse> {
  return (await boot())(event, context);
}
