/**
 * Huawei Cloud SDK-HMAC-SHA256 request signing, pure (node:crypto only, no I/O, no clock unless asked).
 *
 * The same canonicalization serves the client (to sign) and the local emulator (to verify), so both
 * are built from the request *as sent on the wire*: the path and query are percent-decoded to bytes
 * and re-encoded with the one canonical rule. This matches the Go SDK (which signs the unencoded path)
 * and the Python SDK (which unquotes the path before encoding it), whatever escaping the sender chose.
 */
import { createHash, createHmac } from 'node:crypto';

export const ALGORITHM = 'SDK-HMAC-SHA256';
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const HEX = '0123456789ABCDEF';
/** A-Z a-z 0-9 - _ . ~ stay as they are; every other byte becomes %XX. */
const UNRESERVED = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~')
  UNRESERVED[c.charCodeAt(0)] = 1;

/** Percent-encodes bytes with the signing alphabet (upper-case hex). */
export function encodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    out += UNRESERVED[b] === 1 ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

/** Percent-encodes a string's UTF-8 bytes (space → %20, `/` → %2F). */
export function encodeComponent(value: string): string {
  return encodeBytes(Buffer.from(value, 'utf8'));
}

const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/**
 * Decodes `%XX` escapes to bytes, leniently: a `%` not followed by two hex digits is kept as a
 * literal `%`, as Python's `unquote` does. `+` stays `+` (RFC 3986, not form encoding).
 */
export function decodeToBytes(value: string): Buffer {
  if (!value.includes('%')) return Buffer.from(value, 'utf8');
  const src = Buffer.from(value, 'utf8');
  const out = Buffer.alloc(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b === 0x25 && i + 2 < src.length && isHex(src[i + 1]!) && isHex(src[i + 2]!)) {
      out[n++] = Number.parseInt(String.fromCharCode(src[i + 1]!, src[i + 2]!), 16);
      i += 2;
    } else {
      out[n++] = b;
    }
  }
  return out.subarray(0, n);
}

/** Canonical URI: each `/`-segment decoded then encoded, with a trailing `/` (signed form only). */
export function canonicalUri(pathAsSent: string): string {
  const joined = pathAsSent
    .split('/')
    .map((segment) => encodeBytes(decodeToBytes(segment)))
    .join('/');
  return joined.endsWith('/') ? joined : `${joined}/`;
}

/** One query parameter, decoded. */
export interface QueryParam {
  key: string;
  value: string;
}

/** Splits a raw query string (without `?`) into decoded key/value pairs; `k` alone means `k=`. */
export function parseQuery(rawQuery: string): QueryParam[] {
  if (rawQuery === '') return [];
  return rawQuery
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      const rawKey = eq === -1 ? part : part.slice(0, eq);
      const rawValue = eq === -1 ? '' : part.slice(eq + 1);
      return { key: decodeToBytes(rawKey).toString('utf8'), value: decodeToBytes(rawValue).toString('utf8') };
    });
}

/** Plain UTF-16 code-unit order, the order JavaScript's default sort and the official Node signer use. */
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Canonical query: keys sorted, values of a repeated key sorted, each `key=value` encoded, joined by `&`. */
export function canonicalQuery(params: readonly QueryParam[]): string {
  const byKey = new Map<string, string[]>();
  for (const { key, value } of params) {
    const values = byKey.get(key);
    if (values) values.push(value);
    else byKey.set(key, [value]);
  }
  const parts: string[] = [];
  for (const key of [...byKey.keys()].sort(byCodeUnit)) {
    const encodedKey = encodeComponent(key);
    for (const value of byKey.get(key)!.sort(byCodeUnit))
      parts.push(`${encodedKey}=${encodeComponent(value)}`);
  }
  return parts.join('&');
}

/** Signed header names: lower case, sorted, de-duplicated. */
export function signedHeaderNames(headers: Readonly<Record<string, string>>): string[] {
  return [...new Set(Object.keys(headers).map((h) => h.toLowerCase()))].sort(byCodeUnit);
}

/** `name:trimmed value\n` for each signed header, in signed-name order (the block ends with `\n`). */
export function canonicalHeaders(
  headers: Readonly<Record<string, string>>,
  names: readonly string[],
): string {
  const lower = new Map<string, string>();
  for (const [k, v] of Object.entries(headers)) lower.set(k.toLowerCase(), v);
  return names.map((n) => `${n}:${(lower.get(n) ?? '').trim()}\n`).join('');
}

export const sha256Hex = (data: string | Uint8Array): string =>
  createHash('sha256').update(data).digest('hex');

/** Hex SHA-256 of the exact body bytes, unless `X-Sdk-Content-Sha256` says otherwise. */
export function payloadHash(
  body: string | Uint8Array | undefined,
  headers: Readonly<Record<string, string>>,
): string {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === 'x-sdk-content-sha256') return v;
  if (body === undefined || body.length === 0) return EMPTY_BODY_SHA256;
  return sha256Hex(body);
}

/** Splits a request-target (`/path?query#frag`) into its path and raw query, without normalizing. */
export function splitTarget(target: string): { path: string; query: string } {
  const noFragment = target.split('#', 1)[0] ?? '';
  const q = noFragment.indexOf('?');
  const path = q === -1 ? noFragment : noFragment.slice(0, q);
  return { path: path === '' ? '/' : path, query: q === -1 ? '' : noFragment.slice(q + 1) };
}

export interface CanonicalInput {
  method: string;
  /** The request-target exactly as sent: path plus optional `?query`. */
  target: string;
  /** Exactly the headers to sign (names in any case), including `X-Sdk-Date` and usually `host`. */
  headers: Readonly<Record<string, string>>;
  body?: string | Uint8Array | undefined;
}

/** The six-line canonical request, and the signed header list that goes with it. */
export function canonicalRequest(input: CanonicalInput): { canonical: string; signedHeaders: string } {
  const { path, query } = splitTarget(input.target);
  const names = signedHeaderNames(input.headers);
  const canonical = [
    input.method.toUpperCase(),
    canonicalUri(path),
    canonicalQuery(parseQuery(query)),
    canonicalHeaders(input.headers, names),
    names.join(';'),
    payloadHash(input.body, input.headers),
  ].join('\n');
  return { canonical, signedHeaders: names.join(';') };
}

export function stringToSign(sdkDate: string, canonical: string): string {
  return `${ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

export const hmacSha256Hex = (key: string, message: string): string =>
  createHmac('sha256', key).update(message).digest('hex');

/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function formatSdkDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Parses `YYYYMMDDTHHMMSSZ`; null when malformed. */
export function parseSdkDate(value: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** Signs a canonical input whose headers already hold `X-Sdk-Date`; returns the signature hex. */
export function computeSignature(
  input: CanonicalInput,
  sk: string,
): { signature: string; signedHeaders: string } {
  const dateEntry = Object.entries(input.headers).find(([k]) => k.toLowerCase() === 'x-sdk-date');
  if (!dateEntry) throw new TypeError('X-Sdk-Date must be among the signed headers');
  const { canonical, signedHeaders } = canonicalRequest(input);
  return { signature: hmacSha256Hex(sk, stringToSign(dateEntry[1], canonical)), signedHeaders };
}

export function authorizationHeader(ak: string, signedHeaders: string, signature: string): string {
  return `${ALGORITHM} Access=${ak}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

/** The parts of an `Authorization: SDK-HMAC-SHA256 ...` header; null when it is not one. */
export function parseAuthorization(
  value: string,
): { ak: string; signedHeaders: string[]; signature: string } | null {
  const m =
    /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$/.exec(
      value,
    );
  if (!m) return null;
  return { ak: m[1]!, signedHeaders: m[2]!.split(';'), signature: m[3]! };
}

export interface SignRequestInput {
  method: string;
  /** Absolute URL as it will be sent; the path and query are taken verbatim from the string. */
  url: string;
  /** Extra headers that will be sent and must be signed (e.g. Content-Type, X-Project-Id). */
  headers?: Readonly<Record<string, string>>;
  body?: string | Uint8Array;
  ak: string;
  sk: string;
  /** Temporary credentials: sent as X-Security-Token and signed. */
  securityToken?: string | undefined;
  /** Signing time; defaults to now. */
  date?: Date;
  /** Sign `host` (default true). The official vectors 1 and 2 sign only `x-sdk-date`. */
  signHost?: boolean;
}

/** Host and request-target of an absolute URL string, the target kept byte for byte. */
export function splitUrl(url: string): { host: string; target: string } {
  const host = new URL(url).host;
  const afterScheme = url.indexOf('://');
  const rest = afterScheme === -1 ? url : url.slice(afterScheme + 3);
  const slash = rest.search(/[/?#]/);
  const target = slash === -1 ? '/' : rest.slice(slash);
  return { host, target: target.startsWith('/') ? target : `/${target}` };
}

/**
 * Signs a request. Returns the headers to ADD to it: `X-Sdk-Date`, `Authorization` and, for temporary
 * credentials, `X-Security-Token`. The caller must send `Host` as the URL's host (undici does).
 */
export function signRequest(input: SignRequestInput): Record<string, string> {
  const { host, target } = splitUrl(input.url);
  const sdkDate = formatSdkDate(input.date ?? new Date());
  const toSign: Record<string, string> = { ...input.headers, 'X-Sdk-Date': sdkDate };
  if (input.signHost !== false) toSign.host = host;
  if (input.securityToken) toSign['X-Security-Token'] = input.securityToken;
  const { signature, signedHeaders } = computeSignature(
    { method: input.method, target, headers: toSign, body: input.body },
    input.sk,
  );
  const added: Record<string, string> = {
    'X-Sdk-Date': sdkDate,
    Authorization: authorizationHeader(input.ak, signedHeaders, signature),
  };
  if (input.securityToken) added['X-Security-Token'] = input.securityToken;
  return added;
}
