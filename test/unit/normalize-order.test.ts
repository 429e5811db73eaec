/**
 * Property: the API reordering its arrays (queues, pools, hosts, routes) or the keys of its objects
 * never changes the content hash, whatever the entries hold: nameless ones, ones without a peer id,
 * duplicates, unknown fields. An unchanged answer must never make a new version.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyedPeerings } from '../../lib/model/peering-key.ts';
import { contentHash, normalizeConnection } from '../../lib/sync/normalize.ts';

const target = { region: 'cn-north-4', projectId: 'p1' };

// Few distinct values, so duplicates and ties are frequent.
const small = (values: string[]) => fc.option(fc.constantFrom(...values), { nil: undefined });

const entry = fc.record(
  {
    name: small(['q1', 'q2', '']),
    peer_id: small(['p1', 'p2']),
    status: small(['ACTIVE', 'Failed', 'CREATING']),
    err_msg: small(['', 'boom']),
    update_time: fc.option(fc.constantFrom(1, 2), { nil: undefined }),
    bandwidth: fc.option(fc.constantFrom(1, 2), { nil: undefined }),
  },
  { requiredKeys: [] },
);

const record = fc.record({
  id: fc.constant('c-1'),
  status: fc.constantFrom('ACTIVE', 'DELETED'),
  available_queue_info: fc.array(entry, { maxLength: 7 }),
  elastic_resource_pools: fc.array(entry, { maxLength: 4 }),
  hosts: fc.array(fc.record({ name: small(['a', 'b']), ip: small(['10.0.0.1', '10.0.0.2']) }), {
    maxLength: 5,
  }),
  routes: fc.array(fc.record({ name: small(['r']), cidr: small(['10.0.0.0/8', '10.1.0.0/16']) }), {
    maxLength: 3,
  }),
  unknown_field: fc.option(fc.dictionary(fc.constantFrom('x', 'y'), fc.nat(3)), { nil: undefined }),
});

type Json = Record<string, unknown>;

/** `list` permuted by `seeds` (each element paired with a seed, sorted by it). */
function shuffle<T>(list: readonly T[], seeds: readonly number[]): T[] {
  return list
    .map((x, i) => ({ x, s: seeds[i % seeds.length] ?? 0, i }))
    .sort((a, b) => a.s - b.s || b.i - a.i)
    .map((e) => e.x);
}

/** The same object with its keys in another order, recursively. */
function reorderKeys(v: unknown, seeds: readonly number[]): unknown {
  if (Array.isArray(v)) return v.map((x) => reorderKeys(x, seeds));
  if (v === null || typeof v !== 'object') return v;
  const entries = shuffle(Object.entries(v as Json), seeds);
  return Object.fromEntries(entries.map(([k, x]) => [k, reorderKeys(x, seeds)]));
}

function hashOf(raw: unknown): string {
  const r = normalizeConnection(target, raw);
  if (!r.ok) throw new Error(`expected ok, got ${r.reason}`);
  return contentHash(r.content);
}

describe('content hash under reordering (property)', () => {
  it('shuffling the API arrays and object keys never changes the hash', () => {
    fc.assert(
      fc.property(record, fc.array(fc.nat(1000), { minLength: 1, maxLength: 8 }), (r, seeds) => {
        const shuffled: Json = {
          ...r,
          available_queue_info: shuffle(r.available_queue_info, seeds),
          elastic_resource_pools: shuffle(r.elastic_resource_pools, [...seeds].reverse()),
          hosts: shuffle(r.hosts, seeds),
          routes: shuffle(r.routes, seeds),
        };
        expect(hashOf(reorderKeys(shuffled, seeds))).toBe(hashOf(r));
      }),
      { numRuns: 300 },
    );
  });

  it('shuffling keeps the key of every entry (nameless ones too: their position is canonical)', () => {
    fc.assert(
      fc.property(record, fc.array(fc.nat(1000), { minLength: 1, maxLength: 8 }), (r, seeds) => {
        const keysOf = (raw: unknown) => {
          const n = normalizeConnection(target, raw);
          if (!n.ok) throw new Error(n.reason);
          return new Map(keyedPeerings(n.content.peerings).map(([k, p]) => [k, JSON.stringify(p)]));
        };
        const before = keysOf(r);
        const after = keysOf({ ...r, available_queue_info: shuffle(r.available_queue_info, seeds) });
        expect(after).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });
});
