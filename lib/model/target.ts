/**
 * A target's identity, written once. People read `region/projectId` (messages, tables, errors);
 * configuration and commands take `region:projectId` (DLI_TARGETS, `deletions confirm`, chat routing
 * globs); the table keys by `region#projectId`. Pure: whether the parts are a valid region and
 * project id is lib/validate.ts's business.
 */
export interface TargetRef {
  region: string;
  projectId: string;
}

/** How a person reads a target: `cn-north-4/0a1b2c`. */
export const targetLabel = (t: TargetRef): string => `${t.region}/${t.projectId}`;

/** A target as configuration writes it: `cn-north-4:0a1b2c`. Also a Map key for targets. */
export const targetSpec = (t: TargetRef): string => `${t.region}:${t.projectId}`;

/** The part of DynamoDB keys that names a target (`TARGET#{key}`, GSI sort keys). */
export const targetKey = (t: TargetRef): string => `${t.region}#${t.projectId}`;

/**
 * `region:projectId` → its two parts; null unless there are exactly two non-empty parts. Neither
 * part may hold a `:` (region and project ids never do), so the split is unambiguous.
 */
export function parseTargetSpec(spec: string): TargetRef | null {
  const parts = spec.split(':');
  if (parts.length !== 2) return null;
  const [region = '', projectId = ''] = parts;
  return region && projectId ? { region, projectId } : null;
}

/**
 * Where a target came from: listed in DLI_TARGETS (`explicit`) or found through IAM's project list
 * (`discovered`, from `auto` entries).
 */
export type TargetSource = 'explicit' | 'discovered';

/**
 * What dli-sync knows of a target's reachability: `active` (swept), `denied` (DLI answered 401/403),
 * `not-enabled` (DLI is not enabled in the project), `retired` (no longer configured or discovered;
 * its connections are kept as they were, never tombstoned for it).
 */
export type TargetState = 'active' | 'denied' | 'not-enabled' | 'retired';

/**
 * A target as configuration and discovery resolve it: what to sweep and with which credential. The
 * hand-off between target resolution (DLI_TARGETS, discovery, accounts, agencies) and the sync.
 */
export interface ResolvedTarget extends TargetRef {
  /** Base URL of the DLI endpoint, e.g. https://dli.cn-north-4.myhuaweicloud.com */
  endpoint: string;
  /** The IAM project's name (`cn-north-4`, `cn-north-4_analytics`); null when not known (explicit). */
  projectName: string | null;
  /** The named credential (HUAWEICLOUD_CREDENTIALS key) to sweep with; null for the default AK/SK. */
  account: string | null;
  source: TargetSource;
}
