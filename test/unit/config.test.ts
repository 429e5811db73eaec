import { describe, expect, it } from 'vitest';
import { loadCredentials, loadStoreConfig, loadSyncConfig, parseTargets } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import { parseEndpoint } from '../../lib/validate.ts';

const base = {
  TABLE_NAME: 'dli-sync',
  DLI_TARGETS: 'cn-north-4:p1',
  HUAWEICLOUD_SDK_AK: 'AK',
  HUAWEICLOUD_SDK_SK: 'SK',
};

describe('configuration', () => {
  it('derives real endpoints, including the one region outside myhuaweicloud.com', () => {
    expect(
      parseTargets('cn-north-4:p1,eu-west-101:p2,ap-southeast-1:p3', undefined).map((t) => t.endpoint),
    ).toEqual([
      'https://dli.cn-north-4.myhuaweicloud.com',
      'https://dli.eu-west-101.myhuaweicloud.eu',
      'https://dli.ap-southeast-1.myhuaweicloud.com',
    ]);
  });

  it('allows several projects per region, but not the same target twice', () => {
    expect(parseTargets('cn-north-4:a,cn-north-4:b', undefined)).toHaveLength(2);
    expect(() => parseTargets('cn-north-4:a,cn-north-4:a', undefined)).toThrow(/twice/);
  });

  it.each(['cn-north-4:p1:extra', 'cn-north-4', 'cn-north-4:', ':p1'])(
    'refuses the target %j: exactly region:projectId, nothing dropped silently',
    (entry) => {
      expect(() => parseTargets(entry, undefined)).toThrow(/is not region:projectId/);
    },
  );

  it('accepts https endpoints, and http only on loopback', () => {
    expect(parseEndpoint('https://dli.example.com/', 'X')).toBe('https://dli.example.com');
    expect(parseEndpoint('http://127.0.0.1:8080', 'X')).toBe('http://127.0.0.1:8080');
    expect(parseEndpoint('http://localhost:1', 'X')).toBe('http://localhost:1');
    expect(() => parseEndpoint('http://10.0.0.1', 'X')).toThrow(/https/);
    expect(() => parseEndpoint('ftp://x', 'X')).toThrow(ConfigError);
    expect(() => parseEndpoint('https://user:pw@x', 'X')).toThrow(/without credentials, path or query/);
    expect(() => parseEndpoint('https://dli.example.com/v2', 'X')).toThrow(/bare origin/);
  });

  it('picks the credential mode from what is set', () => {
    expect(
      loadCredentials({
        HUAWEICLOUD_SDK_AK: 'a',
        HUAWEICLOUD_SDK_SK: 'b',
        HUAWEICLOUD_SDK_SECURITY_TOKEN: 't',
      }),
    ).toEqual({ kind: 'aksk', ak: 'a', sk: 'b', securityToken: 't' });
    expect(loadCredentials({ HUAWEICLOUD_SDK_AUTH_TOKEN: 'tok' })).toEqual({ kind: 'token', token: 'tok' });
    expect(
      loadCredentials({
        HUAWEICLOUD_SDK_IAM_USER: 'u',
        HUAWEICLOUD_SDK_IAM_DOMAIN: 'd',
        HUAWEICLOUD_SDK_IAM_PASSWORD: 'p',
      }),
    ).toMatchObject({ kind: 'iam', userName: 'u', domainName: 'd' });
  });

  it.each([
    [{ HUAWEICLOUD_SDK_AK: 'a' }, /HUAWEICLOUD_SDK_SK is not set/],
    [{ HUAWEICLOUD_SDK_SK: 'super-secret' }, /HUAWEICLOUD_SDK_AK is not set/],
    [
      { HUAWEICLOUD_SDK_IAM_USER: 'u', HUAWEICLOUD_SDK_IAM_DOMAIN: 'd' },
      /HUAWEICLOUD_SDK_IAM_PASSWORD is not set/,
    ],
    [{}, /HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK are not set/],
  ])('names the missing credential variable and never echoes a secret (%j)', (env, message) => {
    let error: unknown;
    try {
      loadCredentials(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('super-secret');
  });

  it('validates numbers and names with the expected range', () => {
    expect(loadSyncConfig(base)).toMatchObject({
      pageSize: 100,
      pageConcurrency: 4,
      targetConcurrency: 4,
      retentionDays: 400,
    });
    expect(() => loadSyncConfig({ ...base, DLI_PAGE_CONCURRENCY: '0' })).toThrow(
      /DLI_PAGE_CONCURRENCY .* from 1 to 32/,
    );
    expect(() => loadStoreConfig({ TABLE_NAME: 'a b' })).toThrow(/TABLE_NAME is not a valid/);
    expect(loadStoreConfig({ TABLE_NAME: 'abc', HISTORY_RETENTION_DAYS: '30' }).retentionDays).toBe(30);
    expect(() => loadStoreConfig({ TABLE_NAME: 'abc', HISTORY_RETENTION_DAYS: '1.5' })).toThrow(
      /whole number/,
    );
  });
});
