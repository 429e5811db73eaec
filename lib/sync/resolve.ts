/**
 * Target resolution: DLI_TARGETS's entries (lib/model/target-spec.ts) → every target to sweep, each
 * with its credential. Explicit targets are taken as written; each credential scope with `auto`
 * entries is discovered (lib/dli/discovery.ts) and the rules of lib/model/discovery.ts select its
 * targets; an explicit target wins over the same project discovered.
 *
 * A scope whose discovery fails is a problem in the answer, never a silently shorter list: with a
 * cached list (of any age) that list is used and the problem says so (`keptCached`); without one
 * the scope contributes no targets and the problem names its account, so a consumer must not take
 * that account's targets for gone. The scheduled tick and `dli-sync sync` report each problem as
 * an error and end not-ok.
 */
import type { SyncConfig } from '../config.ts';
import { discoverProjects } from '../dli/discovery.ts';
import type { Credentials } from '../dli/types.ts';
import { discoveryScopes, mergeTargets, selectDiscovered } from '../model/discovery.ts';
import type { Target } from '../model/schemas.ts';
import type { ResolvedTarget } from '../model/target.ts';
import { targetSpec } from '../model/target.ts';
import { type CredentialScope, scopeKey, scopeLabel, type TargetEntry } from '../model/target-spec.ts';
import { defaultEndpoint, parseEndpoint, REGION } from '../validate.ts';

export interface TargetProblem {
  /** The credential scope whose discovery failed: `default`, `acct-b`, `acct-b via ag in dom`. */
  scope: string;
  /** Its account (null: the default), so a consumer can keep that account's targets as they were. */
  account: string | null;
  /** One line; never a credential. */
  message: string;
  /** True when the last discovered list of the scope was used instead. */
  keptCached: boolean;
}

export interface Resolution {
  targets: ResolvedTarget[];
  problems: TargetProblem[];
  /** Each target's credential, by targetSpec. */
  credentials: Map<string, Credentials>;
}

export interface ResolveDeps {
  now?: () => number;
  /** Per IAM request (the bench counts them). */
  onRequest?: () => void;
}

const DEFAULT_IAM = defaultEndpoint('iam', 'cn-north-4');

/** Configurations built without entries (tests, older callers): their targets as explicit entries. */
const explicitOnly = (config: SyncConfig): TargetEntry[] =>
  config.targets.map((t) => ({
    kind: 'explicit' as const,
    region: t.region,
    projectId: t.projectId,
    scope: { account: null, agency: null },
  }));

/** The credential a scope is reached with; a string is the problem when it cannot be. */
function credentialOf(config: SyncConfig, scope: CredentialScope): Credentials | string {
  const base = scope.account === null ? config.credentials : config.accounts?.[scope.account];
  if (!base) return `account ${scope.account} has no credential in HUAWEICLOUD_CREDENTIALS`;
  if (!scope.agency) return base;
  if (base.kind !== 'aksk' || base.securityToken) {
    return `an agency needs a permanent AK/SK credential to assume it with; ${scopeLabel(scope)} has none`;
  }
  return {
    kind: 'agency',
    base,
    agencyName: scope.agency.name,
    domain: scope.agency.domain,
    domainIsId: scope.agency.domainIsId,
    iamEndpoint: config.discovery?.iamEndpoint ?? DEFAULT_IAM,
    durationSeconds: config.discovery?.agencySessionSeconds ?? 3600,
  };
}

type Scoped = ResolvedTarget & { scope: CredentialScope };

/** Every target to sweep, its credential, and what could not be discovered. Never throws for one scope. */
export async function resolveTargets(config: SyncConfig, deps: ResolveDeps = {}): Promise<Resolution> {
  const entries = config.entries ?? explicitOnly(config);
  const override = config.discovery?.dliEndpoint ?? null;
  const endpointFor = (region: string): string =>
    override ? parseEndpoint(override, 'DLI_ENDPOINT') : defaultEndpoint('dli', region);
  const problems: TargetProblem[] = [];
  const problem = (scope: CredentialScope, message: string, keptCached = false): void => {
    problems.push({ scope: scopeLabel(scope), account: scope.account, message, keptCached });
  };
  const explicit: Scoped[] = entries.flatMap((e) =>
    e.kind === 'explicit'
      ? [
          {
            region: e.region,
            projectId: e.projectId,
            endpoint: endpointFor(e.region),
            projectName: null,
            account: e.scope.account,
            source: 'explicit' as const,
            scope: e.scope,
          },
        ]
      : [],
  );
  const found = await Promise.all(
    discoveryScopes(entries).map(async (scope): Promise<Scoped[]> => {
      const credential = credentialOf(config, scope);
      if (typeof credential === 'string') {
        problem(scope, credential);
        return [];
      }
      const r = await discoverProjects(scopeKey(scope), credential, {
        iamEndpoint: config.discovery?.iamEndpoint ?? DEFAULT_IAM,
        maxAgeMs: config.discovery?.maxAgeMs ?? 3_600_000,
        now: deps.now,
        onRequest: deps.onRequest,
      });
      if ('error' in r)
        problem(scope, `discovery failed for ${scopeLabel(scope)}: ${r.error}`, r.stale !== null);
      const projects = 'error' in r ? (r.stale ?? []) : r.projects;
      return selectDiscovered(projects, scope, entries, (s) => REGION.test(s), endpointFor).map((t) => ({
        ...t,
        scope,
      }));
    }),
  );
  const credentials = new Map<string, Credentials>();
  const targets: ResolvedTarget[] = [];
  for (const { scope, ...t } of mergeTargets(explicit, found.flat())) {
    const c = credentialOf(config, scope);
    if (typeof c === 'string') {
      problem(scope, c);
      continue;
    }
    credentials.set(targetSpec(t), c);
    targets.push(t);
  }
  return { targets, problems, credentials };
}

/** The configuration the sync runs with: every resolved target, each with its credential. */
export function withResolution(config: SyncConfig, r: Resolution): SyncConfig {
  const targets: Target[] = r.targets.map((t) => ({
    region: t.region,
    projectId: t.projectId,
    endpoint: t.endpoint,
  }));
  return { ...config, targets, targetCredentials: r.credentials };
}
