/**
 * One page of "list enhanced datasource connections", over a keep-alive undici Pool per endpoint
 * origin, with timeouts and bounded, jittered retries. Every failure becomes a DliApiError whose
 * one-line message names the target, the HTTP status and DLI's error_code, and never a credential.
 */

import { Pool } from 'undici';
import { backoffMs } from '../backoff.ts';
import { DliApiError } from '../errors.ts';
import type { Target } from '../model/schemas.ts';
import { targetLabel } from '../model/target.ts';
import { parseEndpoint } from '../validate.ts';
import { agencyCredentials, invalidateAgencyCredentials } from './agency.ts';
import { cleanRequestId, parseErrorBody } from './error-body.ts';
import { getIamToken, invalidateIamToken } from './iam.ts';
import { type ListPage, ListPageSchema } from './schema.ts';
import { encodeComponent, signRequest } from './sign.ts';
import type { Credentials } from './types.ts';

export interface PageQuery {
  limit: number;
  offset: number;
  /** Optional API filters, passed through as documented. */
  status?: string;
  name?: string;
  tags?: string;
}

export interface RetryPolicy {
  /** Total attempts per page, first one included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the page fails instead. */
  maxRetryAfterMs: number;
}

export interface ClientOptions {
  connectTimeoutMs?: number;
  /** Time allowed for the response headers, and separately for the body to arrive. */
  readTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Epoch ms after which no attempt starts and no retry waits. */
  deadline?: number;
  /** Called once per HTTP attempt (retries included), to count API requests. */
  onAttempt?: () => void;
  signal?: AbortSignal;
  /** Clocks and randomness, injectable for tests. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_READ_TIMEOUT_MS = 30_000;
const MAX_DETAIL_CHARS = 200;

const pools = new Map<string, Pool>();

/** The shared pool for an origin; the first caller's connect timeout wins for its lifetime. */
function poolFor(origin: string, connectTimeoutMs: number): Pool {
  let pool = pools.get(origin);
  if (!pool) {
    pool = new Pool(origin, {
      connections: 16,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
      connect: { timeout: connectTimeoutMs },
    });
    pools.set(origin, pool);
  }
  return pool;
}

/** Closes every pool (tests, CLI exit). Later requests open new ones. */
export async function closeDliPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close().catch(() => undefined)));
}

export function listPath(projectId: string, q: PageQuery): string {
  const params: [string, string][] = [
    ['limit', String(q.limit)],
    ['offset', String(q.offset)],
  ];
  if (q.status !== undefined) params.push(['status', q.status]);
  if (q.name !== undefined) params.push(['name', q.name]);
  if (q.tags !== undefined) params.push(['tags', q.tags]);
  const query = params.map(([k, v]) => `${k}=${encodeComponent(v)}`).join('&');
  return `/v2.0/${encodeComponent(projectId)}/datasource/enhanced-connections?${query}`;
}

/** Strings that must never reach a message or a log. */
function secretsOf(c: Credentials): string[] {
  switch (c.kind) {
    case 'aksk':
      return [c.ak, c.sk, c.securityToken ?? ''];
    case 'token':
      return [c.token];
    case 'iam':
      return [c.password];
    case 'agency':
      return [c.base.ak, c.base.sk];
  }
}

/** One line, bounded, with any credential the server might have echoed blanked out. */
export function sanitize(text: string, secrets: readonly string[]): string {
  let out = text.replace(/\s+/g, ' ').trim();
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out.length > MAX_DETAIL_CHARS ? `${out.slice(0, MAX_DETAIL_CHARS)}…` : out;
}

/** Parses Retry-After (delta seconds or HTTP date) to milliseconds from now; null when absent or invalid. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return null;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

interface Failure {
  error: DliApiError;
  retryAfterMs: number | null;
  /** A rejected IAM token: fetch a fresh one and try again once. */
  tokenRejected?: boolean;
}

function failure(
  target: Target,
  detail: string,
  httpStatus: number | null,
  errorCode: string | null,
  retryable: boolean,
  retryAfterMs: number | null = null,
  requestId: string | null = null,
): Failure {
  const status = httpStatus === null ? 'no HTTP status' : `HTTP ${httpStatus}`;
  const code = errorCode ?? 'no error_code';
  const id = requestId === null ? '' : ` (request id ${requestId})`;
  const message = `DLI list connections failed for ${targetLabel(target)}: ${status}, ${code}: ${detail}${id}`;
  return {
    error: new DliApiError(message, {
      target: targetLabel(target),
      httpStatus,
      errorCode,
      retryable,
      requestId,
    }),
    retryAfterMs,
  };
}

/** Credentials dli-sync obtains itself and can therefore obtain again after a 401. */
const isRenewable = (
  c: Credentials,
): c is Extract<Credentials, { kind: 'iam' }> | Extract<Credentials, { kind: 'agency' }> =>
  c.kind === 'iam' || c.kind === 'agency';

const isRetryableStatus = (s: number): boolean => s === 408 || s === 429 || s >= 500;

/** Interprets one HTTP answer. Pure, so every body shape can be tested without a server. */
export function interpretResponse(
  target: Target,
  status: number,
  headers: Record<string, string | string[] | undefined>,
  text: string,
  secrets: readonly string[],
  nowMs: number,
): { page: ListPage } | Failure {
  let json: unknown;
  let parsed = true;
  try {
    json = JSON.parse(text);
  } catch {
    parsed = false;
  }
  const body = parsed ? parseErrorBody(json) : null;
  // The header first, as the SDK does; the body's id (APIG sends one) when a proxy dropped the header.
  const requestId = cleanRequestId(headers['x-request-id']) ?? cleanRequestId(body?.requestId);
  // Codes come from the server: bounded and scrubbed like any text quoted from it.
  const code = body?.code == null ? null : sanitize(body.code, secrets);
  if (status < 200 || status > 299) {
    const retryAfter = parseRetryAfter(headers['retry-after'], nowMs);
    const retryable = isRetryableStatus(status);
    if (body) {
      const msg = sanitize(body.message ?? 'no error message', secrets);
      return failure(target, msg, status, code, retryable, retryAfter, requestId);
    }
    const type = String(headers['content-type'] ?? 'no content type').split(';')[0];
    const what = `${parsed ? 'unrecognized JSON' : 'non-JSON'} error body (${type}, ${text.length} chars)`;
    return failure(target, what, status, null, retryable, retryAfter, requestId);
  }
  if (!parsed) {
    // A cut-off or garbled 2xx body is most likely a transient gateway or network fault: retry it.
    const what = `unparseable response body (${text.length} chars)`;
    return failure(target, what, status, null, true, null, requestId);
  }
  const page = ListPageSchema.safeParse(json);
  if (!page.success) {
    const issue = page.error.issues[0];
    const where = issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'unknown';
    const what = `unexpected response shape (${sanitize(where, secrets)})`;
    return failure(target, what, status, null, false, null, requestId);
  }
  if (page.data.is_success === false) {
    const msg = `is_success=false: ${sanitize(page.data.message ?? 'no message', secrets)}`;
    return failure(target, msg, status, code, false, null, requestId);
  }
  return { page: page.data };
}

/** Undici and socket errors, described by code or name only (their messages may quote a URL). */
function networkFailure(target: Target, err: unknown, deadlineHit: boolean): Failure {
  if (deadlineHit) return failure(target, 'deadline reached while waiting for the page', null, null, false);
  const e = err as { code?: unknown; name?: unknown };
  const what = typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : 'unknown error';
  return failure(target, `network error (${what})`, null, null, true);
}

async function authHeaders(
  target: Target,
  credentials: Credentials,
  url: string,
  nowMs: number,
  opts: ClientOptions,
): Promise<Record<string, string>> {
  switch (credentials.kind) {
    case 'aksk':
      return signRequest({
        method: 'GET',
        url,
        ak: credentials.ak,
        sk: credentials.sk,
        securityToken: credentials.securityToken,
        date: new Date(nowMs),
      });
    case 'token':
      return { 'X-Auth-Token': credentials.token };
    case 'iam':
      return { 'X-Auth-Token': await getIamToken(target, credentials, opts) };
    case 'agency': {
      const temporary = await agencyCredentials(credentials, { now: opts.now });
      return signRequest({ method: 'GET', url, ...temporary, date: new Date(nowMs) });
    }
  }
}

async function attemptOnce(
  target: Target,
  origin: string,
  path: string,
  credentials: Credentials,
  opts: ClientOptions,
): Promise<{ page: ListPage } | Failure> {
  const now = opts.now ?? Date.now;
  const secrets = secretsOf(credentials);
  const readTimeout = opts.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  const remaining = opts.deadline === undefined ? Number.POSITIVE_INFINITY : opts.deadline - now();
  if (remaining <= 0) return failure(target, 'deadline reached before the request', null, null, false);
  let headers: Record<string, string>;
  try {
    headers = {
      accept: 'application/json',
      ...(await authHeaders(target, credentials, origin + path, now(), opts)),
    };
    // The token obtained for an IAM user is a credential too: a gateway may echo X-Auth-Token.
    if (headers['X-Auth-Token']) secrets.push(headers['X-Auth-Token']);
    if (headers['X-Security-Token']) secrets.push(headers['X-Security-Token']);
  } catch (err) {
    if (err instanceof DliApiError) return { error: err, retryAfterMs: null };
    throw err;
  }
  const deadlineSignal = Number.isFinite(remaining) ? AbortSignal.timeout(Math.ceil(remaining)) : undefined;
  const signals = [opts.signal, deadlineSignal].filter((s): s is AbortSignal => s !== undefined);
  const signal =
    signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  opts.onAttempt?.();
  try {
    const res = await poolFor(origin, opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS).request({
      method: 'GET',
      path,
      headers,
      headersTimeout: readTimeout,
      bodyTimeout: readTimeout,
      signal,
    });
    const text = await res.body.text();
    const result = interpretResponse(target, res.statusCode, res.headers, text, secrets, now());
    if ('error' in result && isRenewable(credentials) && res.statusCode === 401) result.tokenRejected = true;
    return result;
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    return networkFailure(target, err, deadlineSignal?.aborted === true);
  }
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Fetches one page. Retries 408, 429, 5xx, network errors and garbled 2xx bodies; honours Retry-After;
 * never retries other 4xx or `is_success:false`. Throws DliApiError when the page cannot be had.
 */
export async function listConnectionsPage(
  target: Target,
  query: PageQuery,
  credentials: Credentials,
  opts: ClientOptions = {},
): Promise<ListPage> {
  const origin = parseEndpoint(target.endpoint, `the endpoint of ${targetLabel(target)}`);
  const path = listPath(target.projectId, query);
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...opts.retry };
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  let tokenRefreshed = false;
  for (let attempt = 1; ; attempt++) {
    const result = await attemptOnce(target, origin, path, credentials, opts);
    if ('page' in result) return result.page;
    if (result.tokenRejected && !tokenRefreshed && isRenewable(credentials)) {
      // A cached token can be revoked before it expires: get a fresh one, once, without using a retry.
      tokenRefreshed = true;
      if (credentials.kind === 'iam') invalidateIamToken(target, credentials);
      else invalidateAgencyCredentials(credentials);
      attempt--;
      continue;
    }
    if (!result.error.details.retryable || attempt >= policy.attempts) throw result.error;
    const delay = result.retryAfterMs ?? backoffMs(attempt, policy, random);
    if (delay > policy.maxRetryAfterMs) throw result.error;
    if (opts.deadline !== undefined && now() + delay >= opts.deadline) throw result.error;
    await sleep(delay, opts.signal);
  }
}
