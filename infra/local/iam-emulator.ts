/**
 * The emulator's IAM side for target resolution, served by the DLI emulator's server
 * (infra/local/dli-emulator.ts): accounts with their AK/SK and projects, `GET /v3/auth/projects`,
 * and agencies through `POST /v3.0/OS-CREDENTIAL/securitytokens` (`methods: ["assume_role"]`), whose
 * temporary AK/SK/token the DLI side then accepts for the member account's projects only. Shapes as
 * the official SDK models them (huaweicloud-sdk-go-v3 services/iam/v3/model: AuthProjectResult,
 * IdentityAssumerole, Credential). Both calls are signed with AK/SK; the server checks the signature
 * before they get here.
 */
import { randomBytes } from 'node:crypto';

export interface EmulatorProject {
  id: string;
  /** `cn-north-4`, `cn-north-4_analytics`, or a domain-level name such as `MOS`. */
  name: string;
  enabled?: boolean;
}

export interface EmulatorAccount {
  /** The account's (domain's) id; default a hash-like id derived from its name. */
  domainId?: string;
  ak: string;
  sk: string;
  projects: EmulatorProject[];
  /** Agencies of this account: name → the accounts (by name) trusted to assume it. */
  agencies?: Record<string, { trusted: string[] }>;
}

export interface IamSideOptions {
  /** Account (domain) name → account. */
  accounts?: Record<string, EmulatorAccount>;
  /** Lifetime of assume-role credentials when the request gives none; IAM's default is 15 min. */
  stsTtlMs?: number;
  now: () => number;
}

interface Issued {
  sk: string;
  token: string;
  account: string;
  expiresAt: number;
}

export interface IamAnswer {
  status: number;
  body: unknown;
}

/**
 * Denied and not-enabled, as the DLI side answers them for `deniedProjects` / `notEnabledProjects`.
 * No official source we have quotes the body of either: these are stand-ins with the documented
 * error shape. Denied is an authorization failure (403, DLI's "permission denied" wording); for a
 * project where DLI was never enabled (authorized) we answer 403 with DLI.0016 ("identity/role
 * incorrect", the closest documented code) and a message that says so.
 */
/**
 * A project the identity may not use. 403 is what Huawei's gateway and IAM answer a request the
 * policy does not allow; the code is APIG's "not authorized to access the API" (APIG.0302). The DLI
 * side sends it with the gateway's prefix and a request id.
 */
export const DENIED_ERROR = {
  error_code: 'APIG.0302',
  error_msg: 'Incorrect IAM authentication information: the IAM user is not authorized to access the API',
} as const;
/**
 * A project where DLI was never enabled. No official source gives this answer's code, so the body
 * is DLI's documented shape (HTTP 400) with its "system restrictions" code (DLI.0009, DLI's error-code
 * page) and a message that says what it is; lib/dli/reachability.ts recognises the message, not the code.
 */
export const NOT_ENABLED_ERROR = {
  error_code: 'DLI.0009',
  error_msg: 'System restrictions: the DLI service is not enabled in this project',
} as const;

const field = (r: unknown, k: string): unknown =>
  r !== null && typeof r === 'object' ? (r as Record<string, unknown>)[k] : undefined;

const iamError = (status: number, message: string): IamAnswer => ({
  status,
  body: { error: { code: status, message, title: status === 403 ? 'Forbidden' : 'Bad Request' } },
});

const domainIdOf = (name: string, a: EmulatorAccount): string =>
  a.domainId ?? Buffer.from(name.padEnd(16, '0').slice(0, 16)).toString('hex');

export interface IamSide {
  /** The secret (and required security token) of an AK this side issued or owns; undefined otherwise. */
  secretOf(ak: string): { sk: string; token?: string } | undefined;
  /** Whether `ak` may use project `projectId`; null when `ak` is no account's (the legacy unrestricted keys). */
  mayUse(ak: string, projectId: string): boolean | null;
  listProjects(ak: string): IamAnswer;
  assumeRole(ak: string, body: Buffer): IamAnswer;
  /** IAM requests answered (projects and assume-role). */
  requests(): number;
  /** Forgets every issued temporary credential (they stop working at once). */
  revokeTemporary(): void;
}

export function createIamSide(opts: IamSideOptions): IamSide {
  const accounts = opts.accounts ?? {};
  const issued = new Map<string, Issued>();
  let count = 0;

  /** The account an AK acts as: its owner, or the member account of a live temporary credential. */
  const accountOf = (ak: string): string | null => {
    for (const [name, a] of Object.entries(accounts)) if (a.ak === ak) return name;
    const t = issued.get(ak);
    return t && t.expiresAt > opts.now() ? t.account : null;
  };

  return {
    secretOf(ak) {
      for (const a of Object.values(accounts)) if (a.ak === ak) return { sk: a.sk };
      const t = issued.get(ak);
      if (!t || t.expiresAt <= opts.now()) return undefined;
      return { sk: t.sk, token: t.token };
    },
    mayUse(ak, projectId) {
      const name = accountOf(ak);
      if (name === null) return issued.has(ak) ? false : null;
      return (accounts[name]?.projects ?? []).some((p) => p.id === projectId);
    },
    listProjects(ak) {
      count++;
      const name = accountOf(ak);
      const a = name === null ? undefined : accounts[name];
      if (!a || name === null) return iamError(403, 'The request you have made requires authentication.');
      const domainId = domainIdOf(name, a);
      return {
        status: 200,
        body: {
          links: { self: 'https://iam.example/v3/auth/projects' },
          projects: a.projects.map((p) => ({
            id: p.id,
            name: p.name,
            enabled: p.enabled ?? true,
            is_domain: false,
            description: '',
            domain_id: domainId,
            // A region's project has the account as parent; a sub-project its region's project.
            parent_id: p.name.includes('_')
              ? (a.projects.find((q) => q.name === p.name.split('_')[0])?.id ?? domainId)
              : domainId,
            links: { self: `https://iam.example/v3/projects/${p.id}` },
          })),
        },
      };
    },
    assumeRole(ak, body) {
      count++;
      const caller = accountOf(ak);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return iamError(400, 'The request body is not JSON.');
      }
      const identity = field(field(parsed, 'auth'), 'identity');
      const methods = field(identity, 'methods');
      const assume = field(identity, 'assume_role');
      const agencyName = field(assume, 'agency_name');
      const domainName = field(assume, 'domain_name');
      const domainId = field(assume, 'domain_id');
      const duration = field(assume, 'duration_seconds') ?? 900;
      if (!Array.isArray(methods) || !methods.includes('assume_role') || typeof agencyName !== 'string') {
        return iamError(400, 'Invalid assume_role identity.');
      }
      if (
        typeof duration !== 'number' ||
        !Number.isInteger(duration) ||
        duration < 900 ||
        duration > 86_400
      ) {
        return iamError(400, 'duration_seconds must be from 900 to 86400.');
      }
      const member = Object.entries(accounts).find(
        ([name, a]) => name === domainName || domainIdOf(name, a) === domainId,
      );
      const agency = member?.[1].agencies?.[agencyName];
      if (!member || !agency || caller === null || !agency.trusted.includes(caller)) {
        return iamError(403, 'You do not have permission to assume this agency.');
      }
      const access = `TMP${randomBytes(8).toString('hex').toUpperCase()}`;
      const ttl = opts.stsTtlMs ?? duration * 1000;
      const t: Issued = {
        sk: randomBytes(20).toString('base64url'),
        token: `gQpjbi1ub3J0aC00${randomBytes(48).toString('base64url')}`,
        account: member[0],
        expiresAt: opts.now() + ttl,
      };
      issued.set(access, t);
      return {
        status: 201,
        body: {
          credential: {
            access,
            secret: t.sk,
            securitytoken: t.token,
            expires_at: new Date(t.expiresAt).toISOString(),
          },
        },
      };
    },
    requests: () => count,
    revokeTemporary: () => issued.clear(),
  };
}
