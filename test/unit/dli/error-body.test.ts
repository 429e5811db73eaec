/** Every error shape the official Go SDK's parser reads (core/sdkerr/errors.go), and what it does not. */
import { describe, expect, it } from 'vitest';
import { interpretResponse } from '../../../lib/dli/client.ts';
import { cleanRequestId, parseErrorBody } from '../../../lib/dli/error-body.ts';
import type { Target } from '../../../lib/model/schemas.ts';

const ID = '4f2a9c0e1b7d4e6f8a0b1c2d3e4f5a6b';

describe('parseErrorBody', () => {
  it.each([
    [
      'DLI error_code / error_msg',
      { error_code: 'DLI.0001', error_msg: 'bad limit' },
      'DLI.0001',
      'bad limit',
      null,
    ],
    [
      'APIG gateway error with request_id',
      { error_code: 'APIG.0308', error_msg: 'throttled', request_id: ID },
      'APIG.0308',
      'throttled',
      ID,
    ],
    [
      'APIGW prefix',
      { error_code: 'APIGW.0301', error_msg: 'verify aksk signature fail' },
      'APIGW.0301',
      'verify aksk signature fail',
      null,
    ],
    [
      'code / message',
      { code: 'DLI.0002', message: 'object does not exist' },
      'DLI.0002',
      'object does not exist',
      null,
    ],
    [
      'nested error object',
      { error: { code: 'IAM.0001', message: 'token expired' } },
      'IAM.0001',
      'token expired',
      null,
    ],
    [
      'IAM nested, numeric code',
      { error: { code: 401, message: 'wrong password', title: 'Unauthorized' } },
      '401',
      'wrong password',
      null,
    ],
    ['nested twice', { outer: { inner: { error_code: 'X.1', error_msg: 'deep' } } }, 'X.1', 'deep', null],
    [
      'request_id beside a nested pair',
      { error: { code: 'A.1', message: 'm', request_id: ID } },
      'A.1',
      'm',
      ID,
    ],
    ['error_msg alone', { error_msg: 'only a message' }, null, 'only a message', null],
    ['message alone', { message: 'only a message' }, null, 'only a message', null],
    ['error_code alone', { error_code: 'DLI.0999' }, 'DLI.0999', null, null],
  ])('%s', (_name, body, code, message, requestId) => {
    expect(parseErrorBody(body)).toEqual({ code, message, requestId });
  });

  it('prefers error_code/error_msg over code/message, and the top level over nested objects', () => {
    expect(parseErrorBody({ code: 'B', message: 'b', error_code: 'A', error_msg: 'a' })).toMatchObject({
      code: 'A',
      message: 'a',
    });
    expect(parseErrorBody({ error: { code: 'N', message: 'n' }, code: 'T', message: 't' })).toMatchObject({
      code: 'T',
    });
  });

  it('skips a half pair (empty message) for a complete pair, as the SDK does', () => {
    expect(
      parseErrorBody({ error_code: 'DLI.1', error_msg: '', code: 'C', message: 'complete' }),
    ).toMatchObject({
      code: 'C',
      message: 'complete',
    });
  });

  it('says null for what is not an error body', () => {
    for (const v of [
      null,
      42,
      'text',
      [],
      [{ error_code: 'X', error_msg: 'y' }],
      {},
      { foo: 'bar' },
      { code: '', message: ' ' },
    ]) {
      expect(parseErrorBody(v)).toBeNull();
    }
  });

  it('stops at a depth a hostile body cannot abuse', () => {
    let deep: Record<string, unknown> = { error_code: 'DEEP', error_msg: 'too deep' };
    for (let i = 0; i < 10_000; i++) deep = { e: deep };
    expect(parseErrorBody(deep)).toBeNull();
  });
});

describe('cleanRequestId', () => {
  it('keeps ids, drops what is not one', () => {
    expect(cleanRequestId(ID)).toBe(ID);
    expect(cleanRequestId([ID, 'other'])).toBe(ID);
    expect(cleanRequestId('req-1.2:3_x')).toBe('req-1.2:3_x');
    for (const v of [undefined, '', 'a b', 'x'.repeat(129), 'id\nX-Injected: 1', '<script>', 7]) {
      expect(cleanRequestId(v)).toBeNull();
    }
  });
});

describe('interpretResponse with request ids', () => {
  const target: Target = {
    region: 'cn-north-4',
    projectId: 'p1',
    endpoint: 'https://dli.cn-north-4.myhuaweicloud.com',
  };
  const fail = (status: number, body: string, headers: Record<string, string> = {}) => {
    const r = interpretResponse(target, status, headers, body, ['SECRETSK123'], 0);
    if (!('error' in r)) throw new Error('expected a failure');
    return r.error;
  };

  it('takes the X-Request-Id header first, else the body, into details and the one-line message', () => {
    const both = fail(
      429,
      JSON.stringify({ error_code: 'APIG.0308', error_msg: 'throttled', request_id: 'body1' }),
      {
        'x-request-id': ID,
      },
    );
    expect(both.details).toMatchObject({
      httpStatus: 429,
      errorCode: 'APIG.0308',
      requestId: ID,
      retryable: true,
    });
    expect(both.message).toBe(
      `DLI list connections failed for cn-north-4/p1: HTTP 429, APIG.0308: throttled (request id ${ID})`,
    );
    const bodyOnly = fail(
      401,
      JSON.stringify({ error_code: 'APIG.0301', error_msg: 'sig', request_id: 'body1' }),
    );
    expect(bodyOnly.details.requestId).toBe('body1');
    expect(bodyOnly.message).toMatch(/ \(request id body1\)$/);
    const none = fail(400, JSON.stringify({ error_code: 'DLI.0001', error_msg: 'bad' }));
    expect(none.details.requestId).toBeNull();
    expect(none.message).not.toContain('request id');
  });

  it('keeps the id of unrecognized, non-JSON and is_success:false answers', () => {
    expect(fail(502, '<html>Bad Gateway</html>', { 'x-request-id': ID }).details.requestId).toBe(ID);
    expect(fail(500, '{"weird":true}', { 'x-request-id': ID }).message).toMatch(
      /unrecognized JSON error body .* \(request id [0-9a-f]{32}\)$/,
    );
    const soft = fail(200, '{"is_success":false,"message":"no","error_code":"DLI.0013"}', {
      'x-request-id': ID,
    });
    expect(soft.details).toMatchObject({ errorCode: 'DLI.0013', requestId: ID });
  });

  it('reads every SDK shape into code and message, never a credential, always one line', () => {
    const nested = fail(
      401,
      JSON.stringify({ error: { code: 'APIG.0301', message: 'sk SECRETSK123\nleaked' } }),
    );
    expect(nested.details.errorCode).toBe('APIG.0301');
    expect(nested.message).toBe(
      'DLI list connections failed for cn-north-4/p1: HTTP 401, APIG.0301: sk [redacted] leaked',
    );
    const codeMessage = fail(
      404,
      JSON.stringify({ code: 'DLI.0023', message: 'no related resources found' }),
    );
    expect(codeMessage.message).toContain('HTTP 404, DLI.0023: no related resources found');
    const echoed = fail(400, JSON.stringify({ error_code: 'SECRETSK123', error_msg: 'x' }));
    expect(echoed.details.errorCode).toBe('[redacted]');
    expect(
      fail(400, '{"error_code":"A","error_msg":"m"}', { 'x-request-id': 'a\nb' }).details.requestId,
    ).toBeNull();
  });
});
