/**
 * Every connection of one target, or an honest "incomplete".
 *
 * Offset paging over a list sorted by creation time can shift under us (a connection created or deleted
 * between two page requests). So pages OVERLAP by one record: page i starts at i*(limit-1), and its first
 * record must be the previous page's last. Any page read before a change next to a page read after it
 * breaks that link, wherever the change happened, so a shifted listing is detected instead of silently
 * skipping or repeating a record. A shifted sweep is repeated once; a second shift makes it incomplete.
 *
 * `count` is never trusted alone: when it is larger than a page it is taken as the total, to plan the
 * pages and fetch them concurrently; the end of the listing is still only a short page. Without a usable
 * total, pages are fetched speculatively, `concurrency` at a time, and at most concurrency-1 are wasted.
 */
import { ConfigError, DliApiError } from '../errors.ts';
import type { Target } from '../model.ts';
import { parseEndpoint } from '../validate.ts';
import { type ClientOptions, listConnectionsPage, targetName } from './client.ts';
import type { SweepOptions, SweepResult } from './types.ts';

export const DEFAULT_PAGE_SIZE = 100;
export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_MAX_PAGES = 1_000;

/** Knobs beyond the SweepOptions contract, for tests, the bench and the CLI. */
export interface SweepTuning {
  /** More pages than this is an error (a runaway listing or a server that never ends). */
  maxPages?: number;
  /** Timeouts, retry policy and injectable clocks for the HTTP client. */
  client?: Omit<ClientOptions, 'deadline' | 'onAttempt' | 'signal'>;
  /** API filters, passed through to every page. */
  filters?: { status?: string; name?: string; tags?: string };
}

interface Page {
  index: number;
  /** What `map` made of the page's records (their keys are taken before). */
  records: unknown[];
  keys: string[];
  count: number | null;
}

/** Why a sweep attempt could not produce a consistent listing. */
class Inconsistent extends Error {
  constructor(
    readonly reason: string,
    /** A shift may be gone on a second try; a server ignoring offset will not be. */
    readonly repairable: boolean,
  ) {
    super(reason);
  }
}

/** Identity of a record: its id, or (for the quarantine to deal with later) its JSON. */
function keyOf(record: unknown): string {
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

interface Ctx {
  target: Target;
  options: SweepOptions & SweepTuning;
  map: (record: unknown) => unknown;
  limit: number;
  stride: number;
  concurrency: number;
  maxPages: number;
  abort: AbortController;
  stats: { requests: number; pages: number };
  /** Pages of the current attempt, by index; kept to report what an incomplete sweep saw. */
  pages: Map<number, Page>;
}

async function fetchPage(ctx: Ctx, index: number): Promise<Page> {
  const { target, options, limit, stride } = ctx;
  const page = await listConnectionsPage(
    target,
    { limit, offset: index * stride, ...options.filters },
    options.credentials,
    {
      ...options.client,
      deadline: options.deadline,
      signal: ctx.abort.signal,
      onAttempt: () => {
        ctx.stats.requests++;
      },
    },
  );
  const records = page.connections ?? [];
  if (records.length > limit) {
    throw new Inconsistent(
      `page at offset ${index * stride} has ${records.length} records, more than limit ${limit}`,
      false,
    );
  }
  ctx.stats.pages++;
  const count = typeof page.count === 'number' ? page.count : null;
  const keys = records.map(keyOf);
  const first = ctx.pages.get(0);
  if (index > 0 && first && keys.length > 0 && keys.join('\n') === first.keys.join('\n')) {
    // Checked as pages arrive: otherwise a server that ignores offset would be paged up to maxPages.
    throw new Inconsistent(
      `the server ignores offset: offset ${index * stride} returned the first page again`,
      false,
    );
  }
  // Mapped now, so the parsed page can go: only the compact form lives until the sweep ends.
  return { index, records: records.map(ctx.map), keys, count };
}

/**
 * Fetches pages from `start` with `concurrency` workers until a short page is seen (pages past it are
 * still checked), up to `last` when given. Returns the index of the first short page, or null.
 */
async function fetchRange(
  ctx: Ctx,
  pages: Map<number, Page>,
  start: number,
  last: number | null,
): Promise<number | null> {
  let next = start;
  let firstShort: number | null = null;
  let failure: unknown = null;
  const worker = async (): Promise<void> => {
    while (failure === null) {
      const i = next;
      if (firstShort !== null && i > firstShort) return;
      if (last !== null && i > last) return;
      if (i >= ctx.maxPages) {
        failure = new Inconsistent(
          `listing has more than ${ctx.maxPages} pages of ${ctx.limit}; giving up`,
          false,
        );
        return;
      }
      if (ctx.options.deadline !== undefined && Date.now() >= ctx.options.deadline) {
        failure = new DliApiError(
          `DLI list connections failed for ${targetName(ctx.target)}: deadline reached after ${ctx.stats.pages} pages`,
          { target: targetName(ctx.target), httpStatus: null, errorCode: null, retryable: true },
        );
        return;
      }
      next++;
      try {
        const page = await fetchPage(ctx, i);
        pages.set(i, page);
        if (page.records.length < ctx.limit && (firstShort === null || i < firstShort)) firstShort = i;
      } catch (err) {
        if (failure === null) failure = err;
        ctx.abort.abort();
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: ctx.concurrency }, worker));
  if (failure !== null) throw failure;
  return firstShort;
}

/** Checks the overlaps and assembles the de-duplicated listing of pages 0..last. */
function assemble(ctx: Ctx, pages: Map<number, Page>, last: number): unknown[] {
  const overlap = ctx.limit - ctx.stride;
  let listed = 0;
  for (let i = 0; i <= last; i++) {
    const page = pages.get(i)!;
    if (i > 0 && overlap > 0 && page.keys[0] !== pages.get(i - 1)!.keys[ctx.limit - 1]) {
      const at = `offsets ${(i - 1) * ctx.stride} and ${i * ctx.stride}`;
      throw new Inconsistent(`the listing shifted between the pages at ${at}`, true);
    }
    listed += i > 0 ? page.records.length - overlap : page.records.length;
  }
  for (const [i, page] of pages) {
    if (i > last && page.records.length > 0) {
      throw new Inconsistent(`records appeared past the end of the listing (offset ${i * ctx.stride})`, true);
    }
  }
  // Only when every page called the same number a total can it be held against what was listed.
  const counts = new Set([...pages.values()].map((p) => p.count));
  const total = counts.size === 1 ? [...counts][0] : null;
  if (typeof total === 'number' && total > ctx.limit && total !== listed) {
    throw new Inconsistent(`count says ${total} connections but ${listed} were listed`, true);
  }
  return dedupe(pages, last);
}

/** The records of pages 0..last in order, each id once (the overlap record, and any repeat, dropped). */
function dedupe(pages: Map<number, Page>, last: number): unknown[] {
  const seen = new Set<string>();
  const records: unknown[] = [];
  for (let i = 0; i <= last; i++) {
    const page = pages.get(i);
    if (!page) break;
    page.records.forEach((record, j) => {
      const key = page.keys[j]!;
      if (seen.has(key)) return;
      seen.add(key);
      records.push(record);
    });
  }
  return records;
}

async function sweepOnce(ctx: Ctx): Promise<unknown[]> {
  const pages = ctx.pages;
  const first = await fetchPage(ctx, 0);
  pages.set(0, first);
  if (first.records.length < ctx.limit) return assemble(ctx, pages, 0);
  let firstShort: number | null = null;
  if (first.count !== null && first.count > ctx.limit) {
    // Taken as the total: plan up to the page that should come back short, fetch those concurrently.
    const planned = Math.floor((first.count - ctx.limit) / ctx.stride) + 1;
    if (planned >= ctx.maxPages) {
      throw new Inconsistent(
        `count ${first.count} needs more than ${ctx.maxPages} pages of ${ctx.limit}; giving up`,
        false,
      );
    }
    firstShort = await fetchRange(ctx, pages, 1, planned);
  }
  if (firstShort === null) {
    // No total, or the listing grew past it: speculate until a page comes back short.
    const start = Math.max(...pages.keys()) + 1;
    firstShort = await fetchRange(ctx, pages, start, null);
  }
  return assemble(ctx, pages, firstShort ?? Math.max(...pages.keys()));
}

/** A shift may be gone on the next run (retryable); a server ignoring offset or paging forever is not. */
function inconsistentError(target: Target, reason: string, retryable: boolean): DliApiError {
  return new DliApiError(`DLI list connections incomplete for ${targetName(target)}: ${reason}`, {
    target: targetName(target),
    httpStatus: null,
    errorCode: null,
    retryable,
  });
}

/**
 * Sweeps one target. Never throws for an API problem: those make `complete: false` with the error.
 * Throws only ConfigError (bad endpoint or options) and programming errors.
 */
export async function sweepTarget<R = unknown>(
  target: Target,
  options: SweepOptions<R> & SweepTuning,
): Promise<SweepResult<R>> {
  parseEndpoint(target.endpoint, `the endpoint of ${targetName(target)}`);
  const limit = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new ConfigError(
      `invalid page size ${limit} for ${targetName(target)}: expected an integer from 1 to 1000`,
    );
  }
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new ConfigError(
      `invalid page concurrency ${concurrency} for ${targetName(target)}: expected 1 to 64`,
    );
  }
  const stats = { requests: 0, pages: 0 };
  for (let attempt = 1; ; attempt++) {
    const ctx: Ctx = {
      target,
      options,
      limit,
      // With a one-record page there is nothing to overlap; such sweeps cannot see a shift.
      stride: limit > 1 ? limit - 1 : 1,
      concurrency,
      maxPages: options.maxPages ?? DEFAULT_MAX_PAGES,
      abort: new AbortController(),
      map: options.map ?? ((r) => r),
      stats,
      pages: new Map(),
    };
    try {
      // `map` made every record an R (or, absent, R is the default `unknown`).
      const records = (await sweepOnce(ctx)) as R[];
      return { target, complete: true, records, pages: stats.pages, requests: stats.requests, error: null };
    } catch (err) {
      if (!(err instanceof DliApiError) && !(err instanceof Inconsistent)) throw err;
      const incomplete = {
        target,
        complete: false,
        records: dedupe(ctx.pages, Number.POSITIVE_INFINITY) as R[],
        pages: stats.pages,
        requests: stats.requests,
      };
      if (err instanceof DliApiError) return { ...incomplete, error: err };
      if (err.repairable && attempt === 1) continue;
      const reason = err.repairable ? `${err.reason}, again on a second sweep` : err.reason;
      return { ...incomplete, error: inconsistentError(target, reason, err.repairable) };
    }
  }
}
