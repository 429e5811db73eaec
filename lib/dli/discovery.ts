/**
 * Discovery of one credential scope: the projects IAM lists for it (lib/dli/iam-api.ts), through
 * the agency's temporary credentials for `via` scopes (lib/dli/agency.ts). Which of them become
 * targets is lib/model/discovery.ts's; resolving DLI_TARGETS as a whole is lib/sync/resolve.ts's.
 *
 * Each scope's list is cached for `maxAgeMs` (DISCOVERY_MAX_AGE_SECONDS; module state, so a cold
 * start starts empty and discovers afresh). A failed discovery keeps the last list and hands it
 * back as `stale`, so the caller can go on with it and say so, instead of losing the scope's
 * targets.
 */
import { describeError } from '../errors.ts';
import type { ProjectInfo } from '../model/discovery.ts';
import { agencyCredentials } from './agency.ts';
import { type IamCallOptions, listAuthProjects } from './iam-api.ts';
import type { AkSkCredentials, Credentials } from './types.ts';

export interface DiscoverOptions {
  /** IAM origin of the project list. */
  iamEndpoint: string;
  maxAgeMs: number;
  now?: () => number;
  /** Per IAM request (the bench counts them). */
  onRequest?: () => void;
}

export type Discovered = { projects: ProjectInfo[] } | { error: string; stale: ProjectInfo[] | null };

interface CachedProjects {
  projects: ProjectInfo[];
  at: number;
}
const cache = new Map<string, CachedProjects>();

async function signingCredentials(c: Credentials, opts: IamCallOptions): Promise<AkSkCredentials | string> {
  if (c.kind === 'aksk') return c;
  if (c.kind === 'agency') return agencyCredentials(c, opts);
  return 'discovery needs an AK/SK credential (IAM signs the project list); set HUAWEICLOUD_SDK_AK/SK or HUAWEICLOUD_CREDENTIALS';
}

/** The projects of the scope `scopeKey` reached with `credential`: cached, or listed now. Never throws. */
export async function discoverProjects(
  scopeKey: string,
  credential: Credentials,
  o: DiscoverOptions,
): Promise<Discovered> {
  const now = o.now ?? Date.now;
  const key = JSON.stringify([o.iamEndpoint, scopeKey]);
  const hit = cache.get(key);
  if (hit && now() - hit.at < o.maxAgeMs) return { projects: hit.projects };
  try {
    const opts: IamCallOptions = { now, onRequest: o.onRequest };
    const signer = await signingCredentials(credential, opts);
    if (typeof signer === 'string') return { error: signer, stale: hit?.projects ?? null };
    const projects = await listAuthProjects(o.iamEndpoint, signer, opts);
    cache.set(key, { projects, at: now() });
    return { projects };
  } catch (err) {
    // The failed read leaves the last list in place: it is what the caller falls back to.
    return { error: describeError(err), stale: hit?.projects ?? null };
  }
}

/** Forgets every discovered list (tests; a new container does the same). */
export function clearDiscoveryCache(): void {
  cache.clear();
}
