/**
 * IAM password authentication: `POST {iam}/v3/auth/tokens` with the documented password identity,
 * scoped to the target's project. The token comes back in `X-Subject-Token`; it is cached until five
 * minutes before its `expires_at`, and concurrent callers share one request.
 */

import { request } from 'undici';
import { z } from 'zod';
import { DliApiError } from '../errors.ts';
import type { Target } from '../model/schemas.ts';
import { targetLabel } from '../model/target.ts';
import { defaultEndpoint, parseEndpoint } from '../validate.ts';
import type { Credentials } from './types.ts';

type IamCredentials = Extract<Credentials, { kind: 'iam' }>;

export interface IamOptions {
  connectTimeoutMs?: number;
  readTimeoutMs?: number;
  signal?: AbortSignal;
  now?: () => number;
}

/** A token is renewed this long before IAM says it expires, so no request carries a dying token. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

const TokenBodySchema = z.looseObject({
  token: z.looseObject({ expires_at: z.string() }),
});
/** IAM answers errors as `{"error":{"code","message"}}`; the gateway as `{"error_code","error_msg"}`. */
const IamErrorSchema = z.looseObject({
  error: z
    .looseObject({ code: z.union([z.string(), z.number()]).nullish(), message: z.string().nullish() })
    .nullish(),
  error_code: z.string().nullish(),
  error_msg: z.string().nullish(),
});

interface CachedToken {
  token: string;
  expiresAt: number;
}

const cache = new Map<string, CachedToken>();
const inflight = new Map<string, Promise<CachedToken>>();

function iamOrigin(target: Target, c: IamCredentials): string {
  return c.iamEndpoint
    ? parseEndpoint(c.iamEndpoint, 'HUAWEICLOUD_SDK_IAM_ENDPOINT')
    : defaultEndpoint('iam', target.region);
}

const cacheKey = (target: Target, c: IamCredentials): string =>
  JSON.stringify([iamOrigin(target, c), c.domainName, c.userName, target.projectId]);

export function passwordAuthBody(c: IamCredentials, projectId: string): string {
  return JSON.stringify({
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: c.userName, password: c.password, domain: { name: c.domainName } } },
      },
      scope: { project: { id: projectId } },
    },
  });
}

function iamError(
  target: Target,
  detail: string,
  status: number | null,
  code: string | null,
  retryable: boolean,
) {
  const where = targetLabel(target);
  const statusText = status === null ? 'no HTTP status' : `HTTP ${status}`;
  return new DliApiError(
    `IAM token request failed for ${where}: ${statusText}, ${code ?? 'no error_code'}: ${detail}`,
    {
      target: where,
      httpStatus: status,
      errorCode: code,
      retryable,
    },
  );
}

async function fetchToken(target: Target, c: IamCredentials, opts: IamOptions): Promise<CachedToken> {
  const origin = iamOrigin(target, c);
  const readTimeout = opts.readTimeoutMs ?? 30_000;
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(`${origin}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json;charset=utf8', accept: 'application/json' },
      body: passwordAuthBody(c, target.projectId),
      headersTimeout: readTimeout,
      bodyTimeout: readTimeout,
      signal: opts.signal,
    });
  } catch (err) {
    const e = err as { code?: unknown; name?: unknown };
    const what = typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : 'unknown error';
    throw iamError(target, `network error (${what})`, null, null, true);
  }
  const text = await res.body.text().catch(() => '');
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // handled below: a token answer must be JSON
  }
  const status = res.statusCode;
  if (status < 200 || status > 299) {
    const body = IamErrorSchema.safeParse(json);
    const code = body.success
      ? (body.data.error_code ?? (body.data.error?.code != null ? String(body.data.error.code) : null))
      : null;
    const msg = body.success
      ? (body.data.error_msg ?? body.data.error?.message ?? 'no error message')
      : 'non-JSON body';
    // IAM's own text about our request; one line.
    // Blank the password before cutting: a cut through an echoed password would leave its first characters.
    const line = msg.split(c.password).join('[redacted]').replace(/\s+/g, ' ').slice(0, 200);
    throw iamError(target, line, status, code, status === 429 || status >= 500);
  }
  const header = res.headers['x-subject-token'];
  const token = Array.isArray(header) ? header[0] : header;
  if (!token) throw iamError(target, 'no X-Subject-Token header in the answer', status, null, true);
  const body = TokenBodySchema.safeParse(json);
  const expiresAt = body.success ? Date.parse(body.data.token.expires_at) : Number.NaN;
  if (Number.isNaN(expiresAt))
    throw iamError(target, 'no valid token.expires_at in the answer', status, null, true);
  return { token, expiresAt };
}

/** A valid token for the target's project, from the cache or from IAM. Throws DliApiError. */
export async function getIamToken(target: Target, c: IamCredentials, opts: IamOptions = {}): Promise<string> {
  const now = opts.now ?? Date.now;
  const key = cacheKey(target, c);
  const cached = cache.get(key);
  if (cached && now() < cached.expiresAt - TOKEN_REFRESH_MARGIN_MS) return cached.token;
  let pending = inflight.get(key);
  if (!pending) {
    pending = fetchToken(target, c, opts).finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  const fresh = await pending;
  // A token already inside the margin is used for this request but not kept.
  if (now() < fresh.expiresAt - TOKEN_REFRESH_MARGIN_MS) cache.set(key, fresh);
  else cache.delete(key);
  return fresh.token;
}

/** Forgets the cached token (e.g. after a 401), so the next call asks IAM again. */
export function invalidateIamToken(target: Target, c: IamCredentials): void {
  cache.delete(cacheKey(target, c));
}

export function clearIamTokenCache(): void {
  cache.clear();
}
