/**
 * What the official SDK models allow is kept, never quarantined: queue/pool entries without a name
 * (and without a peer id), the same queue listed twice, unknown fields at any level we model.
 */
import { describe, expect, it } from 'vitest';
import { keyedPeerings, peeringKeys, peeringLabel } from '../../lib/model/peering-key.ts';
import type { ConnectionContent } from '../../lib/model/schemas.ts';
import { contentHash, normalizeConnection, sightSweep } from '../../lib/sync/normalize.ts';

const target = { region: 'cn-north-4', projectId: 'p1' };
const ID = '4c693ecc-bab8-4113-a838-129cedc9a563';

function ok(raw: unknown): ConnectionContent {
  const r = normalizeConnection(target, raw);
  if (!r.ok) throw new Error(`expected ok, got ${r.reason}`);
  return r.content;
}

const conn = (queues: unknown[], over: Record<string, unknown> = {}) => ({
  id: ID,
  name: 'c',
  status: 'ACTIVE',
  available_queue_info: queues,
  ...over,
});
const keysOf = (c: ConnectionContent) => keyedPeerings(c.peerings).map(([k]) => k);

describe('queue and pool entries without a name', () => {
  it('keeps an entry without a name, with queue null, known by its peer id', () => {
    const c = ok(
      conn([
        { name: 'q1', status: 'ACTIVE' },
        { peer_id: 'peer-9', status: 'FAILED', err_msg: 'x' },
      ]),
    );
    expect(c.peerings).toMatchObject([
      { queue: 'q1', status: 'ACTIVE' },
      { queue: null, peerId: 'peer-9', status: 'FAILED', error: 'x' },
    ]);
    expect(keysOf(c)).toEqual(['q1', 'peer:peer-9']);
    expect(peeringLabel(c.peerings[1] as ConnectionContent['peerings'][number])).toBe('(peer peer-9)');
  });

  it('treats an empty or null name as no name', () => {
    for (const name of ['', null]) {
      expect(ok(conn([{ name, peer_id: 'p', status: 'ACTIVE' }])).peerings).toMatchObject([
        { queue: null, peerId: 'p' },
      ]);
    }
  });

  it('keeps an entry with neither name nor peer id, known by its position', () => {
    const c = ok(
      conn([
        { status: 'FAILED', err_msg: 'e' },
        { name: 'q1', status: 'ACTIVE' },
      ]),
    );
    expect(c.peerings).toMatchObject([{ queue: 'q1' }, { queue: null, peerId: null, status: 'FAILED' }]);
    expect(keysOf(c)).toEqual(['q1', '#1']);
    expect(peeringLabel(c.peerings[1] as ConnectionContent['peerings'][number], '#1')).toBe('(unnamed #1)');
  });

  it('keeps several nameless entries, each with its own key, and pools the same way', () => {
    const c = ok(
      conn(
        [
          { status: 'ACTIVE', update_time: 2 },
          { peer_id: 'b', status: 'ACTIVE' },
          { status: 'FAILED', update_time: 1 },
          { peer_id: 'a', status: 'CREATING' },
        ],
        { elastic_resource_pools: [{ status: 'ACTIVE' }, { peer_id: 'z' }] },
      ),
    );
    expect(c.peerings).toHaveLength(4);
    expect(keysOf(c)).toEqual(['peer:a', 'peer:b', '#1', '#2']);
    expect(keyedPeerings(c.elasticResourcePools).map(([k]) => k)).toEqual(['peer:z', '#1']);
  });

  it('does not quarantine a connection for a nameless entry in a sweep', () => {
    const out = sightSweep(target, [conn([{ peer_id: 'p', status: 'FAILED' }])]);
    expect(out.quarantined).toEqual([]);
    expect(out.seen.has(ID)).toBe(true);
  });
});

describe('the same key twice', () => {
  it('keeps both entries of a queue listed twice, the second keyed <name>#2, in an order set by content', () => {
    const a = { name: 'q', peer_id: 'p2', status: 'FAILED', err_msg: 'x' };
    const b = { name: 'q', peer_id: 'p1', status: 'ACTIVE' };
    const c = ok(conn([a, b]));
    expect(c.peerings).toMatchObject([
      { queue: 'q', peerId: 'p1' },
      { queue: 'q', peerId: 'p2' },
    ]);
    expect(keysOf(c)).toEqual(['q', 'q#2']);
    expect(contentHash(ok(conn([b, a])))).toBe(contentHash(c));
  });

  it('keeps identical duplicates (nothing the API sent is dropped)', () => {
    const p = { name: 'pool1', status: 'FAILED', err_msg: 'x' };
    const c = ok(conn([], { elastic_resource_pools: [p, p] }));
    expect(c.elasticResourcePools).toHaveLength(2);
    expect(keyedPeerings(c.elasticResourcePools).map(([k]) => k)).toEqual(['pool1', 'pool1#2']);
  });

  it('never gives two entries one key, even when a name looks like a generated key', () => {
    const keys = peeringKeys([
      { queue: 'q', peerId: null },
      { queue: 'q', peerId: null },
      { queue: 'q#2', peerId: null },
      { queue: 'peer:x', peerId: null },
      { queue: null, peerId: 'x' },
      { queue: '#1', peerId: null },
      { queue: null, peerId: null },
    ]);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(['q', 'q#2', 'q#2#2', 'peer:x', 'peer:x#2', '#1', '#1#2']);
  });
});

describe('unknown fields', () => {
  it('keeps unknown top-level fields in extra, in the hash, and key order is no change', () => {
    const base = ok(conn([]));
    const withExtra = ok(conn([], { zeta: 1, alpha: { b: 2, a: [1, { y: 1, x: 2 }] } }));
    expect(withExtra.extra).toEqual({ alpha: { b: 2, a: [1, { y: 1, x: 2 }] }, zeta: 1 });
    expect(Object.keys(withExtra.extra)).toEqual(['alpha', 'zeta']);
    expect(contentHash(withExtra)).not.toBe(contentHash(base));
    const reordered = ok({ alpha: { a: [1, { x: 2, y: 1 }], b: 2 }, zeta: 1, ...conn([]) });
    expect(contentHash(reordered)).toBe(contentHash(withExtra));
    expect(contentHash(ok(conn([], { zeta: 2, alpha: withExtra.extra.alpha })))).not.toBe(
      contentHash(withExtra),
    );
  });

  it('keeps unknown fields of queue and pool entries, and a change of them is a change', () => {
    const c = ok(conn([{ name: 'q', status: 'ACTIVE', bandwidth: 5 }]));
    expect(c.peerings[0]?.extra).toEqual({ bandwidth: 5 });
    expect(contentHash(ok(conn([{ name: 'q', status: 'ACTIVE', bandwidth: 6 }])))).not.toBe(contentHash(c));
  });

  it('keeps an own __proto__ field as an ordinary field', () => {
    const raw = JSON.parse(`{"id":"${ID}","__proto__":{"polluted":true}}`) as unknown;
    const c = ok(raw);
    expect(Object.keys(c.extra)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('hashes content without extra as before extra existed (no re-version on upgrade)', () => {
    const c = ok(conn([{ name: 'q', peer_id: 'p', status: 'ACTIVE' }]));
    const { extra: _e, ...old } = c;
    const oldPeerings = c.peerings.map(({ extra: _x, creatingSince: _c, ...p }) => p);
    // What an item written before this change holds, read with the defaults filled in.
    expect(contentHash({ ...old, peerings: oldPeerings } as unknown as ConnectionContent)).toBe(
      contentHash(c),
    );
  });

  it('does not hash creatingSince (derived by the diff, not the API)', () => {
    const c = ok(conn([{ name: 'q', status: 'CREATING' }]));
    const later = {
      ...c,
      peerings: c.peerings.map((p) => ({ ...p, creatingSince: '2026-01-01T00:00:00.000Z' })),
    };
    expect(contentHash(later)).toBe(contentHash(c));
  });

  it('stores connection status DELETED, CREATING peerings, pools, routes and ipv6_enable as given', () => {
    const c = ok(
      conn([{ name: 'q', status: 'creating' }], {
        status: 'DELETED',
        elastic_resource_pools: [{ name: 'p', status: 'ACTIVE' }],
        routes: [{ name: 'r', cidr: '10.0.0.0/8', create_time: 0 }],
        ipv6_enable: true,
      }),
    );
    expect(c).toMatchObject({
      status: 'DELETED',
      ipv6Enable: true,
      peerings: [{ queue: 'q', status: 'CREATING' }],
      elasticResourcePools: [{ queue: 'p', status: 'ACTIVE' }],
      routes: [{ name: 'r', cidr: '10.0.0.0/8', createdAt: '1970-01-01T00:00:00.000Z' }],
    });
  });
});
