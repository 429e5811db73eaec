/**
 * The pure core of a sweep: pages, as they arrive, chained into one listing, and the evidence that
 * the listing ended. No I/O, so every rule is tested without a server (test/unit/dli/chain.test.ts).
 * See lib/dli/sweep.ts for why the rules are what they are.
 */

export interface Page {
  offset: number;
  /** What `map` made of the page's records (their keys are taken before). */
  records: unknown[];
  keys: string[];
  count: number | null;
}

/** Why a sweep attempt could not produce a consistent listing. */
export class Inconsistent extends Error {
  constructor(
    readonly reason: string,
    /** A shift may be gone on a second try; a server ignoring offset will not be. */
    readonly repairable: boolean,
  ) {
    super(reason);
  }
}

/** How the listing was proven to end. */
export type End = 'empty' | 'overlap-only' | 'count';

export interface Attempt {
  /** The listing so far: keys and records by offset, 0..chainEnd-1. */
  chainKeys: string[];
  chainRecords: unknown[];
  chainEnd: number;
  /** Pages received but not (yet) linked: past the chain's end, or arrived after the end was proven. */
  pending: Map<number, Page>;
  /** Offsets requested in this attempt (in flight or received). */
  requested: Set<number>;
  /** The highest offset requested. */
  ahead: number;
  /** The server's effective page size: the most records a page held (0 before the first page). */
  pageSize: number;
  /** Every received page's count and size, to tell whether count is a total. */
  seen: { count: number | null; size: number }[];
  /** Keys of the page at offset 0 (to detect a server that ignores offset). */
  firstKeys: string[] | null;
  /** A total taken from the first page's count, to plan pages; null without one. */
  planned: number | null;
  /** Whether requesting pages ahead of the chain is likely to pay (full pages seen). */
  speculate: boolean;
  /** Pages that extended the chain. */
  extensions: number;
  end: End | null;
}

export function newAttempt(): Attempt {
  return {
    chainKeys: [],
    chainRecords: [],
    chainEnd: 0,
    pending: new Map(),
    requested: new Set(),
    ahead: 0,
    pageSize: 0,
    seen: [],
    firstKeys: null,
    planned: null,
    speculate: false,
    extensions: 0,
    end: null,
  };
}

/** Pages of two or more records overlap by one, so consecutive pages can be checked against each other. */
export const overlapOf = (pageSize: number): number => (pageSize >= 2 ? 1 : 0);

/** Identity of a record: its id, or (for the quarantine to deal with later) its JSON. */
export function keyOf(record: unknown): string {
  if (record !== null && typeof record === 'object') {
    const id = (record as Record<string, unknown>).id;
    if (typeof id === 'string' && id !== '') return `id:${id}`;
  }
  try {
    return `json:${JSON.stringify(record)}`;
  } catch {
    // Nested deeper than the stack allows (a hostile body): JSON.stringify throws a RangeError, which
    // would fail the whole sweep for one record the quarantine rejects anyway. A depth-capped rendering
    // is still deterministic, so the overlap check between pages keeps working.
    return `json~:${shallowJson(record, KEY_DEPTH)}`;
  }
}

const KEY_DEPTH = 32;

function shallowJson(value: unknown, depth: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (depth === 0) return '"…"';
  if (Array.isArray(value)) return `[${value.map((v) => shallowJson(v, depth - 1)).join(',')}]`;
  const fields = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${shallowJson(v, depth - 1)}`);
  return `{${fields.join(',')}}`;
}

/**
 * `count` as a total, or null when it may be a page size. It is a total only when every page said the
 * same number, and that number is more than a page could hold (the requested limit) or differs from
 * some page's size (a page-size count always equals its page's size).
 */
export function totalOf(a: Attempt, limit: number): number | null {
  const first = a.seen[0];
  if (first === undefined || first.count === null) return null;
  const total = first.count;
  if (!a.seen.every((p) => p.count === total)) return null;
  return total > limit || a.seen.some((p) => p.size !== total) ? total : null;
}

/** Checks a page's records at offsets the chain already holds; throws on a shift. */
function checkOverlap(a: Attempt, page: Page): void {
  const shared = Math.min(page.keys.length, a.chainEnd - page.offset);
  for (let j = 0; j < shared; j++) {
    if (a.chainKeys[page.offset + j] !== page.keys[j]) {
      throw new Inconsistent(
        `the listing shifted between pages (offset ${page.offset + j} held another record when read again)`,
        true,
      );
    }
  }
}

/** Takes one received page, links what can be linked, and decides the end when it is proven. */
export function receive(a: Attempt, page: Page, limit: number): void {
  a.seen.push({ count: page.count, size: page.keys.length });
  a.pageSize = Math.max(a.pageSize, page.keys.length);
  a.pending.set(page.offset, page);
  link(a, limit);
}

function link(a: Attempt, limit: number): void {
  while (a.end === null) {
    const overlap = overlapOf(a.pageSize);
    const probe = Math.max(0, a.chainEnd - overlap);
    const offset = Math.min(...[...a.pending.keys()].filter((o) => o <= probe));
    if (!Number.isFinite(offset)) break;
    const page = a.pending.get(offset)!;
    a.pending.delete(offset);
    checkOverlap(a, page);
    const size = page.keys.length;
    if (offset + size > a.chainEnd) {
      for (let j = a.chainEnd - offset; j < size; j++) {
        a.chainKeys.push(page.keys[j]!);
        a.chainRecords.push(page.records[j]);
      }
      a.chainEnd = offset + size;
      a.extensions++;
      // Pages ahead pay once the server has shown full pages: the size asked for, or its own cap
      // confirmed by a second page (a short first page may simply be the whole listing).
      a.speculate = size >= a.pageSize && (size === limit || a.extensions > 1 || a.planned !== null);
      continue;
    }
    if (offset !== probe) continue; // a page within the chain, consistent with it: no news
    if (size < overlap) {
      throw new Inconsistent(
        `the listing shifted between pages (the record at offset ${a.chainEnd - 1} vanished)`,
        true,
      );
    }
    // Nothing where the next record would be: neither a cap nor a count can fake that.
    a.end = a.chainEnd === 0 || overlap === 0 ? 'empty' : 'overlap-only';
  }
  if (a.end === null && a.chainEnd > 0 && totalOf(a, limit) === a.chainEnd) a.end = 'count';
}

/**
 * Once every page in flight has come back: pages past the end must be empty, the pages read after the
 * end was proven must agree with the chain, and a total count must match what was listed.
 */
export function settle(a: Attempt, limit: number): void {
  for (const page of [...a.pending.values()].sort((x, y) => x.offset - y.offset)) {
    checkOverlap(a, page);
    if (page.keys.length > Math.max(0, a.chainEnd - page.offset)) {
      throw new Inconsistent(`records appeared past the end of the listing (offset ${a.chainEnd})`, true);
    }
  }
  const total = totalOf(a, limit);
  if (total !== null && total !== a.chainEnd) {
    throw new Inconsistent(`count says ${total} connections but ${a.chainEnd} were listed`, true);
  }
  if (a.end === 'count' && total === null) {
    throw new Inconsistent('count changed while the listing was read', true);
  }
}

/** The records listed, in order, each key once; with `partial`, also what unlinked pages held. */
export function collect(a: Attempt, partial: boolean): unknown[] {
  const seen = new Set<string>();
  const records: unknown[] = [];
  const add = (keys: string[], values: unknown[]): void => {
    for (let i = 0; i < keys.length; i++) {
      if (seen.has(keys[i]!)) continue;
      seen.add(keys[i]!);
      records.push(values[i]);
    }
  };
  add(a.chainKeys, a.chainRecords);
  if (partial) {
    for (const page of [...a.pending.values()].sort((x, y) => x.offset - y.offset))
      add(page.keys, page.records);
  }
  return records;
}
