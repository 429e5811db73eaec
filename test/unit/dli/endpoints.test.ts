import { describe, expect, it } from 'vitest';
import { assertEndpoint, endpointFor, iamEndpointFor, isLoopbackHost } from '../../../lib/dli/endpoints.ts';
import { ConfigError } from '../../../lib/errors.ts';

describe('endpointFor', () => {
  it('builds the regional endpoint, with the .eu exception', () => {
    expect(endpointFor('cn-north-4')).toBe('https://dli.cn-north-4.myhuaweicloud.com');
    expect(endpointFor('ap-southeast-1')).toBe('https://dli.ap-southeast-1.myhuaweicloud.com');
    expect(endpointFor('eu-west-101')).toBe('https://dli.eu-west-101.myhuaweicloud.eu');
    expect(iamEndpointFor('eu-west-101')).toBe('https://iam.eu-west-101.myhuaweicloud.eu');
    expect(iamEndpointFor('cn-north-4')).toBe('https://iam.cn-north-4.myhuaweicloud.com');
  });

  it('rejects malformed regions', () => {
    for (const bad of ['', 'cn', 'CN-NORTH-4', 'cn-north', 'cn-north-4.evil.com', 'cn-north-4/x', '../x-1']) {
      expect(() => endpointFor(bad), bad).toThrow(ConfigError);
    }
  });

  it('accepts an https override (origin only) and plain http only on loopback', () => {
    expect(endpointFor('cn-north-4', 'https://dli.example.com/')).toBe('https://dli.example.com');
    expect(endpointFor('cn-north-4', 'http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(endpointFor('cn-north-4', 'http://localhost:1')).toBe('http://localhost:1');
    expect(endpointFor('cn-north-4', 'http://[::1]:9')).toBe('http://[::1]:9');
    expect(() => endpointFor('cn-north-4', 'http://10.0.0.1')).toThrow(/only https/);
    expect(() => endpointFor('cn-north-4', 'http://127.0.0.1.nip.io')).toThrow(/only https/);
    expect(() => endpointFor('cn-north-4', 'ftp://127.0.0.1')).toThrow(ConfigError);
    expect(() => assertEndpoint('not a url', 'x')).toThrow(/not an absolute URL/);
    expect(() => assertEndpoint('https://user:pw@h.example.com', 'x')).toThrow(/credentials in the URL/);
  });

  it('knows loopback hosts', () => {
    expect(isLoopbackHost('127.255.0.1')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('LOCALHOST')).toBe(true);
  });
});
