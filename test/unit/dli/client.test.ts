import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../../lib/backoff.ts';
import {
  DEFAULT_RETRY,
  interpretResponse,
  listPath,
  parseRetryAfter,
  sanitize,
} from '../../../lib/dli/client.ts';
import type { Target } from '../../../lib/model/schemas.ts';

const target: Target = {
  region: 'cn-north-4',
  projectId: 'p1',
  endpoint: 'https://dli.cn-north-4.myhuaweicloud.com',
};
const json = { 'content-type': 'application/json' };
const interpret = (status: number, body: string, headers: Record<string, string> = json) =>
  interpretResponse(target, status, headers, body, ['SECRETSK'], 0);

describe('interpretResponse', () => {
  it('returns the parsed page', () => {
    const r = interpret(200, '{"is_success":true,"count":"2","connections":[{"id":"a"},{"id":"b"}]}');
    expect('page' in r && r.page.count).toBe(2);
  });

  it('maps DLI error bodies to typed, retry-aware errors', () => {
    const r = interpret(400, '{"error_code":"DLI.0001","error_msg":"Parameter check error"}');
    expect('error' in r && r.error.message).toBe(
      'DLI list connections failed for cn-north-4/p1: HTTP 400, DLI.0001: Parameter check error',
    );
    expect('error' in r && r.error.details).toEqual({
      target: 'cn-north-4/p1',
      httpStatus: 400,
      errorCode: 'DLI.0001',
      retryable: false,
      requestId: null,
    });
    const throttled = interpret(429, '{"error_code":"APIG.0308","error_msg":"throttled"}', {
      'retry-after': '3',
    });
    expect('error' in throttled && throttled.error.details.retryable).toBe(true);
    expect('error' in throttled && throttled.retryAfterMs).toBe(3000);
  });

  it('describes an HTML 502 page without quoting it', () => {
    const r = interpret(502, '<html><body>502 Bad Gateway</body></html>', {
      'content-type': 'text/html; charset=utf-8',
    });
    expect('error' in r && r.error.message).toMatch(
      /HTTP 502, no error_code: non-JSON error body \(text\/html, \d+ chars\)$/,
    );
    expect('error' in r && r.error.details.retryable).toBe(true);
  });

  it('retries a truncated 200 body but not a wrong shape or is_success:false', () => {
    const cut = interpret(200, '{"is_success":true,"connections":[{"id":');
    expect('error' in cut && cut.error.details).toMatchObject({ httpStatus: 200, retryable: true });
    const shape = interpret(200, '{"connections":{"id":"a"}}');
    expect('error' in shape && shape.error.message).toMatch(/unexpected response shape \(connections: /);
    expect('error' in shape && shape.error.details.retryable).toBe(false);
    const failed = interpret(200, '{"is_success":false,"message":"no\\npermission SECRETSK"}');
    expect('error' in failed && failed.error.message).toBe(
      'DLI list connections failed for cn-north-4/p1: HTTP 200, no error_code: is_success=false: no permission [redacted]',
    );
  });
});

describe('helpers', () => {
  it('parses Retry-After in seconds and as an HTTP date', () => {
    const now = Date.parse('2024-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Mon, 01 Jan 2024 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Sun, 31 Dec 2023 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });

  it('backs off exponentially with full jitter, capped', () => {
    expect(backoffMs(1, DEFAULT_RETRY, () => 1)).toBe(250);
    expect(backoffMs(3, DEFAULT_RETRY, () => 1)).toBe(1000);
    expect(backoffMs(20, DEFAULT_RETRY, () => 1)).toBe(8000);
    expect(backoffMs(3, DEFAULT_RETRY, () => 0)).toBe(0);
  });

  it('builds the documented path with encoded query values', () => {
    expect(listPath('p1', { limit: 100, offset: 0 })).toBe(
      '/v2.0/p1/datasource/enhanced-connections?limit=100&offset=0',
    );
    expect(listPath('p1', { limit: 1, offset: 2, status: 'ACTIVE', name: 'a b', tags: 'k=v,k2=v2' })).toBe(
      '/v2.0/p1/datasource/enhanced-connections?limit=1&offset=2&status=ACTIVE&name=a%20b&tags=k%3Dv%2Ck2%3Dv2',
    );
  });

  it('sanitizes to one bounded line', () => {
    expect(sanitize('a\nb\tc', [])).toBe('a b c');
    expect(sanitize('x'.repeat(500), []).length).toBeLessThanOrEqual(201);
  });
});
