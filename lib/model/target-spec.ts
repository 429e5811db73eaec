/**
 * The DLI_TARGETS grammar, pure. A comma-separated list; each entry is one of
 *
 *   region:projectId            an explicit target                      cn-north-4:0a1b2c
 *   auto                        every project discovery finds           auto
 *   auto:<glob>                 discovered projects whose name matches  auto:cn-*
 *   !<glob>                     leave out discovered projects matching  !cn-south-1*
 *
 * and any entry may start with `<account>@` (the named credential of HUAWEICLOUD_CREDENTIALS to use)
 * and end with ` via <agency> in <domain>` (assume that agency of that member account first; a
 * 32-hex-character domain is taken as a domain id, anything else as a domain name):
 *
 *   acct-b@auto via dli-sync-agency in member-domain
 *
 * An `!` entry without an account applies to every account's discovery; with one, to that
 * credential scope only. Globs are lib/model/glob.ts's dialect, matched against the IAM project
 * name (`cn-north-4`, `cn-north-4_analytics`). Whether a region id is well formed is checked here
 * with the same patterns as lib/validate.ts (passed in, so this module imports nothing of lib).
 */

export interface Agency {
  /** The agency's name in the member account. */
  name: string;
  /** The member account (domain): its name, or its id when `domainIsId`. */
  domain: string;
  domainIsId: boolean;
}

/** Which credential a target is reached with: a named account (null: the default) and an agency. */
export interface CredentialScope {
  account: string | null;
  agency: Agency | null;
}

export type TargetEntry =
  | { kind: 'explicit'; region: string; projectId: string; scope: CredentialScope }
  | { kind: 'auto'; glob: string; scope: CredentialScope }
  | { kind: 'exclude'; glob: string; scope: CredentialScope };

export interface SpecPatterns {
  region: RegExp;
  projectId: RegExp;
}

/** Credential names: what a JSON key and a log line can both carry safely. */
export const ACCOUNT_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** IAM agency names: letters, digits, `_`, `-`, `.` (the console also allows no spaces at the ends). */
export const AGENCY_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
export const DOMAIN_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const DOMAIN_ID = /^[0-9a-f]{32}$/;
/** Project names are region ids with an optional `_suffix`; a glob adds `*` and `?`. */
const GLOB = /^[A-Za-z0-9_.*?-]{1,64}$/;

const FORMS = 'region:projectId (e.g. cn-north-4:0a1b2c3d), auto, auto:<glob> or !<glob>';
const EXPECTED = `expected ${FORMS}, optionally <account>@ before and " via <agency> in <domain>" after`;

/** How the scope reads in messages and logs: `default`, `acct-b`, `acct-b via ag in dom`. */
export function scopeLabel(s: CredentialScope): string {
  const who = s.account ?? 'default';
  return s.agency ? `${who} via ${s.agency.name} in ${s.agency.domain}` : who;
}

/** One key per scope: the unit discovery and credentials are cached by. */
export const scopeKey = (s: CredentialScope): string =>
  JSON.stringify([s.account, s.agency?.name ?? null, s.agency?.domain ?? null]);

const quote = (entry: string): string => `"${entry.slice(0, 80)}"`;

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function parseEntry(raw: string, p: SpecPatterns, source: string): Parsed<TargetEntry> {
  const bad = (why: string): Parsed<TargetEntry> => ({
    ok: false,
    error: `${source} entry ${quote(raw)} ${why}; ${EXPECTED}`,
  });
  let rest = raw;
  let agency: Agency | null = null;
  const via = /^(.*?)\s+via\s+(\S+)\s+in\s+(\S+)$/.exec(rest);
  if (via) {
    const [, head = '', name = '', domain = ''] = via;
    if (!AGENCY_NAME.test(name)) return bad('names an agency that is not 1-64 of A-Z a-z 0-9 _ . -');
    if (!DOMAIN_NAME.test(domain)) return bad('names a domain that is not 1-64 of A-Z a-z 0-9 _ . -');
    agency = { name, domain, domainIsId: DOMAIN_ID.test(domain) };
    rest = head;
  } else if (/\s/.test(rest)) {
    return bad('has spaces but no " via <agency> in <domain>"');
  }
  let account: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    account = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!ACCOUNT_NAME.test(account)) return bad('names an account that is not 1-64 of A-Z a-z 0-9 _ -');
  }
  const scope = { account, agency };
  if (rest === 'auto') return { ok: true, value: { kind: 'auto', glob: '*', scope } };
  if (rest.startsWith('auto:') || rest.startsWith('!')) {
    const glob = rest.startsWith('!') ? rest.slice(1) : rest.slice('auto:'.length);
    if (!GLOB.test(glob)) return bad('has a glob that is not 1-64 of A-Z a-z 0-9 _ . - * ?');
    const kind = rest.startsWith('!') ? 'exclude' : 'auto';
    return { ok: true, value: { kind, glob, scope } };
  }
  const parts = rest.split(':');
  const [region = '', projectId = ''] = parts;
  if (parts.length !== 2 || !p.region.test(region) || !p.projectId.test(projectId)) {
    return {
      ok: false,
      error: `${source} entry ${quote(raw)} is not ${FORMS}; <account>@ before and " via <agency> in <domain>" after are optional`,
    };
  }
  return { ok: true, value: { kind: 'explicit', region, projectId, scope } };
}

/**
 * The whole list, or the first problem as one line naming the entry. An explicit target listed
 * twice (under any scope) is a problem: it would be swept twice, perhaps with two credentials.
 */
export function parseTargetEntries(
  value: string,
  p: SpecPatterns,
  source = 'DLI_TARGETS',
): Parsed<TargetEntry[]> {
  const out: TargetEntry[] = [];
  const seen = new Set<string>();
  for (const piece of value.split(',')) {
    const raw = piece.trim();
    if (!raw) return { ok: false, error: `${source} has an empty entry; ${EXPECTED}` };
    const r = parseEntry(raw, p, source);
    if (!r.ok) return r;
    const e = r.value;
    if (e.kind === 'explicit') {
      const key = `${e.region}:${e.projectId}`;
      if (seen.has(key))
        return { ok: false, error: `${source} lists ${key} twice; expected each target once` };
      seen.add(key);
    }
    out.push(e);
  }
  // An exclusion alone would leave nothing to exclude from: almost certainly a mistake.
  if (out.every((e) => e.kind === 'exclude')) {
    return {
      ok: false,
      error: `${source} has only !<glob> entries; expected at least one target or auto entry`,
    };
  }
  return { ok: true, value: out };
}
