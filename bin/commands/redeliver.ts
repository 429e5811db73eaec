/** `dli-sync redeliver`: resend events, and acknowledgements, to the chat channels. */
import { storeFor } from '../../lib/app.ts';
import { type Env, loadStoreConfig } from '../../lib/config.ts';
import { BadRequestError, ConfigError } from '../../lib/errors.ts';
import { legacyHostWarning } from '../../lib/notify/channels/jsm.ts';
import { channelSource, loadNotifyOptions } from '../../lib/notify/config.ts';
import { redeliver } from '../../lib/notify/deliver.ts';
import { loadChannels } from '../../lib/notify/ssm.ts';
import type { Io } from '../cli.ts';
import type { Flags } from '../flags.ts';
import { printer } from './print.ts';

export async function run(
  _command: string,
  _args: string[],
  flags: Flags,
  env: Env,
  io: Io,
): Promise<number> {
  if (Boolean(flags.event) === flags.failed) {
    throw new BadRequestError('redeliver needs exactly one of --event ID or --failed');
  }
  const store = storeFor(loadStoreConfig(env));
  const channels = await loadChannels(channelSource(env));
  if (channels.length === 0)
    throw new ConfigError('no chat channels configured; set NOTIFY_CHANNELS or NOTIFY_CHANNELS_PARAMETER');
  for (const c of channels) {
    const warning = legacyHostWarning(c, Date.now());
    if (warning) io.err(`warning: ${warning}`);
  }
  const target = flags.event
    ? { eventId: flags.event }
    : { failed: true as const, from: flags.from, to: flags.to };
  // Delivery logs go to stderr so that stdout stays the report (JSON with --json).
  const deps = {
    options: loadNotifyOptions(env),
    log: (entry: Record<string, unknown>) => io.err(JSON.stringify(entry)),
  };
  // Events, then acknowledgements (an ack waits for its alert to reach the channel).
  const report = await redeliver(store, channels, target, deps);
  const acks = report.acks ?? [];
  printer(io, flags)({ ...report, acks }, () =>
    report.events.length + acks.length === 0
      ? 'no undelivered events'
      : [
          ...report.events.map((e) => `${e.eventId}: ${e.state}${describeChannels(e.channels)}`),
          ...acks.map((a) => `ack of ${a.eventId}: ${a.state}${describeChannels(a.channels)}`),
        ].join('\n'),
  );
  const ok = (s: string) => s === 'delivered' || s === 'silenced';
  return report.events.every((e) => ok(e.state)) && acks.every((a) => ok(a.state)) ? 0 : 1;
}

function describeChannels(channels: Record<string, { status: string; reason?: string }>): string {
  const parts = Object.entries(channels).map(
    ([name, c]) => `${name} ${c.status}${c.reason ? ` (${c.reason})` : ''}`,
  );
  return parts.length ? ` — ${parts.join(', ')}` : '';
}
