import { describe, expect, it } from 'vitest';
import {
  contentHash,
  normalizeConnection,
  normalizeStatus,
  observe,
  sight,
  sightSweep,
} from '../../lib/sync/normalize.ts';

const target = { region: 'cn-north-4', projectId: 'p1' };

const record = (over: Record<string, unknown> = {}) => ({
  name: 'withvpc',
  id: '4c693ecc-bab8-4113-a838-129cedc9a563',
  available_queue_info: [
    { status: 'ACTIVE', name: 'q2', peer_id: 'peer-2', err_msg: '', update_time: 1566889577861 },
    {
      status: 'Failed',
      name: 'q1',
      peer_id: 'peer-1',
      err_msg: 'route conflict',
      update_time: 1566889577000,
    },
  ],
  dest_vpc_id: 'vpc-1',
  dest_network_id: 'net-1',
  isPrivis: true,
  create_time: 1566888011125,
  status: 'Active',
  ...over,
});

function ok(raw: unknown) {
  const r = normalizeConnection(target, raw);
  if (!r.ok) throw new Error(`expected ok, got ${r.reason}`);
  return r.content;
}

describe('normalizeConnection', () => {
  it('upper-cases statuses of connections and peerings, so Active and ACTIVE are the same', () => {
    const c = ok(record());
    expect(c.status).toBe('ACTIVE');
    expect(c.peerings.map((p) => p.status)).toEqual(['FAILED', 'ACTIVE']);
    expect(contentHash(ok(record({ status: 'ACTIVE' })))).toBe(contentHash(c));
    expect(normalizeStatus('  creating ')).toBe('CREATING');
    expect(normalizeStatus(null)).toBe('UNKNOWN');
  });

  it('turns epoch-ms times into ISO-8601 UTC strings', () => {
    const c = ok(record());
    expect(c.createdAt).toBe('2019-08-27T06:40:11.125Z');
    expect(c.peerings[1]?.updatedAt).toBe('2019-08-27T07:06:17.861Z');
    expect(ok(record({ create_time: '1566888011125' })).createdAt).toBe('2019-08-27T06:40:11.125Z');
    expect(ok(record({ create_time: null })).createdAt).toBeNull();
  });

  it('makes peerings records keyed by queue, sorted so that API order is not a change', () => {
    const c = ok(record());
    expect(c.peerings).toEqual([
      {
        queue: 'q1',
        peerId: 'peer-1',
        status: 'FAILED',
        error: 'route conflict',
        updatedAt: '2019-08-27T07:06:17.000Z',
        creatingSince: null,
        extra: {},
      },
      {
        queue: 'q2',
        peerId: 'peer-2',
        status: 'ACTIVE',
        error: null,
        updatedAt: '2019-08-27T07:06:17.861Z',
        creatingSince: null,
        extra: {},
      },
    ]);
    const reversed = record({
      available_queue_info: [...(record().available_queue_info as unknown[])].reverse(),
    });
    expect(contentHash(ok(reversed))).toBe(contentHash(c));
  });

  it('keeps elastic resource pools, hosts and routes, and tolerates unknown fields', () => {
    const c = ok(
      record({
        elastic_resource_pools: [{ name: 'pool1', status: 'creating', peer_id: 'pp', update_time: 1 }],
        hosts: [{ name: 'db', ip: '10.0.0.5' }],
        routes: [{ name: 'r1', cidr: '10.0.0.0/24', create_time: 1000 }],
        ipv6_enable: false,
        brand_new_field: { nested: true },
      }),
    );
    expect(c.elasticResourcePools).toEqual([
      {
        queue: 'pool1',
        peerId: 'pp',
        status: 'CREATING',
        error: null,
        updatedAt: '1970-01-01T00:00:00.001Z',
        creatingSince: null,
        extra: {},
      },
    ]);
    expect(c.hosts).toEqual([{ name: 'db', ip: '10.0.0.5' }]);
    expect(c.routes).toEqual([{ name: 'r1', cidr: '10.0.0.0/24', createdAt: '1970-01-01T00:00:01.000Z' }]);
    expect(c.ipv6Enable).toBe(false);
    expect(c.extra).toEqual({ brand_new_field: { nested: true } });
  });

  it('tolerates missing and null optional fields', () => {
    const c = ok({ id: 'only-id' });
    expect(c).toMatchObject({
      id: 'only-id',
      name: null,
      status: 'UNKNOWN',
      peerings: [],
      hosts: [],
      createdAt: null,
    });
    expect(ok(record({ available_queue_info: null, hosts: null, isPrivis: null })).peerings).toEqual([]);
  });

  it('rejects a record without a usable id, naming the field', () => {
    expect(normalizeConnection(target, { name: 'x' })).toMatchObject({
      ok: false,
      id: null,
      reason: expect.stringContaining('id'),
    });
    expect(normalizeConnection(target, { id: 42 })).toMatchObject({ ok: false, id: null });
    expect(normalizeConnection(target, 'not an object')).toMatchObject({ ok: false, id: null });
  });

  it('rejects wrong-typed fields but remembers the id so the connection is protected', () => {
    const r = normalizeConnection(target, record({ available_queue_info: 'oops' }));
    expect(r).toMatchObject({
      ok: false,
      id: '4c693ecc-bab8-4113-a838-129cedc9a563',
      reason: expect.stringContaining('available_queue_info'),
    });
    expect(normalizeConnection(target, record({ create_time: -5 }))).toMatchObject({ ok: false });
    expect(
      normalizeConnection(target, record({ available_queue_info: [{ status: 'ACTIVE', name: 42 }] })),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('available_queue_info.0.name') });
  });
});

describe('sightings of a sweep', () => {
  it('quarantines bad records and keeps the good ones', () => {
    const out = sightSweep(target, [record({ id: 'a' }), { name: 'no id' }, record({ id: 'b', hosts: 7 })]);
    expect([...out.seen.keys()]).toEqual(['a']);
    expect(out.quarantined).toEqual([
      { index: 1, id: null, reason: expect.any(String) },
      { index: 2, id: 'b', reason: expect.stringContaining('hosts') },
    ]);
  });

  it('merges duplicate ids, keeping the last copy', () => {
    const out = sightSweep(target, [record({ id: 'a', name: 'old' }), record({ id: 'a', name: 'new' })]);
    expect(out.seen.size).toBe(1);
    const a = out.seen.get('a');
    expect(a && observe(target, a).content.name).toBe('new');
  });

  it('keeps the raw API object for audit, unknown fields included', () => {
    const raw = record({ id: 'a', extra: { nested: [1, 'x'] } });
    const a = sightSweep(target, [raw]).seen.get('a');
    expect(a && observe(target, a).raw).toEqual(raw);
  });

  it('a sighting carries the content hash, and observing it again gives the same content', () => {
    const raw = record({ id: 'a', name: 'caf\u00e9 \ud800', status: 'Active' });
    const direct = normalizeConnection(target, raw);
    const s = sight(target, raw);
    if (!direct.ok || !s.ok) throw new Error('expected a good record');
    expect(s.hash).toBe(contentHash(direct.content));
    expect(observe(target, s).content).toEqual(direct.content);
  });
});
