/**
 * Where a connection's bytes live. Pure: item in, item plus chunk items out, and back.
 *
 * A state or history item is built whole (lib/store/items.ts) and then laid out:
 * - `hosts` and `routes` longer than INLINE_MAX_BYTES move to content-defined list chunks;
 *   the item keeps the ordered hash list in `chunks.hosts` / `chunks.routes`;
 * - the raw JSON (history only) loses its long `hosts` / `routes` arrays to list chunks of the
 *   entries as received (`rawChunks.hosts`, in the API's order), and is kept as text; a text still
 *   longer than INLINE_MAX_BYTES is cut into text chunks (`rawChunks.text`);
 * - if the item is still too big for DynamoDB (a hostile 1 MB name, 10,000 peerings), every model
 *   field that is not needed to find or index the item is spilled as JSON text (`chunks.body`).
 * Identical chunks (raw hosts sent sorted as {name, ip} equal the normalized ones) share one item.
 */
import {
  CHUNK_LIMITS,
  type Chunk,
  INLINE_MAX_BYTES,
  joinList,
  joinText,
  splitList,
  splitText,
} from './chunking.ts';
import { itemSize } from './size.ts';

type Item = Record<string, unknown>;

export const LIST_FIELDS = ['hosts', 'routes'] as const;
type ListField = (typeof LIST_FIELDS)[number];

export type ChunkRefs = Partial<Record<ListField | 'body', string[]>>;
export type RawChunkRefs = Partial<Record<ListField | 'text', string[]>>;

/** Beyond this an item is spilled: DynamoDB's limit is 400 KB, and keys and lists come on top. */
export const SPILL_AT_BYTES = 300 * 1024;

/**
 * Attributes a spilled item keeps: keys, the index and TTL attributes, and what the sync's stored
 * index projects (lib/store/query.ts loadTargetIndex) and the write conditions test.
 */
const KEEP_ON_SPILL = new Set([
  'PK',
  'SK',
  'GSI1PK',
  'GSI1SK',
  'entity',
  'expiresAt',
  'region',
  'projectId',
  'id',
  'status',
  'version',
  'contentHash',
  'stuckCheckFrom',
  'observedAt',
  'chunks',
  'rawChunks',
]);

export interface Laid {
  item: Item;
  /** Every chunk the item references, each once. */
  chunks: Chunk[];
}

const textBytes = (s: string): number => Buffer.byteLength(s);

function chunkList(list: unknown[], refs: string[], out: Map<string, Chunk>): void {
  for (const c of splitList(
    list.map((e) => JSON.stringify(e) ?? 'null'),
    CHUNK_LIMITS,
  )) {
    refs.push(c.hash);
    out.set(c.hash, c);
  }
}

const isLong = (value: unknown): value is unknown[] =>
  Array.isArray(value) && textBytes(JSON.stringify(value)) > INLINE_MAX_BYTES;

/** Lays out an item whose `raw` (history only) is the API object itself, not yet text. */
export function layOut(whole: Item): Laid {
  const item: Item = { ...whole };
  const out = new Map<string, Chunk>();
  const chunks: ChunkRefs = {};
  for (const field of LIST_FIELDS) {
    const value = item[field];
    if (!isLong(value)) continue;
    const refs: string[] = [];
    chunkList(value, refs, out);
    chunks[field] = refs;
    delete item[field];
  }
  if ('raw' in item) {
    const rawChunks: RawChunkRefs = {};
    let raw = item.raw;
    if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
      const elided: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
      for (const field of LIST_FIELDS) {
        const value = elided[field];
        if (!isLong(value)) continue;
        const refs: string[] = [];
        chunkList(value, refs, out);
        rawChunks[field] = refs;
        // Keeps the key where the API put it, so the JSON reads back in the same order.
        elided[field] = null;
      }
      raw = elided;
    }
    const text = JSON.stringify(raw) ?? 'null';
    if (textBytes(text) > INLINE_MAX_BYTES) {
      rawChunks.text = splitText(text).map((c) => {
        out.set(c.hash, c);
        return c.hash;
      });
      delete item.raw;
    } else item.raw = text;
    if (Object.keys(rawChunks).length > 0) item.rawChunks = rawChunks;
  }
  if (Object.keys(chunks).length > 0) item.chunks = chunks;
  if (itemSize(item) > SPILL_AT_BYTES) {
    const body: Item = {};
    for (const [k, v] of Object.entries(item)) {
      if (KEEP_ON_SPILL.has(k)) continue;
      body[k] = v;
      delete item[k];
    }
    chunks.body = splitText(JSON.stringify(body)).map((c) => {
      out.set(c.hash, c);
      return c.hash;
    });
    item.chunks = chunks;
  }
  return { item, chunks: [...out.values()] };
}

const refsOf = (value: unknown): Record<string, string[]> =>
  value !== null && typeof value === 'object' ? (value as Record<string, string[]>) : {};

/** Every chunk hash a stored item needs to be rebuilt, in no particular order. */
export function neededChunks(item: Item): string[] {
  const all = [...Object.values(refsOf(item.chunks)), ...Object.values(refsOf(item.rawChunks))];
  return [...new Set(all.flat())];
}

/**
 * The item as it was before layOut, with `raw` as JSON text (what lib/store/items.ts reads).
 * Throws when a chunk is missing: a connection shown without some of its hosts would be a lie.
 */
export function assemble(item: Item, data: ReadonlyMap<string, string>): Item {
  const get = (hashes: string[]): string[] =>
    hashes.map((h) => {
      const d = data.get(h);
      if (d === undefined)
        throw new Error(`chunk ${h} of ${String(item.PK)} ${String(item.SK)} is missing from the table`);
      return d;
    });
  const chunks = refsOf(item.chunks);
  const rawChunks = refsOf(item.rawChunks);
  const { chunks: _c, rawChunks: _r, ...rest } = item;
  let out: Item = rest;
  if (chunks.body) out = { ...out, ...(JSON.parse(joinText(get(chunks.body))) as Item) };
  for (const field of LIST_FIELDS) if (chunks[field]) out[field] = joinList(get(chunks[field]));
  if (item.rawChunks !== undefined) {
    const text = rawChunks.text ? joinText(get(rawChunks.text)) : out.raw;
    let raw: unknown = typeof text === 'string' ? JSON.parse(text) : null;
    if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
      raw = { ...(raw as Record<string, unknown>) };
      for (const field of LIST_FIELDS)
        if (rawChunks[field]) (raw as Record<string, unknown>)[field] = joinList(get(rawChunks[field]));
    }
    out.raw = JSON.stringify(raw);
  }
  return out;
}
