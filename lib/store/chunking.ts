/**
 * Content-defined chunking: how a long list (20,000 hosts) or a long text is cut into chunk items that
 * are addressed by the hash of their content and shared between versions. Pure: no I/O.
 *
 * A boundary follows an entry whose own hash says so, with a probability proportional to the entry's
 * bytes (so a chunk averages about `targetBytes` whatever the entry size). The cut depends on the
 * entries themselves, not on their positions: adding, removing or changing one host moves no other
 * boundary beyond the next natural one, so a host change rewrites about one chunk, not megabytes.
 * `minBytes` avoids tiny chunks; `maxBytes` keeps a chunk far below DynamoDB's 400 KB item limit.
 */
import { createHash } from 'node:crypto';

export interface ChunkLimits {
  targetBytes: number;
  minBytes: number;
  maxBytes: number;
}

/**
 * ~16 KB chunks on average (min 4 KB + ~12 KB): the write units of a host change (one chunk
 * rewritten) and of the hash lists every version carries (≈23 bytes per chunk) are then about even
 * for 20,000 hosts of 128-character names (infra/table.md has the arithmetic).
 */
export const CHUNK_LIMITS: ChunkLimits = { targetBytes: 12 * 1024, minBytes: 4 * 1024, maxBytes: 64 * 1024 };

/** A list or text at most this long stays inline in its item: no extra item, no extra read. */
export const INLINE_MAX_BYTES = 16 * 1024;

export interface Chunk {
  hash: string;
  /** A JSON array text (list chunks) or a piece of text (text chunks), stored as it is. */
  data: string;
}

/** 22 base64url characters = 132 bits: no collision among one connection's chunks in practice. */
export const chunkHash = (data: string): string =>
  createHash('sha256').update(data).digest('base64url').slice(0, 22);

const TWO_32 = 2 ** 32;

/** Whether a chunk may end after this entry, decided by the entry alone (see the header). */
export function endsChunk(entry: string, bytes: number, targetBytes: number): boolean {
  const h = createHash('sha256').update(entry).digest().readUInt32BE(0);
  return h < TWO_32 * Math.min(1, bytes / targetBytes);
}

/** Splits JSON entry texts (in order) into chunks whose data are JSON arrays of those entries. */
export function splitList(entries: readonly string[], limits: ChunkLimits = CHUNK_LIMITS): Chunk[] {
  const chunks: Chunk[] = [];
  let current: string[] = [];
  let bytes = 2; // the brackets
  const flush = (): void => {
    if (current.length === 0) return;
    const data = `[${current.join(',')}]`;
    chunks.push({ hash: chunkHash(data), data });
    current = [];
    bytes = 2;
  };
  for (const entry of entries) {
    const size = Buffer.byteLength(entry) + 1;
    if (current.length > 0 && bytes + size > limits.maxBytes) flush();
    current.push(entry);
    bytes += size;
    if (bytes >= limits.minBytes && endsChunk(entry, size, limits.targetBytes)) flush();
  }
  flush();
  return chunks;
}

/** The list back from its chunks' data, in order. */
export function joinList(datas: readonly string[]): unknown[] {
  return datas.flatMap((d) => JSON.parse(d) as unknown[]);
}

/**
 * Splits a text into pieces of at most `maxChars` UTF-16 units (≤ 3 bytes each in UTF-8), never
 * between the two halves of a surrogate pair (half a pair cannot be stored as UTF-8). Fixed-size:
 * texts cut this way (the raw JSON minus its hosts) are rare and change as a whole anyway.
 */
export function splitText(text: string, maxChars = Math.floor(CHUNK_LIMITS.maxBytes / 3)): Chunk[] {
  const chunks: Chunk[] = [];
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + maxChars);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    const data = text.slice(i, end);
    chunks.push({ hash: chunkHash(data), data });
    i = end;
  }
  return chunks;
}

export const joinText = (datas: readonly string[]): string => datas.join('');
