import { describe, expect, it } from 'vitest';
import { NOT_ENABLED_ERROR } from '../../../infra/local/iam-emulator.ts';
import { reachabilityOf } from '../../../lib/dli/reachability.ts';

const e = (httpStatus: number | null, errorCode: string | null, message = 'x') => ({
  httpStatus,
  errorCode,
  message,
});

describe('reachabilityOf: which DLI answers are target states, not failures', () => {
  it('any 403 is denied (IAM policy, APIG.0302, a DLI code)', () => {
    expect(reachabilityOf(e(403, 'APIG.0302'))).toBe('denied');
    expect(reachabilityOf(e(403, 'APIGW.0302'))).toBe('denied');
    expect(reachabilityOf(e(403, null))).toBe('denied');
  });

  it("401 is denied only with DLI's own authentication codes; the gateway's signature/token 401 stays an error", () => {
    expect(reachabilityOf(e(401, 'DLI.0013'))).toBe('denied');
    expect(reachabilityOf(e(401, 'DLI.0014'))).toBe('denied');
    expect(reachabilityOf(e(401, 'APIG.0301', 'verify aksk signature fail'))).toBeNull();
    expect(reachabilityOf(e(401, 'APIG.0303'))).toBeNull();
    expect(reachabilityOf(e(401, null))).toBeNull();
  });

  it('a 4xx saying the service is not enabled is not-enabled, even as a 403', () => {
    expect(reachabilityOf(e(400, NOT_ENABLED_ERROR.error_code, NOT_ENABLED_ERROR.error_msg))).toBe(
      'not-enabled',
    );
    expect(reachabilityOf(e(403, 'X', 'DLI has not been activated for this project'))).toBe('not-enabled');
    expect(reachabilityOf(e(400, 'X', 'service not subscribed: DLI is never enabled here'))).toBe(
      'not-enabled',
    );
  });

  it('everything else stays a real error: 5xx, 429, 408, other 4xx, no status, no error', () => {
    expect(reachabilityOf(null)).toBeNull();
    expect(reachabilityOf(e(null, null, 'socket hang up'))).toBeNull();
    expect(reachabilityOf(e(500, 'DLI.0999', 'service not enabled'))).toBeNull();
    expect(reachabilityOf(e(429, 'APIG.0308', 'not enabled'))).toBeNull();
    expect(reachabilityOf(e(408, null))).toBeNull();
    expect(reachabilityOf(e(400, 'DLI.0001', 'Parameter check error'))).toBeNull();
    expect(
      reachabilityOf(e(404, 'APIG.0101', 'The API does not exist or has not been published')),
    ).toBeNull();
  });
});
