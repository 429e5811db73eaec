/** The one validation module: each rule, its boundaries, and one-line messages naming the input. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BadRequestError, ConfigError } from '../../lib/errors.ts';
import {
  connectionId,
  connectionStatus,
  decodeCursor,
  defaultEndpoint,
  encodeCursor,
  INVALID_CURSOR,
  isLoopbackHost,
  isoInstant,
  MAX_ID_LENGTH,
  parseEndpoint,
  peeringStatus,
  positiveLimit,
  REGION,
  ssmParameterName,
} from '../../lib/validate.ts';

const message = (r: { success: boolean; error?: z.ZodError }) => r.error?.issues[0]?.message;

describe('regions and default endpoints', () => {
  it('builds the regional endpoint of DLI and IAM, with the .eu exception', () => {
    expect(defaultEndpoint('dli', 'cn-north-4')).toBe('https://dli.cn-north-4.myhuaweicloud.com');
    expect(defaultEndpoint('dli', 'ap-southeast-1')).toBe('https://dli.ap-southeast-1.myhuaweicloud.com');
    expect(defaultEndpoint('dli', 'eu-west-101')).toBe('https://dli.eu-west-101.myhuaweicloud.eu');
    expect(defaultEndpoint('iam', 'eu-west-101')).toBe('https://iam.eu-west-101.myhuaweicloud.eu');
    expect(defaultEndpoint('iam', 'cn-north-4')).toBe('https://iam.cn-north-4.myhuaweicloud.com');
  });

  it('accepts every region of the official DLI region list and refuses anything that could bend a host name', () => {
    for (const ok of [
      'cn-north-4',
      'cn-southwest-2',
      'ap-southeast-4',
      'la-north-2',
      'ru-northwest-2',
      'eu-west-101',
    ])
      expect(REGION.test(ok), ok).toBe(true);
    for (const bad of [
      '',
      'cn',
      'CN-NORTH-4',
      'cn-north',
      'cn-north-4.evil.com',
      'cn-north-4/x',
      '../x-1',
      'cn-4a',
    ]) {
      expect(REGION.test(bad), bad).toBe(false);
      expect(() => defaultEndpoint('dli', bad), bad).toThrow(ConfigError);
    }
  });
});

describe('parseEndpoint', () => {
  it('returns the origin of an https URL, or of plain http on loopback only', () => {
    expect(parseEndpoint('https://dli.example.com/', 'X')).toBe('https://dli.example.com');
    expect(parseEndpoint('http://127.0.0.1:8080', 'X')).toBe('http://127.0.0.1:8080');
    expect(parseEndpoint('http://localhost:1', 'X')).toBe('http://localhost:1');
    expect(parseEndpoint('http://[::1]:9', 'X')).toBe('http://[::1]:9');
    expect(() => parseEndpoint('http://10.0.0.1', 'X')).toThrow(/^X must use https/);
    expect(() => parseEndpoint('http://127.0.0.1.nip.io', 'X')).toThrow(/must use https/);
    expect(() => parseEndpoint('ftp://127.0.0.1', 'X')).toThrow(ConfigError);
    expect(() => parseEndpoint('not a url', 'X')).toThrow(/^X is not an absolute URL/);
  });

  it('refuses credentials, a path or a query, without quoting the value', () => {
    for (const bad of [
      'https://user:pw@h.example.com',
      'https://h.example.com/v2',
      'https://h.example.com/v2?pw=1',
      'https://h.example.com/#pw',
    ]) {
      const err = (() => {
        try {
          parseEndpoint(bad, 'DLI_ENDPOINT');
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect(err?.message).toMatch(/^DLI_ENDPOINT must be a bare origin/);
      expect(err?.message).not.toContain('pw');
    }
  });

  it('knows loopback hosts', () => {
    expect(isLoopbackHost('127.255.0.1')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('LOCALHOST')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
  });
});

describe('instants, limits, statuses, ids', () => {
  it('turns ISO-8601 dates and instants into UTC instants and names a bad one', () => {
    expect(isoInstant('--from').parse('2026-11-28')).toBe('2026-11-28T00:00:00.000Z');
    expect(isoInstant('--from').parse('2026-11-28T12:00:00+02:00')).toBe('2026-11-28T10:00:00.000Z');
    for (const bad of ['yesterday', '2026-13-45', '1700000000', '2026-11-28 10:00'])
      expect(message(isoInstant('--from').safeParse(bad)), bad).toBe(
        '--from must be an ISO-8601 time, e.g. 2026-11-28T10:00:00Z',
      );
  });

  it('accepts whole numbers from 1 to the maximum only', () => {
    const limit = positiveLimit('--limit', 10_000);
    expect(limit.parse('1')).toBe(1);
    expect(limit.parse('10000')).toBe(10_000);
    for (const bad of ['0', '-5', '10001', '1e3', '0x10', '1.5', '', ' 3', '9'.repeat(30)])
      expect(message(limit.safeParse(bad)), bad).toBe('--limit must be a whole number from 1 to 10000');
  });

  it('accepts connection statuses in any case, and points a peering status to the peerings command', () => {
    expect(connectionStatus('--status').parse('deleted')).toBe('DELETED');
    expect(message(connectionStatus('--status').safeParse('bogus'))).toBe(
      '--status must be one of ACTIVE, DELETED, UNKNOWN',
    );
    expect(message(connectionStatus('--status').safeParse('failed'))).toMatch(
      /^--status must be one of ACTIVE, DELETED, UNKNOWN; FAILED is a peering status: dli-sync peerings --status FAILED/,
    );
    expect(peeringStatus('--status').parse('Creating')).toBe('CREATING');
    expect(message(peeringStatus('--status').safeParse('DELETED'))).toBe(
      '--status must be one of CREATING, ACTIVE, FAILED, UNKNOWN',
    );
  });

  it('accepts connection ids of 1 to 255 characters: every id the sync can store', () => {
    const id = connectionId('connection id');
    expect(MAX_ID_LENGTH).toBe(255);
    expect(id.safeParse('x'.repeat(255)).success).toBe(true);
    expect(id.safeParse('4c693ecc-0000-4000-8000-000000000001').success).toBe(true);
    expect(message(id.safeParse(''))).toMatch(/^connection id must be 1 to 255 characters/);
    expect(message(id.safeParse('x'.repeat(256)))).toMatch(/^connection id must be 1 to 255 characters/);
  });

  it('requires SSM parameter names to be paths (the IAM grant is on parameter/dli-sync/…)', () => {
    expect(ssmParameterName(' /dli-sync/prod/targets ', 'V')).toBe('/dli-sync/prod/targets');
    expect(ssmParameterName(undefined, 'V')).toBeNull();
    expect(ssmParameterName('  ', 'V')).toBeNull();
    for (const bad of ['dli-sync/targets', '/a b', `/${'a'.repeat(2048)}`])
      expect(() => ssmParameterName(bad, 'V'), bad).toThrow(/^V is not an SSM parameter name/);
  });
});

describe('cursors', () => {
  const Shape = z.object({ i: z.number().int().min(0), c: z.string().nullable() });

  it('round-trips what the issuer encoded', () => {
    expect(decodeCursor(encodeCursor({ i: 1, c: null }), Shape)).toEqual({ i: 1, c: null });
  });

  it('refuses anything else as a bad request with the one message', () => {
    // The last one decodes to a valid shape but is longer than any cursor we hand out.
    for (const bad of [
      '%%%',
      encodeCursor([1]),
      encodeCursor({ i: -1, c: null }),
      encodeCursor({ i: 0, c: 'a'.repeat(4000) }),
    ]) {
      expect(() => decodeCursor(bad, Shape), bad.slice(0, 20)).toThrow(new BadRequestError(INVALID_CURSOR));
    }
  });
});
