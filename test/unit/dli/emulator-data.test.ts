import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_HOST_NAME, MAX_HOSTS, MAX_NAME, makeConnections } from '../../../infra/local/emulator-data.ts';
import { ConnectionRecordSchema } from '../../../lib/dli/schema.ts';

describe('makeConnections', () => {
  it('is deterministic for a seed and different across seeds', () => {
    expect(makeConnections(20, { seed: 5 })).toEqual(makeConnections(20, { seed: 5 }));
    expect(makeConnections(20, { seed: 5 })).not.toEqual(makeConnections(20, { seed: 6 }));
  });

  it('makes records the API schema accepts, with unique ids and strictly increasing create_time', () => {
    const data = makeConnections(500, { seed: 1, peeringsPerConnection: 4, startTime: 1_600_000_000_000 });
    for (const r of data) expect(ConnectionRecordSchema.safeParse(r).success).toBe(true);
    expect(new Set(data.map((r) => r.id)).size).toBe(500);
    const times = data.map((r) => r.create_time as number);
    expect(times[0]).toBeGreaterThan(1_600_000_000_000);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]!);
    expect(data.every((r) => (r.available_queue_info as unknown[]).length === 4)).toBe(true);
    expect(String(data[0]!.id)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe('makeConnections, official shapes (opt-in)', () => {
  const HASH_OF_DEFAULTS = 'a74b8474a30837f7e8e0abc7f109dd14faedc7b7b2c21556e57cac2153275fda';

  it('keeps the default data stable: the same records for every test run (no default-queue peering since it was pinned)', () => {
    const data = [
      makeConnections(200, { seed: 5 }),
      makeConnections(30, { seed: 9, peeringsPerConnection: 9, startTime: 1 }),
    ];
    expect(createHash('sha256').update(JSON.stringify(data)).digest('hex')).toBe(HASH_OF_DEFAULTS);
  });

  it('makes names the create API allows, up to 64 characters, and never a default-queue peering', () => {
    const data = makeConnections(300, {
      seed: 2,
      apiNames: true,
      peeringsPerConnection: 6,
    });
    const names = data.map((r) => String(r.name));
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9_]{1,64}$/);
    expect(names.some((n) => n.length === MAX_NAME)).toBe(true);
    const queues = data.flatMap((r) => (r.available_queue_info as { name: string }[]).map((q) => q.name));
    expect(queues).not.toContain('default');
    // Nor in the data every other test uses (the create API refuses a default-queue connection).
    expect(
      makeConnections(300, { seed: 2 }).some((r) => JSON.stringify(r).includes('"name":"default"')),
    ).toBe(false);
  });

  it('makes CREATING peerings, DELETED connections, pools, routes, ipv6_enable, tags and nameless entries', () => {
    const data = makeConnections(400, {
      seed: 3,
      creatingShare: 0.2,
      deletedShare: 0.1,
      elasticResourcePools: 2,
      routes: 3,
      ipv6: true,
      namelessShare: 0.1,
      tags: true,
    });
    const entries = data.flatMap((r) => [
      ...(r.available_queue_info as Record<string, unknown>[]),
      ...(r.elastic_resource_pools as Record<string, unknown>[]),
    ]);
    expect(entries.some((e) => e.status === 'CREATING')).toBe(true);
    expect(entries.some((e) => !('name' in e) && typeof e.peer_id === 'string')).toBe(true);
    expect(data.some((r) => r.status === 'DELETED')).toBe(true);
    expect(data.every((r) => (r.elastic_resource_pools as unknown[]).length === 2)).toBe(true);
    expect(
      data.every((r) => (r.routes as { cidr: string }[]).every((x) => /^172\.\d+\.\d+\.0\/24$/.test(x.cidr))),
    ).toBe(true);
    expect(data.some((r) => r.ipv6_enable === true) && data.some((r) => r.ipv6_enable === false)).toBe(true);
    expect(data[0]!.tags).toEqual([
      { key: 'team', value: expect.any(String) },
      { key: 'env', value: expect.any(String) },
    ]);
  });

  it('makes up to 20,000 hosts with names up to 128 characters, and refuses more', () => {
    const [big] = makeConnections(1, { seed: 4, hosts: MAX_HOSTS, hostNameLength: MAX_HOST_NAME });
    const hosts = big!.hosts as { name: string; ip: string }[];
    expect(hosts).toHaveLength(20_000);
    expect(hosts.every((h) => h.name.length === 128 && /^10\.\d+\.\d+\.\d+$/.test(h.ip))).toBe(true);
    expect(new Set(hosts.map((h) => h.ip)).size).toBe(20_000);
    expect(() => makeConnections(1, { hosts: MAX_HOSTS + 1 })).toThrow(/at most 20000/);
    expect(() => makeConnections(1, { hosts: 1, hostNameLength: 129 })).toThrow(/hostNameLength 129/);
  });
});
