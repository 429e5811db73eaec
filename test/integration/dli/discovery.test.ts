/**
 * Target resolution against the emulator's IAM side: auto with include/exclude, two accounts, an
 * agency whose temporary credentials expire and are refreshed (injected clock), a failing discovery
 * that keeps the last list, and no credential in any message.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DliEmulator, startDliEmulator } from '../../../infra/local/dli-emulator.ts';
import { makeConnections } from '../../../infra/local/emulator-data.ts';
import { loadSyncConfig } from '../../../lib/config.ts';
import { clearAgencyCache } from '../../../lib/dli/agency.ts';
import { closeDliPools } from '../../../lib/dli/client.ts';
import { clearDiscoveryCache } from '../../../lib/dli/discovery.ts';
import { sweepTarget } from '../../../lib/dli/sweep.ts';
import type { Credentials } from '../../../lib/dli/types.ts';
import { targetSpec } from '../../../lib/model/target.ts';
import { resolveTargets } from '../../../lib/sync/resolve.ts';
import { ACCOUNTS, AK_A, AK_B, NAMED_CREDENTIALS, P, SK_A, SK_B } from '../../support/accounts.ts';

let emu: DliEmulator;
let clock = Date.now();
const MIN = 60_000;

beforeAll(async () => {
  emu = await startDliEmulator({ credentials: {}, accounts: ACCOUNTS, stsTtlMs: 20 * MIN, now: () => clock });
  // A seed per project: connection ids are unique across projects, as DLI's UUIDs are.
  for (const [i, id] of Object.values(P).entries())
    emu.setConnections(id, makeConnections(3, { seed: 30 + i }));
});
afterAll(async () => {
  await closeDliPools();
  await emu.close();
});
beforeEach(() => {
  clearDiscoveryCache();
  clearAgencyCache();
  clock = Date.now();
});

const configFor = (targets: string, extra: Record<string, string> = {}) =>
  loadSyncConfig({
    TABLE_NAME: 'dli-sync',
    DLI_TARGETS: targets,
    DLI_ENDPOINT: emu.url,
    HUAWEICLOUD_SDK_IAM_ENDPOINT: emu.url,
    HUAWEICLOUD_CREDENTIALS: NAMED_CREDENTIALS,
    ...extra,
  });

async function sweepWith(projectId: string, credentials: Credentials | undefined) {
  if (!credentials) throw new Error(`no credential for ${projectId}`);
  return sweepTarget({ region: 'cn-north-4', projectId, endpoint: emu.url }, { credentials, pageSize: 10 });
}

describe('discovery through IAM', () => {
  it('auto:<glob> with !<glob>: the matching projects of the account, MOS and excluded ones left out', async () => {
    const r = await resolveTargets(configFor('acct-a@auto:cn-*,!cn-south-1*'));
    expect(r.problems).toEqual([]);
    expect(r.targets).toEqual([
      {
        region: 'cn-north-4',
        projectId: P.a4,
        endpoint: emu.url,
        projectName: 'cn-north-4',
        account: 'acct-a',
        source: 'discovered',
      },
      {
        region: 'cn-north-4',
        projectId: P.a4x,
        endpoint: emu.url,
        projectName: 'cn-north-4_analytics',
        account: 'acct-a',
        source: 'discovered',
      },
    ]);
  });

  it('plain auto: every region project of the account', async () => {
    const r = await resolveTargets(configFor('acct-a@auto'));
    expect(r.targets.map((t) => t.projectName)).toEqual([
      'ap-southeast-1',
      'cn-north-4',
      'cn-north-4_analytics',
      'cn-south-1',
    ]);
  });

  it('two accounts: each target is swept with its own account, which the other cannot use', async () => {
    const r = await resolveTargets(configFor('acct-a@auto:cn-north-4,acct-b@auto'));
    expect(r.targets.map((t) => [t.projectId, t.account])).toEqual([
      [P.a4, 'acct-a'],
      [P.b3, 'acct-b'],
    ]);
    const ca = r.credentials.get(targetSpec({ region: 'cn-north-4', projectId: P.a4 }));
    const cb = r.credentials.get(targetSpec({ region: 'cn-east-3', projectId: P.b3 }));
    expect(ca).toMatchObject({ kind: 'aksk', ak: AK_A });
    expect(cb).toMatchObject({ kind: 'aksk', ak: AK_B });
    expect((await sweepWith(P.a4, ca)).complete).toBe(true);
    expect((await sweepWith(P.b3, cb)).complete).toBe(true);
    const crossed = await sweepWith(P.b3, ca);
    expect(crossed.complete).toBe(false);
    expect(crossed.error?.details.httpStatus).toBe(403);
  });

  it('an explicit target wins over the same project discovered, with its own account', async () => {
    const r = await resolveTargets(configFor(`acct-a@auto:cn-north-4,acct-b@cn-north-4:${P.a4}`));
    expect(r.targets).toEqual([
      expect.objectContaining({ projectId: P.a4, source: 'explicit', account: 'acct-b', projectName: null }),
    ]);
  });

  it('the sync uses the resolved credential of each target (withResolution → listing)', async () => {
    const { withResolution } = await import('../../../lib/sync/resolve.ts');
    const { sweepListing } = await import('../../../lib/sync/listing.ts');
    const config = configFor('acct-a@auto:cn-north-4,acct-b@auto');
    const resolved = withResolution(config, await resolveTargets(config));
    for (const t of resolved.targets) expect((await sweepListing(resolved, t)).complete).toBe(true);
  });
});

describe('agencies', () => {
  const VIA = 'acct-a@auto via dli-sync-agency in member';

  it('assumes the agency, discovers the member account with the temporary credentials, sweeps with them', async () => {
    const before = emu.discoveryRequests();
    const r = await resolveTargets(configFor(VIA), { now: () => clock });
    expect(r.problems).toEqual([]);
    expect(r.targets.map((t) => t.projectId)).toEqual([P.m4, P.m1]);
    expect(emu.discoveryRequests() - before).toBe(2); // assume-role + project list
    const c = r.credentials.get(targetSpec({ region: 'cn-north-4', projectId: P.m4 }));
    expect(c).toMatchObject({ kind: 'agency', agencyName: 'dli-sync-agency', domain: 'member' });
    expect((await sweepWith(P.m4, c)).complete).toBe(true);
    // The member's temporary credentials open the member's projects only.
    const outside = await sweepWith(P.a4, c);
    expect(outside.error?.details.httpStatus).toBe(403);
  });

  it('caches the temporary credentials until shortly before they expire, then assumes again', async () => {
    const config = configFor(VIA, { DISCOVERY_MAX_AGE_SECONDS: '0' });
    const now = () => clock;
    const start = emu.discoveryRequests();
    await resolveTargets(config, { now });
    expect(emu.discoveryRequests() - start).toBe(2);
    clock += 10 * MIN; // 10 of 20 minutes: still cached; only the project list is asked again
    await resolveTargets(config, { now });
    expect(emu.discoveryRequests() - start).toBe(3);
    clock += 6 * MIN; // 16 of 20: inside the 5-minute margin, so assumed afresh
    const r = await resolveTargets(config, { now });
    expect(emu.discoveryRequests() - start).toBe(5);
    expect(r.problems).toEqual([]);
    clock += 21 * MIN; // every credential of the first two assumptions has expired at the emulator
    const later = await resolveTargets(config, { now });
    expect(later.problems).toEqual([]);
    expect(emu.discoveryRequests() - start).toBe(7);
  });

  it('refuses an agency that does not trust the account: a problem naming the scope, no targets', async () => {
    const r = await resolveTargets(configFor('acct-b@auto via dli-sync-agency in member'));
    expect(r.targets).toEqual([]);
    expect(r.problems).toEqual([
      expect.objectContaining({
        scope: 'acct-b via dli-sync-agency in member',
        account: 'acct-b',
        keptCached: false,
      }),
    ]);
    expect(r.problems[0]?.message).toMatch(
      /assume-role of agency dli-sync-agency in member failed: HTTP 403/,
    );
  });
});

describe('a failing discovery', () => {
  it('keeps the last discovered list and says so; without one, reports the account and adds nothing', async () => {
    const ok = await resolveTargets(configFor('acct-a@auto:cn-north-4', { DISCOVERY_MAX_AGE_SECONDS: '0' }));
    expect(ok.targets).toHaveLength(1);
    const broken = JSON.stringify({ 'acct-a': { ak: AK_A, sk: 'wrong-secret-do-not-log' } });
    const config = configFor('acct-a@auto:cn-north-4', {
      DISCOVERY_MAX_AGE_SECONDS: '0',
      HUAWEICLOUD_CREDENTIALS: broken,
    });
    const kept = await resolveTargets(config);
    expect(kept.targets.map((t) => t.projectId)).toEqual([P.a4]);
    expect(kept.problems).toEqual([expect.objectContaining({ account: 'acct-a', keptCached: true })]);
    expect(kept.problems[0]?.message).toMatch(
      /discovery failed for acct-a: IAM project list failed: HTTP 401/,
    );
    clearDiscoveryCache();
    const lost = await resolveTargets(config);
    expect(lost.targets).toEqual([]);
    expect(lost.problems).toEqual([expect.objectContaining({ account: 'acct-a', keptCached: false })]);
    const text = JSON.stringify([kept.problems, lost.problems]);
    for (const secret of ['wrong-secret-do-not-log', SK_A, SK_B, AK_A]) expect(text).not.toContain(secret);
  });
});
