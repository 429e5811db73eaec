/**
 * What target resolution needs from the environment: DLI_TARGETS's entries (lib/model/target-spec.ts),
 * the named credentials they refer to (lib/credentials.ts), and where and how often to discover.
 * Every name an entry uses must exist: a typo is a ConfigError at start, not a silent default.
 */
import { namedCredentials } from './credentials.ts';
import type { Credentials } from './dli/types.ts';
import { ConfigError } from './errors.ts';
import { parseTargetEntries, scopeLabel, type TargetEntry } from './model/target-spec.ts';
import { defaultEndpoint, PROJECT_ID, parseEndpoint, REGION, wholeNumber } from './validate.ts';

type Env = Record<string, string | undefined>;

export interface DiscoveryConfig {
  /** IAM origin for the project list and assume-role (HUAWEICLOUD_SDK_IAM_ENDPOINT, else DISCOVERY_REGION's). */
  iamEndpoint: string;
  /** Discovered projects are trusted this long (DISCOVERY_MAX_AGE_SECONDS, default 1 h). */
  maxAgeMs: number;
  /** DLI_ENDPOINT: the DLI origin of every target, discovered ones included; null = per region. */
  dliEndpoint: string | null;
  /** Lifetime asked of assume-role credentials (AGENCY_SESSION_SECONDS, 900-86400, default 3600). */
  agencySessionSeconds: number;
}

export interface TargetSources {
  entries: TargetEntry[];
  /** Named credentials (HUAWEICLOUD_CREDENTIALS), by account name. */
  accounts: Record<string, Credentials>;
  discovery: DiscoveryConfig;
}

/** The entries of a DLI_TARGETS-format list; `source` names where it came from in the error. */
export function parseTargetList(value: string | undefined, source = 'DLI_TARGETS'): TargetEntry[] {
  if (!value?.trim()) {
    throw new ConfigError(
      `${source} is not set; expected comma-separated region:projectId pairs or auto entries, e.g. cn-north-4:0a1b2c or auto`,
    );
  }
  const r = parseTargetEntries(value, { region: REGION, projectId: PROJECT_ID }, source);
  if (!r.ok) throw new ConfigError(r.error);
  return r.value;
}

function seconds(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = wholeNumber(name, min, max).safeParse(raw);
  if (!n.success)
    throw new ConfigError(`${name} is "${raw.slice(0, 20)}"; expected a whole number from ${min} to ${max}`);
  return n.data;
}

export function loadDiscoveryConfig(env: Env): DiscoveryConfig {
  const iam = env.HUAWEICLOUD_SDK_IAM_ENDPOINT?.trim();
  const region = env.DISCOVERY_REGION?.trim() || 'cn-north-4';
  if (!iam && !REGION.test(region)) {
    throw new ConfigError('DISCOVERY_REGION must be a Huawei Cloud region id such as cn-north-4');
  }
  const dli = env.DLI_ENDPOINT?.trim();
  return {
    // IAM's project list is account-wide: any region's IAM answers it, so one endpoint serves all.
    iamEndpoint: iam ? parseEndpoint(iam, 'HUAWEICLOUD_SDK_IAM_ENDPOINT') : defaultEndpoint('iam', region),
    maxAgeMs: seconds(env, 'DISCOVERY_MAX_AGE_SECONDS', 3600, 0, 7 * 86_400) * 1000,
    dliEndpoint: dli ? parseEndpoint(dli, 'DLI_ENDPOINT') : null,
    agencySessionSeconds: seconds(env, 'AGENCY_SESSION_SECONDS', 3600, 900, 86_400),
  };
}

/**
 * DLI_TARGETS's entries with the credentials they name. `fallback` loads the default credential
 * (HUAWEICLOUD_SDK_AK/SK and the other single-credential variables); it is called only when an
 * entry uses the default and HUAWEICLOUD_CREDENTIALS has no `default`, so a setup that names an
 * account on every entry needs no default at all.
 */
export function loadTargetSources(
  env: Env,
  fallback: () => Credentials,
): TargetSources & { defaultCredentials: Credentials | null } {
  const entries = parseTargetList(env.DLI_TARGETS);
  const creds = namedCredentials(env.HUAWEICLOUD_CREDENTIALS);
  for (const e of entries) {
    const name = e.scope.account;
    if (name !== null && !(name in creds.named)) {
      throw new ConfigError(
        `DLI_TARGETS entry for ${scopeLabel(e.scope)} names account "${name}", which HUAWEICLOUD_CREDENTIALS does not define; expected one of: ${Object.keys(creds.named).join(', ') || '(none)'}`,
      );
    }
  }
  // An exclusion reaches nothing itself: only targets and auto entries need a credential.
  const needsDefault = entries.some((e) => e.kind !== 'exclude' && e.scope.account === null);
  const defaultCredentials = creds.default ?? (needsDefault ? fallback() : null);
  return { entries, accounts: creds.named, discovery: loadDiscoveryConfig(env), defaultCredentials };
}
