/**
 * The channel list from an SSM SecureString parameter (the Lambda's source of the secret) or from
 * NOTIFY_CHANNELS. Errors name the parameter, never its value.
 */
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError } from '../errors.ts';
import { checkParameterType } from '../ssm-type.ts';
import { type ChannelConfig, type ChannelSource, parseChannels } from './config.ts';

export async function loadChannels(
  source: ChannelSource,
  client: Pick<SSMClient, 'send'> = new SSMClient({}),
): Promise<ChannelConfig[]> {
  if (!source.parameter) return parseChannels(source.json, 'NOTIFY_CHANNELS', source);
  let out: { Parameter?: { Value?: string; Type?: string } | undefined };
  try {
    out = await client.send(new GetParameterCommand({ Name: source.parameter, WithDecryption: true }));
  } catch (err) {
    const name = err instanceof Error ? err.name : 'Error';
    throw new ConfigError(
      `NOTIFY_CHANNELS_PARAMETER ${source.parameter} could not be read (${name}); expected a SecureString the notifier may read and decrypt`,
    );
  }
  checkParameterType(source.parameter, out.Parameter?.Type);
  return parseChannels(out.Parameter?.Value, `SSM parameter ${source.parameter}`, source);
}
