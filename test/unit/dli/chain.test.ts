/** The sweep's pure core: chaining pages and proving the end, without a server. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Attempt,
  collect,
  Inconsistent,
  newAttempt,
  overlapOf,
  receive,
  settle,
} from '../../../lib/dli/chain.ts';

/** A server in memory: `ids` in order, serving min(limit, cap) records, count as total or page size. */
function serve(ids: string[], offset: number, limit: number, cap: number, mode: 'total' | 'page') {
  const keys = ids.slice(offset, offset + Math.min(limit, cap)).map((id) => `id:${id}`);
  return { offset, keys, records: keys, count: mode === 'total' ? ids.length : keys.length };
}

/** Pages one at a time where the chain needs them, as a concurrency-1 sweep does. */
function sweepInMemory(ids: string[], limit: number, cap: number, mode: 'total' | 'page'): Attempt {
  const a = newAttempt();
  for (let i = 0; a.end === null; i++) {
    if (i > 10_000) throw new Error('no end');
    const offset = Math.max(0, a.chainEnd - overlapOf(a.pageSize));
    receive(a, serve(ids, offset, limit, cap, mode), limit);
  }
  settle(a, limit);
  return a;
}

const idsOf = (n: number): string[] => Array.from({ length: n }, (_, i) => `c${i}`);

describe('chain', () => {
  it('lists everything for any size, limit, cap and count meaning (exhaustive over small cases)', () => {
    for (let n = 0; n <= 12; n++)
      for (let limit = 1; limit <= 6; limit++)
        for (const cap of [1, 2, 3, 5, 1000])
          for (const mode of ['total', 'page'] as const) {
            const a = sweepInMemory(idsOf(n), limit, cap, mode);
            expect(collect(a, false)).toEqual(idsOf(n).map((id) => `id:${id}`));
          }
  });

  it('lists everything for larger random cases', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom(1, 7, 10, 100, 1000),
        fc.constantFrom<'total' | 'page'>('total', 'page'),
        (n, limit, cap, mode) => {
          expect(collect(sweepInMemory(idsOf(n), limit, cap, mode), false)).toHaveLength(n);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('does not take a short page for the end', () => {
    const a = newAttempt();
    receive(a, { offset: 0, keys: ['a', 'b'], records: ['a', 'b'], count: 2 }, 1000);
    expect(a.end).toBeNull();
    receive(a, { offset: 1, keys: ['b', 'c'], records: ['b', 'c'], count: 2 }, 1000);
    expect(a.end).toBeNull();
    receive(a, { offset: 2, keys: ['c'], records: ['c'], count: 1 }, 1000);
    expect(a.end).toBe('overlap-only');
    expect(collect(a, false)).toEqual(['a', 'b', 'c']);
  });

  it('ends on an unambiguous total count without another page, and not on an ambiguous one', () => {
    const total = newAttempt();
    receive(total, { offset: 0, keys: ['a', 'b'], records: ['a', 'b'], count: 3 }, 2);
    receive(total, { offset: 1, keys: ['b', 'c'], records: ['b', 'c'], count: 3 }, 2);
    expect(total.end).toBe('count');
    const ambiguous = newAttempt();
    receive(ambiguous, { offset: 0, keys: ['a', 'b'], records: ['a', 'b'], count: 2 }, 5);
    expect(ambiguous.end).toBeNull();
  });

  it('detects a shift, a vanished last record and records past the end', () => {
    const shifted = newAttempt();
    receive(shifted, { offset: 0, keys: ['a', 'b'], records: [], count: null }, 2);
    expect(() => receive(shifted, { offset: 1, keys: ['x', 'c'], records: [], count: null }, 2)).toThrow(
      /offset 1 held another record/,
    );
    const vanished = newAttempt();
    receive(vanished, { offset: 0, keys: ['a', 'b'], records: [], count: null }, 5);
    expect(() => receive(vanished, { offset: 1, keys: [], records: [], count: null }, 5)).toThrow(
      /record at offset 1 vanished/,
    );
    const past = newAttempt();
    receive(past, { offset: 0, keys: ['a', 'b'], records: [], count: null }, 2);
    receive(past, { offset: 3, keys: ['d'], records: [], count: null }, 2);
    receive(past, { offset: 1, keys: ['b'], records: [], count: null }, 2);
    expect(past.end).toBe('overlap-only');
    expect(() => settle(past, 2)).toThrow(/records appeared past the end/);
  });

  it('holds a total count against what was listed', () => {
    const a = newAttempt();
    receive(a, { offset: 0, keys: ['a', 'b'], records: [], count: 9 }, 2);
    receive(a, { offset: 1, keys: ['b'], records: [], count: 9 }, 2);
    const err = (() => {
      try {
        settle(a, 2);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(Inconsistent);
    expect((err as Inconsistent).reason).toBe('count says 9 connections but 2 were listed');
    expect((err as Inconsistent).repairable).toBe(true);
  });
});
