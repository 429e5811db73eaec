import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHUNK_LIMITS, joinList, joinText, splitList, splitText } from '../../lib/store/chunking.ts';
import { assemble, layOut, neededChunks, SPILL_AT_BYTES } from '../../lib/store/layout.ts';
import { itemSize } from '../../lib/store/size.ts';

type Host = { name: string; ip: string };

/** n hosts with 128-character names, sorted as normalize sorts them. */
function hosts(n: number, seed = 0): Host[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `h${String(i + seed * 1_000_000).padStart(8, '0')}-`.padEnd(128, 'x'),
    ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  }));
}
const texts = (list: readonly unknown[]) => list.map((e) => JSON.stringify(e));
const dataOf = (chunks: { hash: string; data: string }[]) => new Map(chunks.map((c) => [c.hash, c.data]));

describe('content-defined chunking of a host list', () => {
  it('reassembles exactly what it split, for any list of entries', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ name: fc.option(fc.string({ maxLength: 200 })), ip: fc.option(fc.ipV4()) }), {
          maxLength: 400,
        }),
        (list) => {
          const chunks = splitList(texts(list), { targetBytes: 600, minBytes: 200, maxBytes: 2000 });
          expect(joinList(chunks.map((c) => c.data))).toEqual(list);
        },
      ),
    );
  });

  it('keeps every chunk within the limits (the last may be short)', () => {
    const chunks = splitList(texts(hosts(20_000)));
    const sizes = chunks.map((c) => Buffer.byteLength(c.data));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(CHUNK_LIMITS.maxBytes);
    expect(Math.min(...sizes.slice(0, -1))).toBeGreaterThanOrEqual(CHUNK_LIMITS.minBytes);
    // ~3.2 MB in chunks averaging ~16 KB
    const average = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    expect(average).toBeGreaterThan(8 * 1024);
    expect(average).toBeLessThan(32 * 1024);
  });

  it('one host added, removed or changed touches at most 2 chunks in the typical case', () => {
    const base = hosts(5_000);
    const before = new Set(splitList(texts(base)).map((c) => c.hash));
    const touched: number[] = [];
    for (let k = 0; k < 15; k++) {
      const at = (k * 7919) % base.length;
      const variants = [
        [...base.slice(0, at), { name: 'added'.padEnd(128, 'y'), ip: '10.9.9.9' }, ...base.slice(at)],
        [...base.slice(0, at), ...base.slice(at + 1)],
        base.map((h, i) => (i === at ? { ...h, ip: '10.255.255.255' } : h)),
      ];
      for (const v of variants) {
        const after = splitList(texts(v));
        touched.push(after.filter((c) => !before.has(c.hash)).length);
      }
    }
    touched.sort((a, b) => a - b);
    // median and 90th percentile: new chunks to write after one host change
    expect(touched[Math.floor(touched.length / 2)]).toBeLessThanOrEqual(2);
    expect(touched[Math.floor(touched.length * 0.9)]).toBeLessThanOrEqual(2);
    expect(Math.max(...touched)).toBeLessThanOrEqual(4);
  });

  it('text pieces never split a surrogate pair and join back exactly', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.integer({ min: 2, max: 50 }),
        (s, max) => {
          const pieces = splitText(s, max);
          expect(joinText(pieces.map((p) => p.data))).toBe(s);
          for (const p of pieces) expect(p.data.isWellFormed()).toBe(true);
        },
      ),
    );
  });
});

describe('item layout', () => {
  const base = { PK: 'CONN#c1', SK: 'V#2026#0000000001', entity: 'history', id: 'c1', status: 'ACTIVE' };

  it('keeps a small connection inline: no chunk, nothing to read back', () => {
    const whole = { ...base, hosts: hosts(3), routes: [], raw: { id: 'c1', hosts: hosts(3) } };
    const laid = layOut(whole);
    expect(laid.chunks).toEqual([]);
    expect(laid.item.hosts).toEqual(whole.hosts);
    expect(neededChunks(laid.item)).toEqual([]);
    expect(assemble(laid.item, new Map())).toEqual({ ...whole, raw: JSON.stringify(whole.raw) });
  });

  it('moves 20,000 hosts and the raw JSON to chunks and rebuilds both exactly, raw in API order', () => {
    const sorted = hosts(20_000);
    // The API's order is not ours, and entries may carry fields we do not normalize.
    const received = [...sorted].reverse().map((h, i) => (i % 1000 === 0 ? { ...h, extra: i } : h));
    const raw = { id: 'c1', name: 'big', hosts: received, create_time: 1_700_000_000_123, z: [1] };
    const whole = { ...base, hosts: sorted, routes: [], raw };
    const laid = layOut(whole);
    expect(itemSize(laid.item)).toBeLessThan(32 * 1024);
    expect(laid.item.hosts).toBeUndefined();
    const back = assemble(laid.item, dataOf(laid.chunks));
    expect(back.hosts).toEqual(sorted);
    expect(back.raw).toBe(JSON.stringify(raw)); // same text: same key order, same numbers
  });

  it('shares chunks between raw and normalized hosts when the API sends them sorted as {name, ip}', () => {
    const sorted = hosts(2_000);
    const laid = layOut({ ...base, hosts: sorted, raw: { id: 'c1', hosts: sorted } });
    const content = (laid.item.chunks as { hosts: string[] }).hosts;
    const fromRaw = (laid.item.rawChunks as { hosts: string[] }).hosts;
    expect(fromRaw).toEqual(content);
    expect(laid.chunks).toHaveLength(content.length);
  });

  it('spills an item still too big (a 1 MB name) to chunks, keeping keys and index attributes', () => {
    const whole = { ...base, version: 3, contentHash: 'h', name: 'n'.repeat(1024 * 1024), hosts: [] };
    const laid = layOut(whole);
    expect(itemSize(laid.item)).toBeLessThan(SPILL_AT_BYTES);
    expect(laid.item).toMatchObject({
      PK: 'CONN#c1',
      id: 'c1',
      status: 'ACTIVE',
      version: 3,
      contentHash: 'h',
    });
    expect(laid.item.name).toBeUndefined();
    expect(assemble(laid.item, dataOf(laid.chunks))).toEqual(whole);
  });

  it('refuses to rebuild an item whose chunk is missing, naming it', () => {
    const laid = layOut({ ...base, hosts: hosts(500) });
    const [first] = neededChunks(laid.item);
    const data = dataOf(laid.chunks);
    data.delete(first as string);
    expect(() => assemble(laid.item, data)).toThrow(/chunk .* of CONN#c1 .* is missing/);
  });
});
