/**
 * The channel list from an SSM SecureString parameter (the Lambda's source of the secret) or from
 * NOTIFY_CHANNELS. Errors name the parameter, never its value.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { ssmReader, unreadable } from '../secrets.ts';
import { type ChannelConfig, type ChannelSource, parseChannels } from './config.ts';

export async function loadChannels(
  source: ChannelSource,
  client?: Pick<SSMClient, 'send'>,
): Promise<ChannelConfig[]> {
  if (!source.parameter) return parseChannels(source.json, 'NOTIFY_CHANNELS', source);
  const value = await ssmReader(client)
    .read(source.parameter, 'secret')
    .catch((err: unknown) => {
      throw unreadable(
        'NOTIFY_CHANNELS_PARAMETER',
        source.parameter ?? '',
        err,
        'a SecureString the notifier may read and decrypt',
      );
    });
  return parseChannels(value, `SSM parameter ${source.parameter}`, source);
}
