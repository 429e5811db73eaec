import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTargets } from '../../lib/config.ts';
import { parseNamedCredentials } from '../../lib/credentials.ts';
import { ConfigError } from '../../lib/errors.ts';
import { discoveryScopes, mergeTargets, projectRegion, selectDiscovered } from '../../lib/model/discovery.ts';
import { parseTargetEntries, scopeLabel, type TargetEntry } from '../../lib/model/target-spec.ts';
import { loadTargetSources, parseTargetList } from '../../lib/target-config.ts';
import { PROJECT_ID, REGION } from '../../lib/validate.ts';

const P = { region: REGION, projectId: PROJECT_ID };
const parse = (v: string): TargetEntry[] => {
  const r = parseTargetEntries(v, P);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const isRegion = (s: string) => REGION.test(s);
const dli = (r: string) => `https://dli.${r}.example`;

describe('DLI_TARGETS grammar', () => {
  it('reads every entry form, with and without account and agency', () => {
    expect(
      parse(
        'cn-north-4:p1,auto,auto:cn-*,!cn-south-1*,acct-b@auto,acct-b@cn-east-3:p2,acct-c@auto:ap-* via dli-sync-agency in member-domain',
      ),
    ).toEqual([
      { kind: 'explicit', region: 'cn-north-4', projectId: 'p1', scope: { account: null, agency: null } },
      { kind: 'auto', glob: '*', scope: { account: null, agency: null } },
      { kind: 'auto', glob: 'cn-*', scope: { account: null, agency: null } },
      { kind: 'exclude', glob: 'cn-south-1*', scope: { account: null, agency: null } },
      { kind: 'auto', glob: '*', scope: { account: 'acct-b', agency: null } },
      { kind: 'explicit', region: 'cn-east-3', projectId: 'p2', scope: { account: 'acct-b', agency: null } },
      {
        kind: 'auto',
        glob: 'ap-*',
        scope: {
          account: 'acct-c',
          agency: { name: 'dli-sync-agency', domain: 'member-domain', domainIsId: false },
        },
      },
    ]);
  });

  it('takes a 32-hex domain as a domain id, anything else as a name', () => {
    const [e] = parse(`auto via ag in ${'0a'.repeat(16)}`);
    expect(e?.scope.agency?.domainIsId).toBe(true);
    expect(parse('auto via ag in corp')[0]?.scope.agency?.domainIsId).toBe(false);
  });

  it.each([
    ['', /empty entry/],
    ['cn-north-4:p1,,auto', /empty entry/],
    ['nonsense', /entry "nonsense" is not region:projectId/],
    ['cn-north-4:p1:x', /is not region:projectId/],
    ['auto:', /glob/],
    ['auto:cn north', /spaces/],
    ['!', /glob/],
    ['!cn-*', /only !<glob> entries/],
    ['@auto', /account/],
    ['a b@auto', /spaces|account/],
    ['bad!name@auto', /account/],
    ['auto via', /spaces/],
    ['auto via ag', /spaces/],
    ['auto via ag in', /spaces/],
    ['auto via a/g in d', /agency/],
    ['auto via ag in d/x', /domain/],
    ['cn-north-4:p1,acct@cn-north-4:p1', /lists cn-north-4:p1 twice/],
    ['auto:cn-[a]', /glob/],
  ])('refuses %j in one line naming the problem', (value, why) => {
    const r = parseTargetEntries(value, P);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatch(why);
      expect(r.error).not.toContain('\n');
      expect(r.error).toMatch(/^DLI_TARGETS/);
    }
  });

  it('never throws, whatever the text; an error is always one line naming DLI_TARGETS', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const r = parseTargetEntries(s, P);
        if (!r.ok) expect(r.error).toMatch(/^DLI_TARGETS[^\n]*$/);
      }),
      { numRuns: 300 },
    );
  });

  it('labels scopes for people', () => {
    expect(scopeLabel({ account: null, agency: null })).toBe('default');
    expect(scopeLabel({ account: 'a', agency: { name: 'g', domain: 'd', domainIsId: false } })).toBe(
      'a via g in d',
    );
  });

  it('config: explicit targets only, auto entries left to resolution; ConfigError on a bad entry', () => {
    expect(parseTargets('auto,cn-north-4:p1', undefined).map((t) => t.projectId)).toEqual(['p1']);
    expect(() => parseTargetList('auto:', 'DLI_TARGETS')).toThrow(ConfigError);
  });
});

describe('named credentials', () => {
  it('keeps the single pair as the default, and reads named pairs with an optional default', () => {
    expect(parseNamedCredentials('{"ak":"A","sk":"S"}', 'X')).toEqual({
      default: { ak: 'A', sk: 'S' },
      named: {},
    });
    expect(
      parseNamedCredentials('{"default":{"ak":"A","sk":"S"},"acct-b":{"ak":"B","sk":"T"}}', 'X'),
    ).toEqual({ default: { ak: 'A', sk: 'S' }, named: { 'acct-b': { ak: 'B', sk: 'T' } } });
  });

  it.each([
    ['not json {"sk":"do-not-print-me"', /X is not JSON/],
    ['{"ak":"A","secret":"do-not-print-me"}', /X must be exactly/],
    ['{"a":{"ak":"A","sk":"do-not-print-me","x":1}}', /X must be exactly/],
    ['{}', /X must be exactly/],
    ['{"bad name":{"ak":"A","sk":"do-not-print-me"}}', /account name/],
  ])('refuses %j without quoting it', (json, why) => {
    expect(() => parseNamedCredentials(json, 'X')).toThrow(why);
    try {
      parseNamedCredentials(json, 'X');
    } catch (err) {
      expect(String(err)).not.toContain('do-not-print-me');
    }
  });

  it('an entry naming an undefined account is a ConfigError naming it; no default needed when all are named', () => {
    const creds = JSON.stringify({ 'acct-a': { ak: 'A', sk: 'S' } });
    expect(() =>
      loadTargetSources({ DLI_TARGETS: 'acct-x@auto', HUAWEICLOUD_CREDENTIALS: creds }, () => {
        throw new Error('no default');
      }),
    ).toThrow(/names account "acct-x".*expected one of: acct-a/);
    const ok = loadTargetSources({ DLI_TARGETS: 'acct-a@auto', HUAWEICLOUD_CREDENTIALS: creds }, () => {
      throw new Error('default asked for');
    });
    expect(ok.defaultCredentials).toBeNull();
    // An exclusion for every account reaches nothing itself: it needs no default credential either.
    const withExclusion = loadTargetSources(
      { DLI_TARGETS: 'acct-a@auto,!cn-south-1*', HUAWEICLOUD_CREDENTIALS: creds },
      () => {
        throw new Error('default asked for');
      },
    );
    expect(withExclusion.entries).toHaveLength(2);
    expect(Object.keys(ok.accounts)).toEqual(['acct-a']);
  });
});

describe('discovery rules', () => {
  it('maps a project name to its region; domain-level projects have none', () => {
    expect(projectRegion('cn-north-4', isRegion)).toBe('cn-north-4');
    expect(projectRegion('cn-north-4_analytics', isRegion)).toBe('cn-north-4');
    expect(projectRegion('MOS', isRegion)).toBeNull();
    expect(projectRegion('eu-west-101_x_y', isRegion)).toBe('eu-west-101');
    expect(projectRegion('_cn-north-4', isRegion)).toBeNull();
  });

  const projects = [
    { id: 'p4', name: 'cn-north-4' },
    { id: 'p4a', name: 'cn-north-4_analytics' },
    { id: 's1', name: 'cn-south-1' },
    { id: 's1x', name: 'cn-south-1_x' },
    { id: 'ap', name: 'ap-southeast-1' },
    { id: 'mos', name: 'MOS' },
    { id: 'off', name: 'cn-east-3', enabled: false },
  ];
  const ids = (entries: string, account: string | null = null) =>
    selectDiscovered(projects, { account, agency: null }, parse(entries), isRegion, dli).map(
      (t) => t.projectId,
    );

  it('auto takes every enabled region project, skipping MOS and disabled ones', () => {
    expect(ids('auto')).toEqual(['ap', 'p4', 'p4a', 's1', 's1x']);
  });

  it('include and exclude globs', () => {
    expect(ids('auto:cn-*,!cn-south-1*')).toEqual(['p4', 'p4a']);
    expect(ids('auto:cn-*,auto:ap-*,!*_*')).toEqual(['ap', 'p4', 's1']);
  });

  it('an exclusion without an account applies to every account; with one, to that account only', () => {
    expect(ids('acct@auto,!cn-*', 'acct')).toEqual(['ap']);
    expect(ids('acct@auto,other@!cn-*,other@auto', 'acct')).toEqual(['ap', 'p4', 'p4a', 's1', 's1x']);
    expect(ids('acct@auto,acct@!cn-*', 'acct')).toEqual(['ap']);
  });

  it('a scope takes only its own auto entries', () => {
    expect(ids('other@auto')).toEqual([]);
  });

  it('fills the resolved target: region, endpoint, project name, account, source', () => {
    const [t] = selectDiscovered(
      projects,
      { account: 'b', agency: null },
      parse('b@auto:cn-north-4_*'),
      isRegion,
      dli,
    );
    expect(t).toEqual({
      region: 'cn-north-4',
      projectId: 'p4a',
      endpoint: 'https://dli.cn-north-4.example',
      projectName: 'cn-north-4_analytics',
      account: 'b',
      source: 'discovered',
    });
  });

  it('one discovery per scope, in order', () => {
    expect(discoveryScopes(parse('a@auto,auto,a@auto:x*,cn-north-4:p')).map((s) => s.account)).toEqual([
      'a',
      null,
    ]);
  });

  it('an explicit target wins over the same project discovered, whatever the order', () => {
    const base = { region: 'cn-north-4', projectId: 'p4', endpoint: 'e', projectName: null };
    const explicit = [{ ...base, account: null, source: 'explicit' as const, scope: 'x' }];
    const found = [
      { ...base, projectName: 'cn-north-4', account: 'b', source: 'discovered' as const, scope: 'y' },
    ];
    expect(mergeTargets(explicit, found)).toEqual(explicit);
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 8 }), (pids) => {
        const mk = (projectId: string, source: 'explicit' | 'discovered') => ({
          ...base,
          projectId,
          account: null,
          source,
          scope: source,
        });
        const out = mergeTargets(
          pids.slice(0, 2).map((p) => mk(p, 'explicit')),
          pids.map((p) => mk(p, 'discovered')),
        );
        expect(new Set(out.map((t) => t.projectId)).size).toBe(out.length);
        for (const p of pids.slice(0, 2)) expect(out.find((t) => t.projectId === p)?.source).toBe('explicit');
      }),
      { numRuns: 100 },
    );
  });
});
