import { describe, expect, it } from 'vitest';
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  EMPTY_BODY_SHA256,
  formatSdkDate,
  parseAuthorization,
  parseQuery,
  parseSdkDate,
  signRequest,
  splitUrl,
} from '../../../lib/dli/sign.ts';

const AK = 'AccessKey';
const SK = 'SecretKey';
const at = (iso: string): Date => new Date(iso);
const signatureOf = (authorization: string | undefined): string | undefined =>
  authorization ? parseAuthorization(authorization)?.signature : undefined;

// Every vector from shared/reference/huawei-signing.md, "Official test vectors".
describe('official vectors', () => {
  it('1: GET, only x-sdk-date signed (canonical request and header)', () => {
    const { canonical } = canonicalRequest({
      method: 'GET',
      target: '/path?limit=1',
      headers: { 'X-Sdk-Date': '20060102T150405Z' },
    });
    expect(canonical).toBe(
      `GET\n/path/\nlimit=1\nx-sdk-date:20060102T150405Z\n\nx-sdk-date\n${EMPTY_BODY_SHA256}`,
    );
    const added = signRequest({
      method: 'GET',
      url: 'https://example.huaweicloud.com/path?limit=1',
      ak: AK,
      sk: SK,
      date: at('2006-01-02T15:04:05Z'),
      signHost: false,
    });
    expect(added['X-Sdk-Date']).toBe('20060102T150405Z');
    expect(added.Authorization).toBe(
      'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624',
    );
  });

  it('2: POST with a body ending in a newline', () => {
    const added = signRequest({
      method: 'POST',
      url: 'https://example.huaweicloud.com/path?key=value',
      body: '{"Name":"test","Id":1}\n',
      ak: AK,
      sk: SK,
      date: at('2006-01-02T15:04:05Z'),
      signHost: false,
    });
    expect(added.Authorization).toContain('SignedHeaders=x-sdk-date,');
    expect(signatureOf(added.Authorization)).toBe(
      'cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59',
    );
  });

  it('3: host;x-sdk-date signed, GET and POST', () => {
    const base = {
      url: 'https://service.endpoint.myhuaweicloud.com/resources?size=1',
      ak: AK,
      sk: SK,
      date: at('2020-06-08T02:39:00Z'),
    };
    const get = signRequest({ ...base, method: 'GET' });
    expect(get.Authorization).toContain('SignedHeaders=host;x-sdk-date,');
    expect(signatureOf(get.Authorization)).toBe(
      'cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842',
    );
    const post = signRequest({ ...base, method: 'POST', body: '{"name":"test","id":1}' });
    expect(signatureOf(post.Authorization)).toBe(
      '436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f',
    );
  });

  it('4: content-type;host;x-sdk-date with real-looking keys', () => {
    const added = signRequest({
      method: 'GET',
      url: 'https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
      headers: { 'Content-Type': 'application/json' },
      ak: 'QTWAOYTTINDUT2QVKYUC',
      sk: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc',
      date: at('2019-11-15T03:36:55Z'),
    });
    expect(added.Authorization).toBe(
      'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
  });

  it('5: canonical query encoding (UTF-8, reserved characters, repeated key)', () => {
    const expected =
      'enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29';
    const params = [
      { key: 'test', value: '一 (&=?!#%.*)' },
      { key: 'path', value: '/tmp/123' },
      { key: 'multi', value: '3' },
      { key: 'multi', value: '1' },
      { key: 'multi', value: '2' },
      { key: 'limit', value: '1' },
      { key: 'enable', value: 'true' },
    ];
    expect(canonicalQuery(params)).toBe(expected);
    // The same parameters, as they arrive on the wire, canonicalize the same way.
    const wire = `test=${encodeURIComponent('一 (&=?!#%.*)')}&path=/tmp/123&multi=3&multi=1&multi=2&limit=1&enable=true`;
    expect(canonicalQuery(parseQuery(wire))).toBe(expected);
  });
});

describe('canonicalization details', () => {
  it('appends a trailing slash to the signed path only, and encodes segments once', () => {
    expect(canonicalUri('/v2.0/abc/datasource/enhanced-connections')).toBe(
      '/v2.0/abc/datasource/enhanced-connections/',
    );
    expect(canonicalUri('/')).toBe('/');
    expect(canonicalUri('/a%20b/%E4%B8%80')).toBe('/a%20b/%E4%B8%80/');
    expect(canonicalUri('/a b/一')).toBe('/a%20b/%E4%B8%80/');
    // A `%` that is not an escape is a literal percent sign.
    expect(canonicalUri('/100%/x')).toBe('/100%25/x/');
  });

  it('treats empty and valueless query parameters alike', () => {
    expect(canonicalQuery(parseQuery('b=&a'))).toBe('a=&b=');
  });

  it('signs and adds X-Security-Token for temporary credentials', () => {
    const added = signRequest({
      method: 'GET',
      url: 'https://h.example.com/x',
      ak: AK,
      sk: SK,
      securityToken: 'tok',
      date: at('2024-01-01T00:00:00Z'),
    });
    expect(added['X-Security-Token']).toBe('tok');
    expect(added.Authorization).toContain('SignedHeaders=host;x-sdk-date;x-security-token,');
  });

  it('keeps the request-target verbatim and the port in host', () => {
    expect(splitUrl('http://127.0.0.1:8080/a%20b?x=1#f')).toEqual({
      host: '127.0.0.1:8080',
      target: '/a%20b?x=1#f',
    });
    expect(splitUrl('https://h.example.com')).toEqual({ host: 'h.example.com', target: '/' });
    expect(splitUrl('https://h.example.com:443/p')).toEqual({ host: 'h.example.com', target: '/p' });
  });

  it('formats and parses X-Sdk-Date', () => {
    expect(formatSdkDate(at('2020-06-08T02:39:00.123Z'))).toBe('20200608T023900Z');
    expect(parseSdkDate('20200608T023900Z')?.toISOString()).toBe('2020-06-08T02:39:00.000Z');
    expect(parseSdkDate('2020-06-08')).toBeNull();
  });

  it('parses an Authorization header and rejects others', () => {
    expect(
      parseAuthorization('SDK-HMAC-SHA256 Access=A, SignedHeaders=host;x-sdk-date, Signature=ab12'),
    ).toEqual({
      ak: 'A',
      signedHeaders: ['host', 'x-sdk-date'],
      signature: 'ab12',
    });
    expect(parseAuthorization('Bearer x')).toBeNull();
  });
});
