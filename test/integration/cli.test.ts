import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConnections } from '../../infra/local/emulator-data.ts';
import { runCli } from '../support/cli.ts';
import { type Harness, PROJECT, SK, startHarness } from '../support/harness.ts';

let h: Harness;
let data: Record<string, unknown>[];
beforeAll(async () => {
  h = await startHarness();
  data = makeConnections(30, { seed: 3 }).map((c) => ({
    ...c,
    available_queue_info: (c.available_queue_info as Record<string, unknown>[]).map((q) => ({
      ...q,
      status: 'ACTIVE',
      err_msg: '',
    })),
  }));
  h.dli.setConnections(PROJECT, data);
});
afterAll(() => h.close());

const noStackTrace = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('dli-sync CLI (real process, emulator, DynamoDB Local)', () => {
  it('setup is idempotent, sync --json prints the run records, and the read commands show the result', async () => {
    const env = { ...h.env, TABLE_NAME: `cli-${randomUUID().slice(0, 8)}` };
    const setup1 = await runCli(['setup'], env);
    expect(setup1).toMatchObject({ code: 0 });
    expect(setup1.stdout).toContain('created');
    expect((await runCli(['setup'], env)).stdout).toContain('already exists');

    const sync1 = await runCli(['sync', '--json'], env);
    expect(sync1.code).toBe(0);
    expect(JSON.parse(sync1.stdout)).toMatchObject([{ outcome: 'complete', seen: 30, created: 30 }]);

    // A peering fails and a connection disappears.
    const first = data[0] as Record<string, unknown>;
    Object.assign((first.available_queue_info as Record<string, unknown>[])[0] as object, {
      status: 'FAILED',
      err_msg: 'boom',
    });
    h.dli.setConnections(PROJECT, data.slice(0, 29));
    const sync2 = await runCli(['sync'], env);
    expect(sync2.code).toBe(0);
    expect(sync2.stdout).toMatch(/complete .* 1 changed, 1 deleted/);

    const conns = JSON.parse((await runCli(['connections', '--json'], env)).stdout) as Record<
      string,
      unknown
    >[];
    expect(conns).toHaveLength(30);
    expect(Object.keys(conns[0] ?? {})).toEqual(
      expect.arrayContaining([
        'region',
        'projectId',
        'id',
        'name',
        'status',
        'destVpcId',
        'destNetworkId',
        'isPrivis',
        'createdAt',
        'hosts',
        'peerings',
        'elasticResourcePools',
        'firstSeenAt',
        'lastSeenAt',
      ]),
    );
    const deleted = JSON.parse((await runCli(['connections', '--status', 'deleted', '--json'], env)).stdout);
    expect(deleted).toMatchObject([{ id: data[29]?.id, status: 'DELETED' }]);

    const history = JSON.parse((await runCli(['history', String(first.id), '--json'], env)).stdout) as Record<
      string,
      unknown
    >[];
    expect(history.map((v) => v.version)).toEqual([1, 2]);
    expect(history[1]).toHaveProperty('observedAt');

    const events = JSON.parse((await runCli(['events', '--json'], env)).stdout) as Record<string, unknown>[];
    expect(events.map((e) => e.type).sort()).toEqual(['CONNECTION_DELETED', 'PEERING_FAILED']);
    expect(Object.keys(events[0] ?? {})).toEqual(
      expect.arrayContaining([
        'id',
        'type',
        'region',
        'projectId',
        'connectionId',
        'connectionName',
        'queue',
        'previousStatus',
        'status',
        'error',
        'detectedAt',
      ]),
    );

    const table = await runCli(['events'], env);
    expect(table.stdout).toMatch(/^DETECTED AT\s+TYPE/);
    expect(table.stdout).toContain('PEERING_FAILED');
  });

  it('snapshot --at rebuilds the past inventory, export gives the current one, as CSV or JSON; peerings lists FAILED', async () => {
    const env = { ...h.env, TABLE_NAME: `cli-${randomUUID().slice(0, 8)}` };
    await runCli(['setup'], env);
    const few = data.slice(0, 3).map((c) => structuredClone(c));
    h.dli.setConnections(PROJECT, few);
    await runCli(['sync'], env);
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    Object.assign((few[1]!.available_queue_info as Record<string, unknown>[])[0] as object, {
      status: 'FAILED',
      err_msg: 'no route',
    });
    h.dli.setConnections(PROJECT, [few[1], few[2]]);
    expect((await runCli(['sync'], env)).code).toBe(0);

    const past = JSON.parse((await runCli(['snapshot', '--at', between, '--json'], env)).stdout) as {
      id: string;
      peerings: { status: string }[];
    }[];
    expect(past.map((c) => c.id).sort()).toEqual(few.map((c) => String(c.id)).sort());
    expect(past.find((c) => c.id === few[1]?.id)?.peerings.every((p) => p.status === 'ACTIVE')).toBe(true);
    const before = JSON.parse(
      (await runCli(['snapshot', '--at', '2000-01-01T00:00:00Z', '--json'], env)).stdout,
    );
    expect(before).toEqual([]);

    const csv = (await runCli(['export', '--csv'], env)).stdout.trim().split('\r\n');
    expect(csv[0]).toBe(
      'region,projectId,id,name,status,destVpcId,destNetworkId,isPrivis,createdAt,peerings,elasticResourcePools,firstSeenAt,lastSeenAt,observedAt',
    );
    expect(csv).toHaveLength(4);
    expect(csv.find((l) => l.includes(String(few[0]?.id)))).toContain(',DELETED,');

    const failed = JSON.parse((await runCli(['peerings', '--json'], env)).stdout);
    expect(failed).toMatchObject([{ connectionId: few[1]?.id, status: 'FAILED', error: 'no route' }]);
    h.dli.setConnections(PROJECT, data);
  });

  it('rejects --json with --csv, and snapshot without --at', async () => {
    expect(await runCli(['export', '--json', '--csv'], h.env)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('exclude each other'),
    });
    expect(await runCli(['snapshot'], h.env)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('snapshot needs --at'),
    });
  });

  it('exits 1 when a sweep did not complete', async () => {
    const env = {
      ...h.env,
      TABLE_NAME: `cli-${randomUUID().slice(0, 8)}`,
      HUAWEICLOUD_SDK_SK: 'wrong-secret-value-123',
    };
    await runCli(['setup'], env);
    const res = await runCli(['sync'], env);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/incomplete/);
    expect(res.stdout).toMatch(/401/);
    expect(res.stdout + res.stderr).not.toContain('wrong-secret-value-123');
    expect(res.stdout + res.stderr).not.toContain(SK);
    noStackTrace(res.stderr);
  });

  it.each([
    [['sync'], { DLI_TARGETS: '' }, /DLI_TARGETS is not set/],
    [['sync'], { DLI_TARGETS: 'nonsense' }, /DLI_TARGETS entry "nonsense" is not region:projectId/],
    [['sync'], { HUAWEICLOUD_SDK_SK: '' }, /HUAWEICLOUD_SDK_SK is not set/],
    [['sync'], { DLI_ENDPOINT: 'http://dli.example.com' }, /DLI_ENDPOINT must use https/],
    [['sync'], { TABLE_NAME: '' }, /TABLE_NAME is not set/],
    [['sync'], { DLI_PAGE_SIZE: '0' }, /DLI_PAGE_SIZE .* expected a whole number from 1 to 1000/],
    [['frobnicate'], {}, /unknown command "frobnicate"/],
    [['history'], {}, /history takes exactly one connection id/],
    [['events', '--from', 'yesterday'], {}, /--from must be an ISO-8601 time/],
    [['events', '--limit', '-3'], {}, /--limit|-3/],
    [['events', '--bogus'], {}, /^dli-sync: unknown option --bogus; see dli-sync --help$/],
    [['events', '--limit', '-5'], {}, /^dli-sync: --limit must be a whole number from 1 to 10000$/],
    [['events', '--limit'], {}, /^dli-sync: --limit needs a value; see dli-sync --help$/],
    [['events', '--json=yes'], {}, /^dli-sync: --json takes no value; see dli-sync --help$/],
    [['events', '--status', 'FAILED'], {}, /^dli-sync: events does not take --status; see dli-sync --help$/],
    [
      ['connections', '--status', 'bogus'],
      {},
      /^dli-sync: --status must be one of ACTIVE, DELETED, UNKNOWN$/,
    ],
    [
      ['connections', '--status', 'FAILED'],
      {},
      /^dli-sync: --status must be one of ACTIVE, DELETED, UNKNOWN; FAILED is a peering status: dli-sync peerings --status FAILED .*lists those peerings$/,
    ],
    [
      ['peerings', '--status', 'DELETED'],
      {},
      /^dli-sync: --status must be one of CREATING, ACTIVE, FAILED, UNKNOWN$/,
    ],
    [['history', 'x'.repeat(256)], {}, /^dli-sync: connection id must be 1 to 255 characters/],
  ])('bad usage %j with %j: exit 2, one clear line, nothing written', async (args, over, message) => {
    const res = await runCli(args, { ...h.env, ...over });
    expect(res.code).toBe(2);
    expect(res.stderr.trimEnd()).toMatch(message);
    // One line: no usage dump after it, no stack trace.
    expect(res.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^dli-sync: /);
    noStackTrace(res.stderr);
    expect(res.stdout).toBe('');
  });

  it('--help prints the usage on stdout, whatever else is on the line', async () => {
    for (const args of [['--help'], ['events', '-h'], ['events', '--bogus', '--help']]) {
      const res = await runCli(args, {});
      expect(res).toMatchObject({ code: 0, stderr: '' });
      expect(res.stdout).toMatch(/^usage: dli-sync <command>/);
    }
  });

  it('names a missing table and how to create it', async () => {
    const res = await runCli(['events'], { ...h.env, TABLE_NAME: 'does-not-exist' });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('table does-not-exist not found; run "dli-sync setup" first');
  });
});
