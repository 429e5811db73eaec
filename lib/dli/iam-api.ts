/**
 * The two IAM calls target resolution makes, signed with AK/SK like every DLI call:
 * - `GET /v3/auth/projects`: the projects the credential can access (KeystoneListAuthProjects);
 * - `POST /v3.0/OS-CREDENTIAL/securitytokens` with `methods: ["assume_role"]`: temporary AK/SK and
 *   security token of an agency in another account (CreateTemporaryAccessKeyByAgency).
 * Shapes as the official SDK models them (huaweicloud-sdk-go-v3 services/iam/v3/model:
 * AuthProjectResult, IdentityAssumerole, Credential). Errors are DliApiError with one line naming
 * the call, the HTTP status and IAM's code, with every credential blanked out.
 */
import { request } from 'undici';
import { z } from 'zod';
import { DliApiError } from '../errors.ts';
import { parseErrorBody } from './error-body.ts';
import { signRequest } from './sign.ts';
import type { AkSkCredentials } from './types.ts';

const ProjectSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean().nullish(),
});
const ProjectsSchema = z.looseObject({ projects: z.array(ProjectSchema) });
export type IamProject = z.infer<typeof ProjectSchema>;

const CredentialSchema = z.looseObject({
  credential: z.looseObject({
    access: z.string().min(1),
    secret: z.string().min(1),
    securitytoken: z.string().min(1),
    expires_at: z.string(),
  }),
});

export interface TemporaryCredentials {
  credentials: AkSkCredentials;
  expiresAt: number;
}

export interface IamCallOptions {
  readTimeoutMs?: number;
  now?: () => number;
  /** Called once per HTTP request (the bench counts them). */
  onRequest?: () => void;
}

const secretsOf = (c: AkSkCredentials): string[] => [c.ak, c.sk, c.securityToken ?? ''];

/**
 * IAM's text, one line, bounded, any credential blanked first (a cut through an echoed secret would
 * leave its start). Not client.ts's sanitize: client.ts imports this module through agency.ts.
 */
function sanitize(text: string, secrets: readonly string[]): string {
  let out = text.replace(/\s+/g, ' ').trim();
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out.length > 200 ? `${out.slice(0, 200)}…` : out;
}

async function call(
  what: string,
  origin: string,
  method: 'GET' | 'POST',
  path: string,
  creds: AkSkCredentials,
  body: string | undefined,
  opts: IamCallOptions,
): Promise<{ status: number; json: unknown }> {
  const now = opts.now ?? Date.now;
  const readTimeout = opts.readTimeoutMs ?? 30_000;
  const fail = (detail: string, status: number | null, code: string | null, retryable: boolean) =>
    new DliApiError(
      `IAM ${what} failed: ${status === null ? 'no HTTP status' : `HTTP ${status}`}, ${code ?? 'no error_code'}: ${detail}`,
      { target: what, httpStatus: status, errorCode: code, retryable },
    );
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json;charset=UTF-8';
  const signed = signRequest({
    method,
    url: origin + path,
    ak: creds.ak,
    sk: creds.sk,
    securityToken: creds.securityToken,
    headers,
    body: body === undefined ? undefined : Buffer.from(body),
    date: new Date(now()),
  });
  opts.onRequest?.();
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(origin + path, {
      method,
      headers: { ...headers, ...signed },
      body,
      headersTimeout: readTimeout,
      bodyTimeout: readTimeout,
    });
  } catch (err) {
    const e = err as { code?: unknown; name?: unknown };
    const kind = typeof e.code === 'string' ? e.code : typeof e.name === 'string' ? e.name : 'unknown error';
    throw fail(`network error (${kind})`, null, null, true);
  }
  const text = await res.body.text().catch(() => '');
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // a non-JSON answer is described below
  }
  const status = res.statusCode;
  if (status < 200 || status > 299) {
    const e = json === null ? null : parseErrorBody(json);
    const secrets = secretsOf(creds);
    const code = e?.code == null ? null : sanitize(e.code, secrets);
    const msg = e ? sanitize(e.message ?? 'no error message', secrets) : 'non-JSON error body';
    throw fail(msg, status, code, status === 429 || status >= 500);
  }
  return { status, json };
}

/** The projects `creds` can access, as IAM lists them. */
export async function listAuthProjects(
  origin: string,
  creds: AkSkCredentials,
  opts: IamCallOptions = {},
): Promise<IamProject[]> {
  const { status, json } = await call(
    'project list',
    origin,
    'GET',
    '/v3/auth/projects',
    creds,
    undefined,
    opts,
  );
  const parsed = ProjectsSchema.safeParse(json);
  if (!parsed.success) {
    throw new DliApiError(`IAM project list failed: HTTP ${status}, unexpected response shape`, {
      target: 'project list',
      httpStatus: status,
      errorCode: null,
      retryable: false,
    });
  }
  return parsed.data.projects;
}

export interface AssumeRoleRequest {
  agencyName: string;
  domain: string;
  domainIsId: boolean;
  durationSeconds: number;
}

export function assumeRoleBody(r: AssumeRoleRequest): string {
  const assume = {
    agency_name: r.agencyName,
    ...(r.domainIsId ? { domain_id: r.domain } : { domain_name: r.domain }),
    duration_seconds: r.durationSeconds,
  };
  return JSON.stringify({ auth: { identity: { methods: ['assume_role'], assume_role: assume } } });
}

/** Temporary credentials of the agency `r` in its member account, obtained with `creds`. */
export async function assumeRole(
  origin: string,
  creds: AkSkCredentials,
  r: AssumeRoleRequest,
  opts: IamCallOptions = {},
): Promise<TemporaryCredentials> {
  const what = `assume-role of agency ${r.agencyName} in ${r.domain}`;
  const body = assumeRoleBody(r);
  const { status, json } = await call(
    what,
    origin,
    'POST',
    '/v3.0/OS-CREDENTIAL/securitytokens',
    creds,
    body,
    opts,
  );
  const parsed = CredentialSchema.safeParse(json);
  const expiresAt = parsed.success ? Date.parse(parsed.data.credential.expires_at) : Number.NaN;
  if (!parsed.success || Number.isNaN(expiresAt)) {
    throw new DliApiError(`IAM ${what} failed: HTTP ${status}, no usable credential in the answer`, {
      target: what,
      httpStatus: status,
      errorCode: null,
      retryable: true,
    });
  }
  const c = parsed.data.credential;
  return {
    credentials: { kind: 'aksk', ak: c.access, sk: c.secret, securityToken: c.securitytoken },
    expiresAt,
  };
}
