/**
 * Every connection of one target, or an honest "incomplete".
 *
 * The end of the listing. A server may serve fewer records than `limit` asks for (no source documents
 * a maximum; a gateway may cap pages at 100, or 10) and may report `count` as the page's size or as the
 * total. So a page shorter than asked is NOT the end. The sweep ends only on evidence a cap cannot
 * fake: an empty page where the next record would be, a page at the last record holding nothing
 * beyond it, or a `count` that is unambiguously the total (the same on every page, and larger than the
 * requested limit or different from some page's size) and equals what was listed.
 *
 * Shifts. Offset paging over a list sorted by creation time can shift under us (a connection created
 * or deleted between two page requests). So pages are CHAINED: each page's offset is at most the
 * chain's end minus one, its records at already-listed offsets must be the ones listed there, and only
 * what lies beyond extends the chain. Any page read before a change next to a page read after it
 * breaks that link, wherever the change happened. A shifted sweep is repeated once; a second shift
 * makes it incomplete. With a one-record page size there is nothing to overlap: such sweeps cannot see
 * a shift.
 *
 * Page size and concurrency. The server's effective page size is learned from what it serves (the most
 * records any page held) and pages are requested at that stride minus the one overlap record, which is
 * where the chain needs them. A `count` larger than the first page is taken as a total to plan the
 * pages and fetch them `concurrency` at a time; without one, pages are fetched speculatively once
 * the server has shown full pages, and at most concurrency-1 requests are wasted past the end. Which
 * pages are requested only changes the cost: the chain alone decides what was listed.
 */

import { ConfigError, DliApiError } from '../errors.ts';
import type { Target } from '../model/schemas.ts';
import { targetLabel } from '../model/target.ts';
import { parseEndpoint } from '../validate.ts';
import {
  type Attempt,
  collect,
  Inconsistent,
  keyOf,
  newAttempt,
  overlapOf,
  type Page,
  receive,
  settle,
} from './chain.ts';
import { type ClientOptions, listConnectionsPage } from './client.ts';
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

interface Ctx {
  target: Target;
  options: SweepOptions & SweepTuning;
  map: (record: unknown) => unknown;
  limit: number;
  concurrency: number;
  maxPages: number;
  abort: AbortController;
  stats: { requests: number; pages: number };
}

async function fetchPage(ctx: Ctx, a: Attempt, offset: number): Promise<Page> {
  const { target, options, limit } = ctx;
  const page = await listConnectionsPage(target, { limit, offset, ...options.filters }, options.credentials, {
    ...options.client,
    deadline: options.deadline,
    signal: ctx.abort.signal,
    onAttempt: () => {
      ctx.stats.requests++;
    },
  });
  const records = page.connections ?? [];
  if (records.length > limit) {
    throw new Inconsistent(
      `page at offset ${offset} has ${records.length} records, more than limit ${limit}`,
      false,
    );
  }
  ctx.stats.pages++;
  const count = typeof page.count === 'number' ? page.count : null;
  const keys = records.map(keyOf);
  if (offset > 0 && a.firstKeys && keys.length > 0 && keys.join('\n') === a.firstKeys.join('\n')) {
    // Checked as pages arrive: otherwise a server that ignores offset would be paged up to maxPages.
    throw new Inconsistent(
      `the server ignores offset: offset ${offset} returned the first page again`,
      false,
    );
  }
  // Mapped now, so the parsed page can go: only the compact form lives until the sweep ends.
  return { offset, records: records.map(ctx.map), keys, count };
}

/** Pages needed to list `total` records at the learned page size, from the first page's `got`. */
function pagesFor(total: number, got: number, pageSize: number): number {
  const stride = Math.max(1, pageSize - overlapOf(pageSize));
  return 1 + Math.ceil(Math.max(0, total - got) / stride);
}

/** The next offset worth requesting now; null when none is (wait for a page in flight, or done). */
function nextOffset(ctx: Ctx, a: Attempt): number | null {
  if (a.end !== null) return null;
  const overlap = overlapOf(a.pageSize);
  const probe = Math.max(0, a.chainEnd - overlap);
  // The page the chain needs next always comes first (after a short page it is the only one).
  const wanted = a.requested.has(probe) ? null : probe;
  if (wanted === null && !a.speculate) return null;
  const offset = wanted ?? Math.max(a.ahead, probe) + Math.max(1, a.pageSize - overlap);
  // A planned total bounds how far ahead to go; past it (the listing grew, or count lied) the probe
  // still extends the chain one page at a time until an end is proven.
  if (wanted === null && a.planned !== null && offset >= a.planned - overlap) return null;
  if (a.requested.size >= ctx.maxPages) {
    throw new Inconsistent(
      `listing has more than ${ctx.maxPages} pages of ${a.pageSize || ctx.limit}; giving up`,
      false,
    );
  }
  if (ctx.options.deadline !== undefined && Date.now() >= ctx.options.deadline) {
    throw new DliApiError(
      `DLI list connections failed for ${targetLabel(ctx.target)}: deadline reached after ${ctx.stats.pages} pages`,
      { target: targetLabel(ctx.target), httpStatus: null, errorCode: null, retryable: true },
    );
  }
  return offset;
}

/** After the first page: a count larger than it is taken as the total, to plan the pages. */
function plan(ctx: Ctx, a: Attempt, first: Page): void {
  if (first.count === null || first.count <= first.keys.length) return;
  const needed = pagesFor(first.count, first.keys.length, first.keys.length);
  if (needed > ctx.maxPages) {
    throw new Inconsistent(
      `count ${first.count} needs more than ${ctx.maxPages} pages of ${first.keys.length}; giving up`,
      false,
    );
  }
  a.planned = first.count;
}

async function sweepOnce(ctx: Ctx, a: Attempt): Promise<void> {
  let failure: unknown = null;
  let inFlight = 0;
  let wake = (): void => undefined;
  let changed = new Promise<void>((r) => {
    wake = r;
  });
  const notify = (): void => {
    const w = wake;
    changed = new Promise<void>((r) => {
      wake = r;
    });
    w();
  };
  const worker = async (): Promise<void> => {
    while (failure === null) {
      let offset: number | null;
      try {
        offset = nextOffset(ctx, a);
      } catch (err) {
        failure = err;
        ctx.abort.abort();
        notify();
        return;
      }
      if (offset === null) {
        if (inFlight === 0) return;
        await changed;
        continue;
      }
      a.requested.add(offset);
      a.ahead = Math.max(a.ahead, offset);
      inFlight++;
      try {
        const page = await fetchPage(ctx, a, offset);
        if (offset === 0) {
          a.firstKeys = page.keys;
          plan(ctx, a, page);
        }
        receive(a, page, ctx.limit);
      } catch (err) {
        if (failure === null) failure = err;
        ctx.abort.abort();
      } finally {
        inFlight--;
        notify();
      }
    }
  };
  await Promise.all(Array.from({ length: ctx.concurrency }, worker));
  if (failure !== null) throw failure;
  // Unreachable unless a rule above is wrong: say so rather than call a partial listing complete.
  if (a.end === null) throw new Error(`sweep of ${targetLabel(ctx.target)} stopped without an end`);
  settle(a, ctx.limit);
}

/** A shift may be gone on the next run (retryable); a server ignoring offset or paging forever is not. */
function inconsistentError(target: Target, reason: string, retryable: boolean): DliApiError {
  return new DliApiError(`DLI list connections incomplete for ${targetLabel(target)}: ${reason}`, {
    target: targetLabel(target),
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
  parseEndpoint(target.endpoint, `the endpoint of ${targetLabel(target)}`);
  const limit = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new ConfigError(
      `invalid page size ${limit} for ${targetLabel(target)}: expected an integer from 1 to 1000`,
    );
  }
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new ConfigError(
      `invalid page concurrency ${concurrency} for ${targetLabel(target)}: expected 1 to 64`,
    );
  }
  const stats = { requests: 0, pages: 0 };
  for (let attempt = 1; ; attempt++) {
    const ctx: Ctx = {
      target,
      options,
      limit,
      concurrency,
      maxPages: options.maxPages ?? DEFAULT_MAX_PAGES,
      abort: new AbortController(),
      map: options.map ?? ((r) => r),
      stats,
    };
    const a = newAttempt();
    try {
      await sweepOnce(ctx, a);
      // `map` made every record an R (or, absent, R is the default `unknown`).
      const records = collect(a, false) as R[];
      return { target, complete: true, records, pages: stats.pages, requests: stats.requests, error: null };
    } catch (err) {
      if (!(err instanceof DliApiError) && !(err instanceof Inconsistent)) throw err;
      const incomplete = {
        target,
        complete: false,
        records: collect(a, true) as R[],
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
