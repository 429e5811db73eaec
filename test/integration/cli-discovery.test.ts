/**
 * `dli-sync sync` with discovery, as a person runs it: two accounts and an agency resolved through
 * the emulator's IAM side and swept into DynamoDB Local; a failing discovery is an error (exit 1)
 * that names the account and no secret; a bad DLI_TARGETS entry is exit 2 naming it. In process
 * through main() (the real executable's exit-2 path is test/integration/cli.test.ts's): each child
 * process costs seconds on a loaded machine.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../bin/cli.ts';
import { type DliEmulator, startDliEmulator } from '../../infra/local/dli-emulator.ts';
import { makeConnections } from '../../infra/local/emulator-data.ts';
import { loadSyncConfig } from '../../lib/config.ts';
import { clearDiscoveryCache } from '../../lib/dli/discovery.ts';
import { createTelemetry } from '../../lib/log.ts';
import type { Store } from '../../lib/store/client.ts';
import { scheduledTick } from '../../lib/sync/scheduled.ts';
import { ACCOUNTS, AK_A, NAMED_CREDENTIALS, P, SK_A, SK_B } from '../support/accounts.ts';
import { createTestStore, ddbEndpoint, LOCAL_AWS_ENV } from '../support/store.ts';

let emu: DliEmulator;
let store: Store;
let env: Record<string, string>;

beforeAll(async () => {
  emu = await startDliEmulator({ credentials: {}, accounts: ACCOUNTS });
  // A seed per project: connection ids are unique across projects, as DLI's UUIDs are (the same ids
  // in two targets swept at once would contend for the same items and fail a run now and then).
  for (const [i, id] of Object.values(P).entries())
    emu.setConnections(id, makeConnections(4, { seed: 70 + i }));
  store = await createTestStore();
  // main() reads its configuration from the env it is given; the AWS SDK reads its own from process.env.
  Object.assign(process.env, LOCAL_AWS_ENV, { AWS_ENDPOINT_URL_DYNAMODB: ddbEndpoint() });
  env = {
    ...LOCAL_AWS_ENV,
    AWS_ENDPOINT_URL_DYNAMODB: ddbEndpoint(),
    TABLE_NAME: store.tableName,
    DLI_ENDPOINT: emu.url,
    HUAWEICLOUD_SDK_IAM_ENDPOINT: emu.url,
    HUAWEICLOUD_CREDENTIALS: NAMED_CREDENTIALS,
  };
});
afterAll(() => emu.close());

async function runCli(argv: string[], e: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, e, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const noStackTrace = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('dli-sync sync with discovery', () => {
  it('sweeps every discovered project of two accounts and a member account, each with its credential', async () => {
    const res = await runCli(['sync', '--json'], {
      ...env,
      DLI_TARGETS: 'acct-a@auto:cn-north-4,acct-b@auto,acct-a@auto:cn-south-1 via dli-sync-agency in member',
    });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const runs = JSON.parse(res.stdout) as { projectId: string; outcome: string }[];
    expect(runs.map((r) => [r.projectId, r.outcome]).sort()).toEqual(
      [P.a4, P.b3, P.m1].map((id) => [id, 'complete']).sort(),
    );
  });

  it('a discovery that fails is an error naming the account, exit 1, and no secret anywhere', async () => {
    const broken = JSON.stringify({ 'acct-a': { ak: AK_A, sk: 'wrong-secret-do-not-log' } });
    const res = await runCli(['sync'], {
      ...env,
      HUAWEICLOUD_CREDENTIALS: broken,
      DLI_TARGETS: 'acct-a@auto:cn-north-4',
      DISCOVERY_MAX_AGE_SECONDS: '0',
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^error: discovery failed for acct-a: IAM project list failed: HTTP 401/m);
    for (const s of ['wrong-secret-do-not-log', SK_A, SK_B]) expect(res.stdout + res.stderr).not.toContain(s);
    noStackTrace(res.stderr);
  });

  it.each([
    ['acct-a@auto:cn north', /DLI_TARGETS entry "acct-a@auto:cn north" has spaces/],
    ['acct-x@auto', /names account "acct-x", which HUAWEICLOUD_CREDENTIALS does not define/],
  ])('a bad entry %j is exit 2 naming it', async (targets, why) => {
    const res = await runCli(['sync'], { ...env, DLI_TARGETS: targets });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(why);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    noStackTrace(res.stderr);
  });

  it('the scheduled tick discovers before it sweeps; a failed account is an error log, the tick not ok, no secret logged', async () => {
    clearDiscoveryCache();
    const broken = JSON.stringify({
      'acct-a': { ak: AK_A, sk: 'wrong-secret-do-not-log' },
      'acct-b': JSON.parse(NAMED_CREDENTIALS)['acct-b'],
    });
    const config = loadSyncConfig({
      ...env,
      HUAWEICLOUD_CREDENTIALS: broken,
      DLI_TARGETS: 'acct-a@auto,acct-b@auto',
    });
    const telemetry = createTelemetry({ POWERTOOLS_SERVICE_NAME: 'discovery-test' });
    const logged: unknown[] = [];
    for (const level of ['error', 'warn', 'info'] as const) {
      vi.spyOn(telemetry.logger, level).mockImplementation((...args: unknown[]) => {
        logged.push(args);
      });
    }
    const schedule = {
      fanoutQueueUrl: null,
      fanoutThreshold: null,
      intervalMs: 900_000,
      staleAfterIntervals: 3,
    };
    const tick = await scheduledTick(config, schedule, { store, telemetry, sqs: () => undefined as never });
    expect(tick.ok).toBe(false);
    expect(tick.runs.map((r) => [r.projectId, r.outcome])).toEqual([[P.b3, 'complete']]);
    expect(logged).toContainEqual([
      'target discovery failed',
      expect.objectContaining({ account: 'acct-a', keptCached: false }),
    ]);
    const text = JSON.stringify(logged);
    for (const s of ['wrong-secret-do-not-log', SK_A, SK_B]) expect(text).not.toContain(s);
  });
});
