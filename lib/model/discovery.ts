/**
 * Discovery's rules, pure: which IAM projects become targets, and how explicit and discovered
 * targets merge. lib/dli/discovery.ts does the I/O around them.
 */
import { globMatches } from './glob.ts';
import type { ResolvedTarget } from './target.ts';
import { targetSpec } from './target.ts';
import type { CredentialScope, TargetEntry } from './target-spec.ts';
import { scopeKey } from './target-spec.ts';

/** A project as IAM lists it (only what the rules read). */
export interface ProjectInfo {
  id: string;
  name: string;
  enabled?: boolean | null | undefined;
}

/**
 * The region of an IAM project: its name is the region id (`cn-north-4`), or region, `_` and a
 * suffix for a sub-project (`cn-north-4_analytics`). Anything else (`MOS`, the domain-level
 * projects IAM also lists) is not a region's project: null.
 */
export function projectRegion(name: string, isRegion: (s: string) => boolean): string | null {
  const region = name.split('_', 1)[0] ?? '';
  return isRegion(region) ? region : null;
}

/** Whether an exclusion applies to a scope: one without an account applies to every scope. */
function excludes(e: TargetEntry, scope: CredentialScope, name: string): boolean {
  if (e.kind !== 'exclude' || !globMatches(e.glob, name)) return false;
  return e.scope.account === null && e.scope.agency === null ? true : scopeKey(e.scope) === scopeKey(scope);
}

/**
 * The projects one scope's discovery keeps: enabled, in a region, matched by one of the scope's
 * `auto` globs and by no exclusion that applies to it. Sorted by name, so runs are reproducible.
 */
export function selectDiscovered(
  projects: readonly ProjectInfo[],
  scope: CredentialScope,
  entries: readonly TargetEntry[],
  isRegion: (s: string) => boolean,
  endpointFor: (region: string) => string,
): ResolvedTarget[] {
  const key = scopeKey(scope);
  const autos = entries.filter((e) => e.kind === 'auto' && scopeKey(e.scope) === key);
  const out: ResolvedTarget[] = [];
  for (const p of [...projects].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id))) {
    if (p.enabled === false) continue;
    const region = projectRegion(p.name, isRegion);
    if (region === null) continue;
    if (!autos.some((a) => a.kind === 'auto' && globMatches(a.glob, p.name))) continue;
    if (entries.some((e) => excludes(e, scope, p.name))) continue;
    out.push({
      region,
      projectId: p.id,
      endpoint: endpointFor(region),
      projectName: p.name,
      account: scope.account,
      source: 'discovered',
    });
  }
  return out;
}

/** The scopes that need discovery, each once, in the order DLI_TARGETS names them. */
export function discoveryScopes(entries: readonly TargetEntry[]): CredentialScope[] {
  const seen = new Map<string, CredentialScope>();
  for (const e of entries)
    if (e.kind === 'auto' && !seen.has(scopeKey(e.scope))) seen.set(scopeKey(e.scope), e.scope);
  return [...seen.values()];
}

/**
 * Explicit targets first, then each scope's discovered ones; a target already present is dropped,
 * so an explicit target wins over a discovered one (its credential too) and the first scope that
 * found a project keeps it.
 */
export function mergeTargets<S>(
  explicit: readonly (ResolvedTarget & { scope: S })[],
  discovered: readonly (ResolvedTarget & { scope: S })[],
): (ResolvedTarget & { scope: S })[] {
  const out = new Map<string, ResolvedTarget & { scope: S }>();
  for (const t of [...explicit, ...discovered]) if (!out.has(targetSpec(t))) out.set(targetSpec(t), t);
  return [...out.values()];
}
