/**
 * DynamoDB Stream → chat notifications. The event source mapping delivers only INSERTs of event
 * items (filter: lib/notify/stream.ts EVENT_SOURCE_FILTER) with ReportBatchItemFailures on; the
 * answer lists only the events to retry. Configuration (and the SSM channel secret) is read once
 * per cold start; a bad configuration fails every invocation loudly, which the stream retries.
 */
import { storeFor } from '../lib/app.ts';
import { loadStoreConfig } from '../lib/config.ts';
import { createTelemetry, entryLogger } from '../lib/log.ts';
import { channelSource, loadNotifyOptions } from '../lib/notify/config.ts';
import { createStreamHandler, type LambdaContextLike, type StreamHandler } from '../lib/notify/handler.ts';
import { loadChannels } from '../lib/notify/ssm.ts';
import type { StreamBatchResponse } from '../lib/notify/stream.ts';

const { logger } = createTelemetry(process.env);
let ready: Promise<StreamHandler> | undefined;

async function coldStart(): Promise<StreamHandler> {
  const env = process.env;
  const config = loadStoreConfig(env);
  const options = loadNotifyOptions(env);
  const channels = await loadChannels(channelSource(env));
  if (channels.length === 0) logger.warn('no notification channels configured');
  return createStreamHandler({
    store: storeFor(config),
    channels,
    deps: { options, log: entryLogger(logger) },
  });
}

export async function handler(event: unknown, context?: LambdaContextLike): Promise<StreamBatchResponse> {
  ready ??= coldStart().catch((err: unknown) => {
    // Not cached: the next invocation tries again (a fixed parameter needs no redeploy).
    ready = undefined;
    throw err;
  });
  return (await ready)(event, context);
}
