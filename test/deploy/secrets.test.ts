/** [deploy] lib/secrets.ts: SSM values read once, cached, re-read after their max age, never echoed. */
import { describe, expect, it } from 'vitest';
import { loadSyncConfig } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import { ParameterCache, type ParameterReader, resolveEnv, ssmReader } from '../../lib/secrets.ts';

const SECRET = 'sk-0123456789-very-secret';

function fakeReader(values: Record<string, string>) {
  const reads: string[] = [];
  let fail: Error | null = null;
  const reader: ParameterReader = {
    read: async (name) => {
      reads.push(name);
      if (fail) throw fail;
      const v = values[name];
      if (v === undefined)
        throw Object.assign(new Error(`Parameter ${name} not found`), { name: 'ParameterNotFound' });
      return v;
    },
  };
  return { reader, reads, values, failWith: (e: Error | null) => (fail = e) };
}

const base = {
  TABLE_NAME: 'dli-sync-test',
  DLI_TARGETS_PARAMETER: '/t',
  HUAWEICLOUD_CREDENTIALS_PARAMETER: '/c',
};

describe('[deploy] resolveEnv', () => {
  it('leaves an environment without parameters alone and never reads SSM', async () => {
    const f = fakeReader({});
    const env = { TABLE_NAME: 'x', DLI_TARGETS: 'cn-north-4:p' };
    expect(await resolveEnv(env, new ParameterCache(f.reader))).toBe(env);
    expect(f.reads).toEqual([]);
  });

  it('overlays targets and the key pair, which the usual validation then accepts', async () => {
    const f = fakeReader({
      '/t': ' cn-north-4:p1,ap-southeast-1:p2 ',
      '/c': JSON.stringify({ ak: 'AK1', sk: SECRET }),
    });
    const env = await resolveEnv(
      { ...base, HUAWEICLOUD_SDK_AK: 'old', HUAWEICLOUD_SDK_SK: 'old' },
      new ParameterCache(f.reader),
    );
    const config = loadSyncConfig(env);
    expect(config.targets.map((t) => `${t.region}:${t.projectId}`)).toEqual([
      'cn-north-4:p1',
      'ap-southeast-1:p2',
    ]);
    expect(config.credentials).toEqual({ kind: 'aksk', ak: 'AK1', sk: SECRET, securityToken: undefined });
  });

  it('reads each parameter once while fresh, shares one read between concurrent callers, re-reads when old', async () => {
    let now = 0;
    const f = fakeReader({ '/t': 'cn-north-4:p1', '/c': JSON.stringify({ ak: 'A', sk: SECRET }) });
    const cache = new ParameterCache(f.reader, () => now);
    await Promise.all([resolveEnv(base, cache), resolveEnv(base, cache)]);
    expect(f.reads.sort()).toEqual(['/c', '/t']);
    now = 59_000;
    await resolveEnv(base, cache);
    expect(f.reads).toHaveLength(2);
    // Targets are trusted for 60 s, credentials for 15 minutes (the defaults).
    now = 61_000;
    f.values['/t'] = 'cn-north-4:p1,cn-north-4:p3';
    const env = await resolveEnv(base, cache);
    expect(env.DLI_TARGETS).toBe('cn-north-4:p1,cn-north-4:p3');
    expect(f.reads.filter((r) => r === '/t')).toHaveLength(2);
    expect(f.reads.filter((r) => r === '/c')).toHaveLength(1);
    now = 901_000;
    await resolveEnv(base, cache);
    expect(f.reads.filter((r) => r === '/c')).toHaveLength(2);
  });

  it('does not cache a failed read, and names the parameter and error kind only', async () => {
    const f = fakeReader({ '/t': 'cn-north-4:p1', '/c': JSON.stringify({ ak: 'A', sk: SECRET }) });
    const cache = new ParameterCache(f.reader);
    f.failWith(
      Object.assign(new Error(`AccessDenied for value ${SECRET}`), { name: 'AccessDeniedException' }),
    );
    const err = await resolveEnv(base, cache).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(String(err)).toMatch(/could not be read \(AccessDeniedException\)/);
    expect(String(err)).not.toContain(SECRET);
    f.failWith(null);
    await expect(resolveEnv(base, cache)).resolves.toMatchObject({ HUAWEICLOUD_SDK_SK: SECRET });
  });

  it('rejects a malformed key pair or target list without quoting it', async () => {
    for (const bad of [`{"ak":"A","sk":"${SECRET}","extra":1}`, `{"ak":"A"}`, `not json ${SECRET}`, '[]']) {
      const f = fakeReader({ '/t': 'cn-north-4:p1', '/c': bad });
      const err = await resolveEnv(base, new ParameterCache(f.reader)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect(String(err)).toContain('SSM parameter /c (HUAWEICLOUD_CREDENTIALS_PARAMETER)');
      expect(String(err)).not.toContain(SECRET);
    }
    const f = fakeReader({ '/t': 'cn-north-4', '/c': JSON.stringify({ ak: 'A', sk: SECRET }) });
    await expect(resolveEnv(base, new ParameterCache(f.reader))).rejects.toThrow(
      /SSM parameter \/t entry "cn-north-4"/,
    );
  });

  it('accepts only parameter paths', async () => {
    const f = fakeReader({});
    await expect(
      resolveEnv({ DLI_TARGETS_PARAMETER: 'targets' }, new ParameterCache(f.reader)),
    ).rejects.toThrow(/DLI_TARGETS_PARAMETER is not an SSM parameter name/);
  });
});

describe('[deploy] parameter types (ssmReader)', () => {
  /** SSM's one call, answering each name with its value and type. */
  const ssm = (params: Record<string, { Value: string; Type: string }>) =>
    ssmReader({
      send: async (cmd: { input: { Name?: string } }) => ({ Parameter: params[cmd.input.Name ?? ''] }),
    } as never);
  const pair = JSON.stringify({ ak: 'A', sk: SECRET });

  it('accepts SecureString credentials and a String or SecureString target list', async () => {
    for (const targetsType of ['String', 'SecureString']) {
      const cache = new ParameterCache(
        ssm({
          '/t': { Value: 'cn-north-4:p1', Type: targetsType },
          '/c': { Value: pair, Type: 'SecureString' },
        }),
      );
      await expect(resolveEnv(base, cache)).resolves.toMatchObject({ DLI_TARGETS: 'cn-north-4:p1' });
    }
  });

  it('refuses credentials stored as a String, and a StringList target list, in one line naming the parameter', async () => {
    const plainKey = new ParameterCache(
      ssm({ '/t': { Value: 'cn-north-4:p1', Type: 'String' }, '/c': { Value: pair, Type: 'String' } }),
    );
    const err = await resolveEnv(base, plainKey).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(String(err)).toBe(
      'ConfigError: SSM parameter /c is of type String; expected SecureString (re-create it with --type SecureString)',
    );
    expect(String(err)).not.toContain(SECRET);
    const list = new ParameterCache(
      ssm({
        '/t': { Value: 'cn-north-4:p1', Type: 'StringList' },
        '/c': { Value: pair, Type: 'SecureString' },
      }),
    );
    await expect(resolveEnv(base, list)).rejects.toThrow(
      /^SSM parameter \/t is of type StringList; expected String or SecureString/,
    );
  });
});
