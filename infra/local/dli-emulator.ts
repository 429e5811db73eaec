/**
 * A local stand-in for the DLI "list enhanced datasource connections" API and the IAM token API (and
 * target resolution's IAM side: projects, assume-role, in infra/local/iam-emulator.ts), on
 * node:http. It verifies AK/SK signatures with the same canonicalization as the client, but from the
 * request as received, so a client that signs something other than what it sends is caught here.
 * Faults the real service may show (429, 5xx, HTML pages, cut bodies, shifting lists...) are switchable.
 *
 * Standalone: `npx tsx infra/local/dli-emulator.ts` with HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK set.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import {
  computeSignature,
  parseAuthorization,
  parseQuery,
  parseSdkDate,
  splitTarget,
} from '../../lib/dli/sign.ts';
import { createIamSide, DENIED_ERROR, type EmulatorAccount, NOT_ENABLED_ERROR } from './iam-emulator.ts';

/** `times` counts list requests the fault still applies to (Infinity: until cleared). */
export interface EmulatorFaults {
  /** 429 with this Retry-After value (seconds or an HTTP date; omitted when undefined). */
  rateLimit?: { times: number; retryAfter?: string };
  /** 500 with a DLI error body. */
  serverError?: { times: number };
  /** 502 with an HTML page, as a gateway in front of the service would answer. */
  badGateway?: { times: number };
  /** 200 whose JSON is cut in half: `json` ends the response cleanly, `socket` drops the connection. */
  truncated?: { times: number; mode?: 'json' | 'socket' };
  /** 200 with `{"is_success": false, ...}`. */
  isSuccessFalse?: { times: number; message?: string };
  /** Extra latency on top of `latencyMs`. */
  slow?: { times: number; ms: number };
  /** `count` as the total of matching connections (default) or as the size of the page. */
  countMode?: 'total' | 'page';
  /** Added to `count`: a server whose count disagrees with its own listing. */
  countDelta?: number;
  /** Answer every page as if offset were 0. */
  ignoreOffset?: boolean;
  /**
   * Serve at most this many records a page, whatever `limit` asks (no official source documents a
   * maximum; a real server or its gateway may cap pages). Overrides the option of the same name.
   */
  maxPageSize?: number;
  /** `limit=0`: all connections as documented (default), or ignored (the default page size, 100). */
  limitZero?: 'all' | 'ignore';
  /** Answer without the X-Request-Id header (the body's request_id, where there is one, stays). */
  noRequestIdHeader?: boolean;
  /** This status and JSON body instead of the page: any error shape a server or gateway may send. */
  errorBody?: { times: number; status: number; body: unknown };
  /** Right after the `afterRequests`-th list request (counted from setFaults) is answered, change the data. */
  mutate?: { afterRequests: number; projectId: string; create?: unknown[]; deleteIds?: string[] };
}

export interface IamUser {
  domainName: string;
  userName: string;
  password: string;
}

export interface DliEmulatorOptions {
  /** AK → SK pairs whose signatures are accepted. */
  credentials: Record<string, string>;
  /** Delay before every list answer (a page's server time). */
  latencyMs?: number;
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Port; default 0 (a free one). */
  port?: number;
  /** AK → security token: requests with that AK must carry and sign exactly this token. */
  securityTokens?: Record<string, string>;
  /** Users that may get a token from `POST /v3/auth/tokens`. */
  iamUsers?: IamUser[];
  /** Lifetime of issued tokens; default 24 h as IAM's. */
  tokenTtlMs?: number;
  /** The emulator's clock (for skew tests); default Date.now. */
  now?: () => number;
  /** Serve at most this many records a page (see EmulatorFaults.maxPageSize); default no cap. */
  maxPageSize?: number;
  /**
   * The gateway's error-code prefix: `APIG` as Huawei's API Gateway pages show it (default), or `APIGW`
   * as DLI's error-code page and the signing guide write it.
   */
  gatewayPrefix?: 'APIG' | 'APIGW';
  /**
   * IAM accounts (infra/local/iam-emulator.ts): account name → AK/SK, projects, agencies. An
   * account's AK (and an agency's temporary AK) may list only that account's projects.
   */
  accounts?: Record<string, EmulatorAccount>;
  /** Lifetime of assume-role credentials, overriding the request's duration_seconds (tests force refreshes). */
  stsTtlMs?: number;
  /** Projects where DLI answers 403 DENIED_ERROR (the caller lacks DLI permission there). */
  deniedProjects?: string[];
  /** Projects where DLI answers NOT_ENABLED_ERROR (DLI never enabled/authorized there). */
  notEnabledProjects?: string[];
}

export interface ListRequestInfo {
  projectId: string;
  limit: number;
  offset: number;
  /** 1-based number of this list request since start (or resetRequests). */
  n: number;
}

export interface DliEmulator {
  url: string;
  setConnections(projectId: string, records: unknown[]): void;
  getConnections(projectId: string): unknown[];
  /** List requests received (answered with data or an error) since start or resetRequests. */
  requests(): number;
  /** The most list requests that were in progress at once since start or resetRequests. */
  maxConcurrent(): number;
  resetRequests(): void;
  /** Token requests received by the IAM endpoint. */
  iamRequests(): number;
  /** Project-list and assume-role requests received (the IAM side of target resolution). */
  discoveryRequests(): number;
  /** Sets a project's DLI access as deniedProjects / notEnabledProjects do; null: normal again. */
  setProjectAccess(projectId: string, access: 'denied' | 'not-enabled' | null): void;
  /** Makes every assume-role credential issued so far invalid at once. */
  revokeTemporaryCredentials(): void;
  /** The request id of the latest answer (sent as X-Request-Id unless noRequestIdHeader). */
  lastRequestId(): string | null;
  setFaults(faults: EmulatorFaults): void;
  /** Called for every authenticated list request, before it is answered; may change the data. */
  onListRequest(hook: ((info: ListRequestInfo) => void) | null): void;
  /** A token as IAM would issue it, accepted in X-Auth-Token. */
  issueToken(projectId?: string, ttlMs?: number): string;
  revokeTokens(): void;
  close(): Promise<void>;
}

/**
 * The gateway's answer to a bad or missing signature, as APIG sends it (code and text from its docs;
 * each answer also carries `request_id`, the same id as its X-Request-Id header).
 */
export const SIGNATURE_ERROR = {
  error_code: 'APIG.0301',
  error_msg: 'Incorrect IAM authentication information: verify aksk signature fail',
} as const;
/**
 * Our answer to an X-Sdk-Date too far from the server clock. The real gateway's code for this case is
 * not in our references; what matters is that it differs from a wrong key, so the two can be told apart.
 */
export const CLOCK_SKEW_ERROR = {
  error_code: 'APIG.0303',
  error_msg: 'request expired: X-Sdk-Date is more than 15 minutes away from the server time',
} as const;
const TOKEN_ERROR = {
  error_code: 'APIG.0301',
  error_msg: 'Incorrect IAM authentication information: decrypt token fail',
};
const THROTTLED_ERROR = {
  error_code: 'APIG.0308',
  error_msg: 'The throttling threshold has been reached: policy user over ratelimit,limit:60,time:1 minute',
};
const NO_API_ERROR = {
  error_code: 'APIG.0101',
  error_msg: 'The API does not exist or has not been published in the environment',
};

/** A gateway error body as APIG sends it: its code (with the configured prefix) and the request id. */
function gatewayError(
  e: { error_code: string; error_msg: string },
  prefix: 'APIG' | 'APIGW',
  requestId: string,
): object {
  return { ...e, error_code: e.error_code.replace(/^APIG\./, `${prefix}.`), request_id: requestId };
}
const MAX_SKEW_MS = 15 * 60_000;
const LIST_PATH = /^\/v2\.0\/([^/]+)\/datasource\/enhanced-connections\/?$/;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

const field = (r: unknown, k: string): unknown =>
  r !== null && typeof r === 'object' ? (r as Record<string, unknown>)[k] : undefined;

function createTimeOf(r: unknown): number {
  const v = Number(field(r, 'create_time'));
  return Number.isFinite(v) ? v : 0;
}

/** Documented filters: status (case-insensitive), name (exact), tags `k=v,k2=v2` (all must match). */
function applyFilters(records: unknown[], q: Map<string, string>): unknown[] {
  let out = records;
  const status = q.get('status');
  if (status)
    out = out.filter((r) => String(field(r, 'status') ?? '').toLowerCase() === status.toLowerCase());
  const name = q.get('name');
  if (name) out = out.filter((r) => field(r, 'name') === name);
  const tags = q.get('tags');
  if (tags) {
    const wanted = tags.split(',').map((t) => t.split('=', 2) as [string, string?]);
    out = out.filter((r) => {
      const have = field(r, 'tags');
      if (!Array.isArray(have)) return false;
      return wanted.every(([k, v]) =>
        have.some((t) => field(t, 'key') === k && (v === undefined || field(t, 'value') === v)),
      );
    });
  }
  return out;
}

const sortedByCreation = (records: unknown[]): unknown[] =>
  [...records].sort(
    (a, b) =>
      createTimeOf(a) - createTimeOf(b) || String(field(a, 'id')).localeCompare(String(field(b, 'id'))),
  );

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export async function startDliEmulator(opts: DliEmulatorOptions): Promise<DliEmulator> {
  const now = opts.now ?? Date.now;
  const prefix = opts.gatewayPrefix ?? 'APIG';
  const projects = new Map<string, unknown[]>();
  const tokens = new Map<string, { expiresAt: number; projectId: string | null }>();
  let faults: EmulatorFaults = {};
  let sinceFaults = 0;
  let listRequests = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let iamCount = 0;
  let lastRequestId: string | null = null;
  let hook: ((info: ListRequestInfo) => void) | null = null;
  const iam = createIamSide({ accounts: opts.accounts, stsTtlMs: opts.stsTtlMs, now });
  // setProjectAccess overrides; otherwise the option lists, read on every request (tests may change
  // them between runs).
  const access = new Map<string, 'denied' | 'not-enabled' | null>();
  const accessOf = (projectId: string): 'denied' | 'not-enabled' | null => {
    const set = access.get(projectId);
    if (set !== undefined) return set;
    if (opts.deniedProjects?.includes(projectId)) return 'denied';
    return opts.notEnabledProjects?.includes(projectId) ? 'not-enabled' : null;
  };

  /** Takes one use of a counted fault; true when it applies to this request. */
  const take = (f: { times: number } | undefined): boolean => {
    if (!f || f.times <= 0) return false;
    f.times--;
    return true;
  };

  const issueToken = (projectId?: string, ttlMs?: number): string => {
    const token = `MII${randomBytes(24).toString('base64url')}`;
    tokens.set(token, {
      expiresAt: now() + (ttlMs ?? opts.tokenTtlMs ?? 24 * 3600_000),
      projectId: projectId ?? null,
    });
    return token;
  };

  /** Null when the request may pass; otherwise the 401 body. */
  function authenticate(
    req: IncomingMessage,
    body: Buffer,
    projectId: string,
  ): { error_code: string; error_msg: string } | null {
    const token = headerValue(req, 'x-auth-token');
    if (token !== undefined) {
      const t = tokens.get(token);
      if (!t || t.expiresAt <= now() || (t.projectId !== null && t.projectId !== projectId))
        return TOKEN_ERROR;
      return null;
    }
    const auth = parseAuthorization(headerValue(req, 'authorization') ?? '');
    if (!auth) return SIGNATURE_ERROR;
    const own = iam.secretOf(auth.ak);
    const sk = opts.credentials[auth.ak] ?? own?.sk;
    if (sk === undefined || !auth.signedHeaders.includes('x-sdk-date')) return SIGNATURE_ERROR;
    const securityToken = headerValue(req, 'x-security-token');
    const expectedToken = opts.securityTokens?.[auth.ak] ?? own?.token;
    if (securityToken !== undefined && !auth.signedHeaders.includes('x-security-token'))
      return SIGNATURE_ERROR;
    if (expectedToken !== undefined && securityToken !== expectedToken) return SIGNATURE_ERROR;
    const signed: Record<string, string> = {};
    for (const name of auth.signedHeaders) {
      const v = headerValue(req, name);
      if (v === undefined) return SIGNATURE_ERROR;
      signed[name] = v;
    }
    const date = parseSdkDate(signed['x-sdk-date'] ?? '');
    if (!date) return SIGNATURE_ERROR;
    const { signature } = computeSignature(
      { method: req.method ?? 'GET', target: req.url ?? '/', headers: signed, body },
      sk,
    );
    const given = Buffer.from(auth.signature.toLowerCase());
    const expected = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return SIGNATURE_ERROR;
    // Checked after the signature, as a gateway would: a forged date must not reveal the skew rule.
    if (Math.abs(now() - date.getTime()) > MAX_SKEW_MS) return CLOCK_SKEW_ERROR;
    return null;
  }

  async function handleList(
    res: ServerResponse,
    projectId: string,
    rawQuery: string,
    requestId: string,
  ): Promise<void> {
    listRequests++;
    sinceFaults++;
    const n = listRequests;
    const q = new Map(parseQuery(rawQuery).map((p) => [p.key, p.value] as const));
    const limitText = q.get('limit') ?? '100';
    const offsetText = q.get('offset') ?? '0';
    if (!/^\d+$/.test(limitText) || !/^\d+$/.test(offsetText)) {
      return sendJson(res, 400, {
        error_code: 'DLI.0001',
        error_msg: 'Parameter check error: limit and offset must be non-negative integers',
      });
    }
    const limit = Number(limitText);
    const offset = faults.ignoreOffset ? 0 : Number(offsetText);
    hook?.({ projectId, limit, offset, n });
    const extra = take(faults.slow) ? (faults.slow?.ms ?? 0) : 0;
    if ((opts.latencyMs ?? 0) + extra > 0) await sleep((opts.latencyMs ?? 0) + extra);
    if (take(faults.rateLimit)) {
      const ra = faults.rateLimit?.retryAfter;
      return sendJson(
        res,
        429,
        gatewayError(THROTTLED_ERROR, prefix, requestId),
        ra ? { 'retry-after': ra } : {},
      );
    }
    if (take(faults.errorBody)) return sendJson(res, faults.errorBody!.status, faults.errorBody!.body);
    if (take(faults.serverError))
      return sendJson(res, 500, { error_code: 'DLI.0999', error_msg: 'Internal service error' });
    if (take(faults.badGateway)) {
      const html =
        '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>';
      res.writeHead(502, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(html) });
      res.end(html);
      return;
    }
    if (take(faults.isSuccessFalse)) {
      return sendJson(res, 200, {
        is_success: false,
        message: faults.isSuccessFalse?.message ?? 'Failed to query the datasource connections',
        count: 0,
        connections: [],
      });
    }
    const all = sortedByCreation(applyFilters(projects.get(projectId) ?? [], q));
    // limit=0 is documented as "all"; a server may ignore that and serve its default. A cap applies to both.
    const asked = limit === 0 ? (faults.limitZero === 'ignore' ? 100 : all.length) : limit;
    const served = Math.min(asked, faults.maxPageSize ?? opts.maxPageSize ?? Number.POSITIVE_INFINITY);
    const page = all.slice(offset, offset + served);
    const count = (faults.countMode === 'page' ? page.length : all.length) + (faults.countDelta ?? 0);
    const text = JSON.stringify({ is_success: true, message: '', count, connections: page });
    const mutate = faults.mutate;
    if (mutate && sinceFaults === mutate.afterRequests) {
      // Applied once this answer is built, so the NEXT page sees the changed list.
      const current = projects.get(mutate.projectId) ?? [];
      const deleted = new Set(mutate.deleteIds ?? []);
      projects.set(mutate.projectId, [
        ...current.filter((r) => !deleted.has(String(field(r, 'id')))),
        ...structuredClone(mutate.create ?? []),
      ]);
    }
    if (take(faults.truncated)) {
      const cut = text.slice(0, Math.floor(text.length / 2));
      if (faults.truncated?.mode === 'socket') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.write(cut);
        setTimeout(() => res.socket?.destroy(), 5);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(cut);
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/json;charset=UTF-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  function handleIam(res: ServerResponse, body: Buffer): void {
    iamCount++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      sendJson(res, 400, {
        error: { code: 400, message: 'The request body is not JSON.', title: 'Bad Request' },
      });
      return;
    }
    const auth = field(parsed, 'auth');
    const identity = field(auth, 'identity');
    const user = field(field(identity, 'password'), 'user');
    const projectId = field(field(field(auth, 'scope'), 'project'), 'id');
    const methods = field(identity, 'methods');
    const match = (opts.iamUsers ?? []).find(
      (u) =>
        u.userName === field(user, 'name') &&
        u.password === field(user, 'password') &&
        u.domainName === field(field(user, 'domain'), 'name'),
    );
    if (!Array.isArray(methods) || !methods.includes('password') || typeof projectId !== 'string' || !match) {
      sendJson(res, 401, {
        error: { code: 401, message: 'The username or password is wrong.', title: 'Unauthorized' },
      });
      return;
    }
    const token = issueToken(projectId);
    const expiresAt = new Date(tokens.get(token)!.expiresAt).toISOString();
    sendJson(
      res,
      201,
      {
        token: {
          expires_at: expiresAt,
          issued_at: new Date(now()).toISOString(),
          methods: ['password'],
          project: { id: projectId },
          user: { name: match.userName, domain: { name: match.domainName } },
        },
      },
      { 'x-subject-token': token },
    );
  }

  const server = createServer((req, res) => {
    // Every answer carries one, as Huawei's gateway does: the id its support asks for.
    const requestId = randomBytes(16).toString('hex');
    lastRequestId = requestId;
    if (!faults.noRequestIdHeader) res.setHeader('x-request-id', requestId);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const { path, query } = splitTarget(req.url ?? '/');
      const route = async (): Promise<void> => {
        if (req.method === 'POST' && path === '/v3/auth/tokens') return handleIam(res, body);
        const iamCall =
          (req.method === 'GET' && path === '/v3/auth/projects') ||
          (req.method === 'POST' && path === '/v3.0/OS-CREDENTIAL/securitytokens');
        if (iamCall) {
          const denied = authenticate(req, body, '');
          if (denied) return sendJson(res, 401, gatewayError(denied, prefix, requestId));
          const ak = parseAuthorization(headerValue(req, 'authorization') ?? '')?.ak ?? '';
          const answer = path === '/v3/auth/projects' ? iam.listProjects(ak) : iam.assumeRole(ak, body);
          return sendJson(res, answer.status, answer.body);
        }
        const m = LIST_PATH.exec(path);
        if (!m || req.method !== 'GET') {
          return sendJson(res, 404, gatewayError(NO_API_ERROR, prefix, requestId));
        }
        const projectId = decodeURIComponent(m[1]!);
        const denied = authenticate(req, body, projectId);
        if (denied) {
          listRequests++;
          sinceFaults++;
          return sendJson(res, 401, gatewayError(denied, prefix, requestId));
        }
        const ak = parseAuthorization(headerValue(req, 'authorization') ?? '')?.ak;
        const state = accessOf(projectId) ?? (ak && iam.mayUse(ak, projectId) === false ? 'denied' : null);
        if (state) {
          listRequests++;
          sinceFaults++;
          // Authorization comes after authentication, as at the real gateway: a bad signature is still 401.
          return state === 'denied'
            ? sendJson(res, 403, gatewayError(DENIED_ERROR, prefix, requestId))
            : sendJson(res, 400, { ...NOT_ENABLED_ERROR, request_id: requestId });
        }
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          await handleList(res, projectId, query, requestId);
        } finally {
          inFlight--;
        }
      };
      route().catch((err: unknown) => {
        if (!res.headersSent)
          sendJson(res, 500, { error_code: 'DLI.0999', error_msg: `emulator failure: ${String(err)}` });
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    setConnections: (projectId, records) => {
      // A snapshot: later changes to the caller's objects only show after another setConnections.
      projects.set(projectId, structuredClone(records));
    },
    getConnections: (projectId) => structuredClone(projects.get(projectId) ?? []),
    requests: () => listRequests,
    maxConcurrent: () => maxInFlight,
    resetRequests: () => {
      listRequests = 0;
      maxInFlight = inFlight;
    },
    iamRequests: () => iamCount,
    discoveryRequests: () => iam.requests(),
    setProjectAccess: (projectId, a) => {
      access.set(projectId, a);
    },
    revokeTemporaryCredentials: () => iam.revokeTemporary(),
    lastRequestId: () => lastRequestId,
    setFaults: (f) => {
      faults = structuredClone(f);
      sinceFaults = 0;
    },
    onListRequest: (h) => {
      hook = h;
    },
    issueToken,
    revokeTokens: () => tokens.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ak = process.env.HUAWEICLOUD_SDK_AK ?? 'EMULATORAK';
  const sk = process.env.HUAWEICLOUD_SDK_SK ?? 'emulator-sk';
  const { makeConnections } = await import('./emulator-data.ts');
  const emu = await startDliEmulator({ credentials: { [ak]: sk }, port: Number(process.env.PORT ?? 0) });
  const projectId = process.env.HUAWEICLOUD_SDK_PROJECT_ID ?? 'emulatorproject000000000000000001';
  emu.setConnections(projectId, makeConnections(Number(process.env.CONNECTIONS ?? 250), { seed: 1 }));
  process.stdout.write(`DLI emulator at ${emu.url} (project ${projectId}); Ctrl-C to stop\n`);
}
