/**
 * Agency credentials: the temporary AK/SK/token of an agency in a member account, from IAM's
 * assume-role API (lib/dli/iam-api.ts). Cached per (IAM origin, base AK, agency, domain) until
 * TOKEN_REFRESH_MARGIN_MS before they expire, so no request carries dying credentials; concurrent
 * callers share one request. The temporary values live only in this cache and in request headers:
 * never in a log line, an error or a run record.
 */

import { TOKEN_REFRESH_MARGIN_MS } from './iam.ts';
import { assumeRole, type IamCallOptions, type TemporaryCredentials } from './iam-api.ts';
import type { AkSkCredentials, Credentials } from './types.ts';

type AgencyCredentials = Extract<Credentials, { kind: 'agency' }>;

const cache = new Map<string, TemporaryCredentials>();
const inflight = new Map<string, Promise<TemporaryCredentials>>();

const keyOf = (c: AgencyCredentials): string =>
  JSON.stringify([c.iamEndpoint, c.base.ak, c.agencyName, c.domain]);

/** Usable temporary credentials for the agency: cached, or freshly assumed. Throws DliApiError. */
export async function agencyCredentials(
  c: AgencyCredentials,
  opts: IamCallOptions = {},
): Promise<AkSkCredentials> {
  const now = opts.now ?? Date.now;
  const key = keyOf(c);
  const hit = cache.get(key);
  if (hit && now() < hit.expiresAt - TOKEN_REFRESH_MARGIN_MS) return hit.credentials;
  let pending = inflight.get(key);
  if (!pending) {
    pending = assumeRole(c.iamEndpoint, c.base, c, opts).finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  const fresh = await pending;
  // Credentials already inside the margin serve this request but are not kept.
  if (now() < fresh.expiresAt - TOKEN_REFRESH_MARGIN_MS) cache.set(key, fresh);
  else cache.delete(key);
  return fresh.credentials;
}

/** Forgets the agency's cached credentials (after DLI refused them), so the next call assumes again. */
export function invalidateAgencyCredentials(c: AgencyCredentials): void {
  cache.delete(keyOf(c));
}

export function clearAgencyCache(): void {
  cache.clear();
}
