/** The channel list's sources; SSM is replaced by its one call (there is no local SSM to run). */
import type { GetParameterCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.ts';
import { loadChannels } from '../../../lib/notify/ssm.ts';

const VALUE = JSON.stringify([
  { name: 'ops', type: 'slack', url: 'https://hooks.slack.com/services/T/B/SECRET' },
]);

function ssm(answer: () => unknown) {
  const calls: unknown[] = [];
  return {
    calls,
    client: {
      send: async (command: GetParameterCommand) => {
        calls.push(command.input);
        return answer();
      },
    } as never,
  };
}

describe('loadChannels', () => {
  it('reads NOTIFY_CHANNELS when no parameter is set', async () => {
    expect(await loadChannels({ parameter: null, json: VALUE })).toHaveLength(1);
  });
  it('reads and decrypts the SSM parameter', async () => {
    const s = ssm(() => ({ Parameter: { Value: VALUE, Type: 'SecureString' } }));
    expect(
      (await loadChannels({ parameter: '/dli-sync/channels', json: undefined }, s.client))[0]?.name,
    ).toBe('ops');
    expect(s.calls).toEqual([{ Name: '/dli-sync/channels', WithDecryption: true }]);
  });
  it('names the parameter, never its value, when it cannot be read or parsed', async () => {
    const denied = ssm(() => {
      throw Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' });
    });
    await expect(loadChannels({ parameter: '/p', json: undefined }, denied.client)).rejects.toThrow(
      new ConfigError(
        'NOTIFY_CHANNELS_PARAMETER /p could not be read (AccessDeniedException); expected a SecureString the notifier may read and decrypt',
      ),
    );
    const bad = ssm(() => ({ Parameter: { Value: `${VALUE.slice(0, -2)}`, Type: 'SecureString' } }));
    const err = await loadChannels({ parameter: '/p', json: undefined }, bad.client).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^SSM parameter \/p is not valid JSON/);
    expect((err as Error).message).not.toContain('SECRET');
  });
  it('refuses a channel list stored as anything but a SecureString, naming the parameter and its type', async () => {
    for (const Type of ['String', 'StringList', undefined]) {
      const plain = ssm(() => ({ Parameter: { Value: VALUE, Type } }));
      const err = await loadChannels({ parameter: '/p', json: undefined }, plain.client).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toBe(
        `SSM parameter /p is of type ${Type ?? 'unknown'}; expected SecureString (re-create it with --type SecureString)`,
      );
    }
  });
});
