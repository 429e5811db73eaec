/**
 * A connection as big as the DLI create/update APIs allow (20,000 hosts, 128-character names) goes
 * through the real path: emulator → sync → DynamoDB Local → CLI and API, and alerts like any other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConnections } from '../../infra/local/emulator-data.ts';
import { RESPONSE_BUDGET_BYTES, route } from '../../lib/api/routes.ts';
import type { Connection, HistoryVersion, RunRecord } from '../../lib/model/schemas.ts';
import { getConnection, listConnections, listEvents, listHistory } from '../../lib/store/query.ts';
import { snapshotAt } from '../../lib/store/snapshot.ts';
import { runCli } from '../support/cli.ts';
import { type Harness, PROJECT, REGION, startHarness } from '../support/harness.ts';

type Raw = Record<string, unknown>;
const target = { region: REGION, projectId: PROJECT };
const HOSTS = 20_000;
const at = (hour: number) => () => new Date(Date.UTC(2026, 0, 1, hour));

/** Host names as the API allows them: up to 128 characters. The API's order is not sorted. */
const bigHosts = (): Raw[] =>
  Array.from({ length: HOSTS }, (_, i) => ({
    name: `node-${String((i * 7919) % HOSTS).padStart(5, '0')}.`.padEnd(123, 'a') + '.corp',
    ip: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
  }));

let h: Harness;
let big: Raw;
let small: Raw[];
const runs: RunRecord[] = [];
const writeUnits: number[] = [];

async function syncAt(hour: number): Promise<RunRecord> {
  h.dli.setConnections(PROJECT, [big, ...small]);
  const before = h.store.meter.estimatedWriteUnits;
  const {
    runs: [run],
  } = await h.sync({ now: at(hour) });
  writeUnits.push(h.store.meter.estimatedWriteUnits - before);
  runs.push(run as RunRecord);
  return run as RunRecord;
}

const queues = (c: Raw) => c.available_queue_info as Raw[];

beforeAll(async () => {
  h = await startHarness();
  const [first, ...rest] = makeConnections(4, { seed: 21 }).map((c) => ({
    ...c,
    available_queue_info: queues(c).map((q) => ({ ...q, status: 'ACTIVE', err_msg: '' })),
  }));
  big = { ...(first as Raw), hosts: bigHosts() };
  small = rest;
  await syncAt(1);
  // one host changed
  (big.hosts as Raw[])[12_345] = { ...((big.hosts as Raw[])[12_345] as Raw), ip: '10.99.99.99' };
  await syncAt(2);
  // its peering fails
  Object.assign(queues(big)[0] as Raw, { status: 'FAILED', err_msg: 'route conflict' });
  await syncAt(3);
}, 600_000);
afterAll(async () => {
  await h.close();
});

const ipOf = (c: { hosts: { name: string | null; ip: string | null }[] }, name: string) =>
  c.hosts.find((x) => x.name === name)?.ip;
const changedName = () => String(((big.hosts as Raw[])[12_345] as Raw).name);

function expectFull(c: Pick<Connection, 'hosts'>, changed: boolean): void {
  expect(c.hosts).toHaveLength(HOSTS);
  expect(ipOf(c, changedName())).toBe(changed ? '10.99.99.99' : `10.0.48.57`);
}

describe('a connection with 20,000 hosts of 128-character names', () => {
  it('is synced, versioned on a host change, and alerts when its peering fails', async () => {
    expect(runs.map((r) => [r.outcome, r.created, r.changed, r.quarantined.length, r.events])).toEqual([
      ['complete', 4, 0, 0, 0],
      ['complete', 0, 1, 0, 0],
      ['complete', 0, 1, 0, 1],
    ]);
    const events = (await listEvents(h.store)).items;
    expect(events).toMatchObject([
      { type: 'PEERING_FAILED', connectionId: big.id, queue: queues(big)[0]?.name, error: 'route conflict' },
    ]);
  });

  it('a host change or a peering change rewrites kilobytes, not the megabytes of the connection', () => {
    const [first, hostChange, peeringChange] = writeUnits as [number, number, number];
    expect(first).toBeGreaterThan(3_000); // ~3.3 MB of chunks (and the small connections)
    expect(hostChange).toBeLessThan(first / 20);
    expect(peeringChange).toBeLessThan(hostChange);
  });

  it('lists and versions it in full: state, history, snapshot, by id', async () => {
    const [stored] = (await listConnections(h.store, target)).items.filter((c) => c.id === big.id);
    expectFull(stored as Connection, true);
    expectFull((await getConnection(h.store, String(big.id))) as Connection, true);
    const versions = (await listHistory(h.store, String(big.id))).items;
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
    expectFull(versions[0] as HistoryVersion, false);
    expectFull(versions[1] as HistoryVersion, true);
    // the raw JSON as the API sent it: its hosts in the API's order
    expect((versions[1] as HistoryVersion & { raw: Raw }).raw.hosts).toEqual(big.hosts);
    expect(versions[2]?.raw).toEqual(big);
    const asOf = await snapshotAt(h.store, target, '2026-01-01T01:30:00.000Z');
    expectFull(asOf.find((v) => v.id === big.id) as HistoryVersion, false);
  });

  it('the CLI lists it in full (connections --json, history --json)', async () => {
    const connections = await runCli(['connections', '--json'], h.env);
    expect(connections.stderr).toBe('');
    const list = JSON.parse(connections.stdout) as Connection[];
    expectFull(list.find((c) => c.id === big.id) as Connection, true);
    const history = await runCli(['history', String(big.id), '--json'], h.env);
    const versions = JSON.parse(history.stdout) as HistoryVersion[];
    expect(versions).toHaveLength(3);
    expectFull(versions[0] as HistoryVersion, false);
    expect((versions[0] as HistoryVersion & { raw: Raw }).raw.hosts).toHaveLength(HOSTS);
  }, 120_000);

  it('the API lists it in full, in pages that fit a Lambda response', async () => {
    const ctx = { store: h.store, targets: [h.config.targets[0]!] };
    const seen: Connection[] = [];
    let cursor: string | undefined;
    do {
      const res = await route(ctx, 'GET', '/connections', { limit: '100', ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      expect(Buffer.byteLength(JSON.stringify(res.body))).toBeLessThan(RESPONSE_BUDGET_BYTES + 64 * 1024);
      const body = res.body as { items: Connection[]; cursor: string | null };
      seen.push(...body.items);
      cursor = body.cursor ?? undefined;
    } while (cursor);
    expect(seen.map((c) => c.id).sort()).toEqual([big, ...small].map((c) => String(c.id)).sort());
    expectFull(seen.find((c) => c.id === big.id) as Connection, true);

    const versions: (HistoryVersion & { rawOmitted?: string })[] = [];
    do {
      const res = await route(ctx, 'GET', `/connections/${String(big.id)}/history`, cursor ? { cursor } : {});
      expect(res.status).toBe(200);
      expect(Buffer.byteLength(JSON.stringify(res.body))).toBeLessThan(6 * 1024 * 1024);
      const body = res.body as { items: HistoryVersion[]; cursor: string | null };
      versions.push(...body.items);
      cursor = body.cursor ?? undefined;
    } while (cursor);
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
    expectFull(versions[0] as HistoryVersion, false);
    expectFull(versions[1] as HistoryVersion, true);
    // content + raw is ~6.6 MB: the raw is left out, and said so
    expect(versions[0]?.rawOmitted).toMatch(/raw JSON too large for one API response/);
  });
});
