/**
 * Where a region's DLI (and IAM) API lives, and which endpoint URLs we are willing to send credentials to.
 */
import { ConfigError } from '../errors.ts';

/** Huawei region ids: `cn-north-4`, `ap-southeast-1`, `eu-west-101`, `la-north-2`, `cn-southwest-2`... */
const REGION = /^[a-z]{2,}(-[a-z]+)+-\d{1,3}$/;

/** Regions served from the `.eu` sovereign domain instead of `myhuaweicloud.com`. */
const EU_DOMAIN_REGIONS = new Set(['eu-west-101']);

export function assertRegion(region: string): void {
  if (!REGION.test(region)) {
    throw new ConfigError(`invalid region "${region}": expected a Huawei Cloud region id such as cn-north-4`);
  }
}

function domainFor(region: string): string {
  return EU_DOMAIN_REGIONS.has(region) ? 'myhuaweicloud.eu' : 'myhuaweicloud.com';
}

/** `https://dli.{region}.myhuaweicloud.com` (`.eu` for eu-west-101), or the validated override. */
export function endpointFor(region: string, override?: string): string {
  assertRegion(region);
  if (override !== undefined && override !== '') return assertEndpoint(override, `region ${region}`);
  return `https://dli.${region}.${domainFor(region)}`;
}

/** `https://iam.{region}.myhuaweicloud.com` (`.eu` for eu-west-101), or the validated override. */
export function iamEndpointFor(region: string, override?: string): string {
  assertRegion(region);
  if (override !== undefined && override !== '') return assertEndpoint(override, `IAM of region ${region}`);
  return `https://iam.${region}.${domainFor(region)}`;
}

/** True for 127.0.0.0/8, localhost and [::1]: the only hosts we talk plain http to. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === 'localhost' || h === '[::1]' || h === '::1') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Validates an endpoint base URL and returns its origin (no path, no trailing slash). Credentials
 * and tokens travel in headers, so anything but https is refused unless it stays on this machine.
 */
export function assertEndpoint(endpoint: string, what: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigError(`invalid endpoint for ${what}: "${endpoint}" is not an absolute URL`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(`invalid endpoint for ${what}: credentials in the URL are not allowed`);
  }
  if (url.protocol === 'https:') return url.origin;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url.origin;
  throw new ConfigError(
    `refusing endpoint ${url.origin} for ${what}: only https is allowed (plain http only to 127.0.0.0/8, localhost or [::1])`,
  );
}
