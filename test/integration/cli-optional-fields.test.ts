/**
 * What the official SDK models allow, end to end (real CLI process, emulator, DynamoDB Local): a
 * queue entry without a name is synced (not quarantined), shown by `peerings` with `queue: null` and
 * its `peerId`, alerts and recovers; unknown fields and a CREATING peering's duration are shown.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConnections } from '../../infra/local/emulator-data.ts';
import { runCli } from '../support/cli.ts';
import { type Harness, PROJECT, startHarness } from '../support/harness.ts';

type Raw = Record<string, unknown>;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('dli-sync with optional and unknown fields (real process, emulator, DynamoDB Local)', () => {
  it('a nameless queue entry appears in peerings with queue null and its peerId, and alerts', async () => {
    const env = { ...h.env, TABLE_NAME: `opt-${randomUUID().slice(0, 8)}` };
    expect((await runCli(['setup'], env)).code).toBe(0);
    const data = makeConnections(3, { seed: 11 }).map((c) => ({
      ...c,
      available_queue_info: [{ name: 'named_q', peer_id: 'peer-named', status: 'ACTIVE', err_msg: '' }],
    }));
    const first = data[0] as Raw;
    const withNameless = (status: string, err: string): Raw => ({
      ...first,
      available_queue_info: [
        { name: 'named_q', peer_id: 'peer-named', status: 'CREATING', err_msg: '' },
        { peer_id: 'peer-nameless', status, err_msg: err, update_time: 1_700_000_000_000 },
      ],
      ipv6_enable: true,
      brand_new_field: { tier: 'gold' },
    });
    h.dli.setConnections(PROJECT, [withNameless('FAILED', 'subnet could not be found'), data[1], data[2]]);

    const sync1 = await runCli(['sync', '--json'], env);
    expect(sync1.code, sync1.stderr).toBe(0);
    expect(JSON.parse(sync1.stdout)).toMatchObject([{ outcome: 'complete', created: 3, quarantined: [] }]);

    const failed = JSON.parse((await runCli(['peerings', '--json'], env)).stdout) as Raw[];
    expect(failed).toMatchObject([
      {
        connectionId: first.id,
        queue: null,
        peerId: 'peer-nameless',
        status: 'FAILED',
        error: 'subnet could not be found',
      },
    ]);
    const table = (await runCli(['peerings'], env)).stdout;
    expect(table).toContain('(peer peer-nameless)');

    const events = JSON.parse((await runCli(['events', '--json'], env)).stdout) as Raw[];
    expect(events).toMatchObject([
      { type: 'PEERING_FAILED', connectionId: first.id, queue: null, peerId: 'peer-nameless' },
    ]);

    const conns = JSON.parse((await runCli(['connections', '--json'], env)).stdout) as Raw[];
    const stored = conns.find((c) => c.id === first.id) as Raw;
    expect(stored).toMatchObject({
      ipv6Enable: true,
      extra: { brand_new_field: { tier: 'gold' } },
      peerings: [
        { queue: 'named_q', status: 'CREATING', creatingSince: expect.any(String) },
        { queue: null, peerId: 'peer-nameless', status: 'FAILED' },
      ],
    });
    const creating = (await runCli(['peerings', '--status', 'CREATING'], env)).stdout;
    expect(creating).toMatch(/named_q\s+CREATING for \d+s/);

    // Recovery of the nameless entry; the named one is still CREATING since the first sync.
    h.dli.setConnections(PROJECT, [withNameless('ACTIVE', ''), data[1], data[2]]);
    const sync2 = await runCli(['sync', '--json'], env);
    expect(JSON.parse(sync2.stdout)).toMatchObject([{ outcome: 'complete', changed: 1, quarantined: [] }]);
    const after = JSON.parse((await runCli(['events', '--json'], env)).stdout) as Raw[];
    expect(after.map((e) => [e.type, e.queue, e.peerId])).toEqual([
      ['PEERING_FAILED', null, 'peer-nameless'],
      ['PEERING_RECOVERED', null, 'peer-nameless'],
    ]);
    const again = JSON.parse((await runCli(['connections', '--json'], env)).stdout) as Raw[];
    const [named] = (again.find((c) => c.id === first.id) as { peerings: Raw[] }).peerings;
    expect(named?.creatingSince).toBe((stored.peerings as Raw[])[0]?.creatingSince);
  }, 180_000);
});
