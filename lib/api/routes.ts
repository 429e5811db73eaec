/**
 * The HTTP API's routes over the shared query layer (lib/store/query.ts, the same calls the CLI
 * makes). Each route validates its parameters with zod: a bad one is a 400 naming it.
 */

import { z } from 'zod';
import { BadRequestError } from '../errors.ts';
import { eventView } from '../model/event-view.ts';
import type { Target } from '../model/schemas.ts';
import { FAILED } from '../model/status.ts';
import { targetLabel, targetSpec } from '../model/target.ts';
import type { Store } from '../store/client.ts';
import { peeringRows } from '../store/peerings.ts';
import {
  getConnection,
  listConnections,
  listEvents,
  listFailedConnections,
  listHistory,
  listRuns,
  type Page,
} from '../store/query.ts';
import { snapshotAt } from '../store/snapshot.ts';
import { decodeCursor, encodeCursor, INVALID_CURSOR } from '../validate.ts';
import { postAck } from './ack.ts';
import { availabilityRoute, reportRoute } from './availability.ts';
import { API, documentedPaths, findRoute } from './catalogue.ts';
import { describeIssue, type TargetParams } from './params.ts';
import { inTargets } from './scope.ts';
import { parseJsonBody, silenceRoute } from './silences.ts';
import { targetsResponse } from './targets.ts';

export interface ApiResponse {
  status: number;
  body: unknown;
  /** Default application/json; a route that answers e.g. HTML sets it (and a string body). */
  contentType?: string;
}

export interface ApiContext {
  store: Store;
  targets: Target[];
}

/**
 * A Lambda response is at most 6 MB, counted after the body is escaped into the invocation's JSON
 * (a quote becomes two bytes). Pages therefore end at this many bytes of items as well as at `limit`;
 * one connection with 20,000 hosts of 128-character names is ~3.3 MB and fits.
 */
export const RESPONSE_BUDGET_BYTES = 4 * 1024 * 1024;

const jsonBytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v));

/**
 * A history version whose raw JSON makes it too big for any response (20,000 hosts: content and raw
 * are ~3.3 MB each) is sent without `raw`, saying so; its content is complete, and the CLI's
 * `history --json` prints the raw JSON too.
 */
function fitVersion<T extends { raw?: unknown }>(v: T): T | (Omit<T, 'raw'> & { rawOmitted: string }) {
  if (v.raw === undefined || jsonBytes(v) <= RESPONSE_BUDGET_BYTES) return v;
  const { raw: _raw, ...rest } = v;
  return {
    ...rest,
    rawOmitted: `raw JSON too large for one API response (${jsonBytes(_raw)} bytes); dli-sync history --json prints it`,
  };
}

/** Items from `offset` up to the byte budget (at least one); the cursor is the next offset. */
function pageByBytes<T>(items: readonly T[], offset: number): { items: T[]; next: number | null } {
  let bytes = 0;
  let end = offset;
  while (end < items.length) {
    const size = jsonBytes(items[end]);
    if (end > offset && bytes + size > RESPONSE_BUDGET_BYTES) break;
    bytes += size;
    end++;
  }
  return { items: items.slice(offset, end), next: end < items.length ? end : null };
}

type Query = Record<string, string | undefined>;

const ok = (body: unknown): ApiResponse => ({ status: 200, body });

function parse<S extends z.ZodType>(schema: S, query: Query): z.output<S> {
  const result = schema.safeParse(query);
  if (!result.success) throw new BadRequestError(describeIssue(result.error));
  return result.data;
}

/** The targets a request means: the one named, or every configured target. */
function pickTargets(ctx: ApiContext, q: z.output<typeof TargetParams>): Target[] {
  if ((q.region === undefined) !== (q.projectId === undefined))
    throw new BadRequestError('region and projectId go together');
  if (q.region === undefined || q.projectId === undefined) return ctx.targets;
  const wanted = { region: q.region, projectId: q.projectId };
  const t = ctx.targets.find((x) => targetSpec(x) === targetSpec(wanted));
  if (!t) throw new BadRequestError(`region/projectId ${targetLabel(wanted)} is not a configured target`);
  return [t];
}

/** Pages through several targets with one opaque cursor: {target index, that target's cursor}. */
async function acrossTargets<T>(
  targets: Target[],
  cursor: string | undefined,
  limit: number,
  fetch: (t: Target, page: { limit: number; cursor: string | null; maxBytes: number }) => Promise<Page<T>>,
): Promise<Page<T>> {
  // The index comes from the client: it must name one of our targets, or targets[-1] is read.
  const position = cursor
    ? decodeCursor(
        cursor,
        z.object({
          i: z
            .number()
            .int()
            .min(0)
            .max(targets.length - 1),
          c: z.string().nullable(),
        }),
      )
    : { i: 0, c: null };
  let index = position.i;
  let inner = position.c;
  const items: T[] = [];
  let bytes = 0;
  while (index < targets.length && items.length < limit && bytes < RESPONSE_BUDGET_BYTES) {
    const page = await fetch(targets[index] as Target, {
      limit: limit - items.length,
      cursor: inner,
      maxBytes: RESPONSE_BUDGET_BYTES - bytes,
    });
    items.push(...page.items);
    bytes += page.items.reduce((n, i) => n + jsonBytes(i), 0);
    inner = page.cursor;
    if (!inner) index++;
  }
  const more = index < targets.length;
  return {
    items,
    cursor: more ? encodeCursor({ i: index, c: inner }) : null,
  };
}

export async function route(
  ctx: ApiContext,
  method: string,
  path: string,
  query: Query,
  /** The request body and the caller's identity (POST routes only). */
  request: { body?: string | null; caller?: string | null; now?: string } = {},
): Promise<ApiResponse> {
  try {
    // The catalogue is the gate: what it does not list is not answered (and so never undocumented).
    const match = findRoute(method, path);
    if (match.kind === 'no-route') return notFound(path);
    if (match.kind === 'wrong-method')
      return {
        status: 405,
        body: {
          error: `method ${method.slice(0, 10)} is not allowed here; expected ${match.allowed.join(', ')}`,
        },
      };
    // Silences: list, create, expire (lib/api/silences.ts); the body is JSON.
    if (match.id === 'listSilences' || match.id === 'createSilence' || match.id === 'expireSilence') {
      const body = parseJsonBody(request.body, false);
      const now = request.now === undefined ? Date.now() : Date.parse(request.now);
      const segments = path.replace(/^\/+|\/+$/g, '').split('/');
      return (await silenceRoute(ctx.store, method, segments, body, now)) ?? notFound(path);
    }
    // Acknowledging an alert.
    if (match.id === 'ackEvent')
      return await postAck(ctx.store, match.params.id ?? '', request.body, {
        caller: request.caller ?? null,
        now: request.now ?? new Date().toISOString(),
        inScope: (e) => inTargets(ctx.targets, e),
      });
    const segments = path.replace(/^\/+|\/+$/g, '').split('/');
    const [head, id, tail, ...rest] = segments;
    if (rest.length) return notFound(path);
    switch (head) {
      case 'targets':
        if (id !== undefined) return notFound(path);
        parse(API.listTargets.query, query);
        return ok(await targetsResponse(ctx.store, ctx.targets));
      case 'connections': {
        if (id === undefined) {
          const q = parse(API.listConnections.query, query);
          // A status filter applies inside each page; the cursor still walks the whole target.
          const page = await acrossTargets(pickTargets(ctx, q), q.cursor, q.limit, (t, p) =>
            listConnections(ctx.store, t, p),
          );
          return ok(q.status ? { ...page, items: page.items.filter((c) => c.status === q.status) } : page);
        }
        const idCheck = API.getConnection.pathParams.id.safeParse(id);
        if (!idCheck.success) throw new BadRequestError(describeIssue(idCheck.error));
        if (tail === undefined) {
          const c = await getConnection(ctx.store, id);
          // Outside the configured targets is the same answer as absent: no existence oracle.
          return c && inTargets(ctx.targets, c) ? ok(c) : connectionNotFound(id);
        }
        if (tail === 'history') {
          const q = parse(API.listHistory.query, query);
          const page = await listHistory(ctx.store, id, {
            ...q,
            cursor: q.cursor ?? null,
            maxBytes: RESPONSE_BUDGET_BYTES,
          });
          // Outside the configured targets is the same answer as absent. Every version names the
          // connection's target, so the page itself says; only an empty page needs the state read.
          const first = page.items[0];
          const known = first ? inTargets(ctx.targets, first) : await inScope(ctx, id);
          if (!known) return connectionNotFound(id);
          return ok({ ...page, items: page.items.map(fitVersion) });
        }
        return notFound(path);
      }
      case 'peerings': {
        if (id !== undefined) return notFound(path);
        const q = parse(API.listPeerings.query, query);
        const targets = pickTargets(ctx, q);
        // FAILED peerings come from the sparse index across all targets; other statuses per target.
        const page =
          q.status === FAILED
            ? await listFailedConnections(ctx.store, {
                limit: q.limit,
                cursor: q.cursor ?? null,
                maxBytes: RESPONSE_BUDGET_BYTES,
              })
            : await acrossTargets(targets, q.cursor, q.limit, (t, p) => listConnections(ctx.store, t, p));
        const items = peeringRows(page.items, q.status, targets);
        return ok({ items, cursor: page.cursor });
      }
      case 'events': {
        if (id !== undefined) return notFound(path);
        const q = parse(API.listEvents.query, query);
        const page = await listEvents(ctx.store, { ...q, cursor: q.cursor ?? null });
        return ok({ ...page, items: page.items.filter((e) => inTargets(ctx.targets, e)).map(eventView) });
      }
      case 'runs': {
        if (id !== undefined) return notFound(path);
        const q = parse(API.listRuns.query, query);
        return ok(
          await acrossTargets(pickTargets(ctx, q), q.cursor, q.limit, (t, p) =>
            listRuns(ctx.store, t, { ...p, from: q.from, to: q.to }),
          ),
        );
      }
      case 'snapshot': {
        if (id !== undefined) return notFound(path);
        const q = parse(API.getSnapshot.query, query);
        // Bounded work: one target per call; the cursor names the target and the position in its
        // as-of listing, which is rebuilt for each page (a pure function of `at`).
        const targets = pickTargets(ctx, q);
        const pos = q.cursor === undefined ? { i: 0, o: 0 } : decodeCursor(q.cursor, SnapshotCursor);
        if (pos.i > 0 && pos.i >= targets.length) throw new BadRequestError(INVALID_CURSOR);
        const t = targets[pos.i];
        const all = t
          ? await snapshotAt(ctx.store, t, q.at, { includeDeleted: q.includeDeleted === 'true' })
          : [];
        const page = pageByBytes(all.map(fitVersion), pos.o);
        const next =
          page.next !== null
            ? { i: pos.i, o: page.next }
            : pos.i + 1 < targets.length
              ? { i: pos.i + 1, o: 0 }
              : null;
        return ok({ at: q.at, items: page.items, cursor: next && encodeCursor(next) });
      }
      case 'availability':
      case 'report':
        if (id !== undefined) return notFound(path);
        return await (head === 'report' ? reportRoute : availabilityRoute)(ctx, query, new Date());
      default:
        return notFound(path);
    }
  } catch (err) {
    if (err instanceof BadRequestError) return { status: 400, body: { error: err.message } };
    throw err;
  }
}

/** The snapshot's cursor: the target's index and the position in its as-of listing. */
const SnapshotCursor = z.object({ i: z.number().int().nonnegative(), o: z.number().int().nonnegative() });

async function inScope(ctx: ApiContext, id: string): Promise<boolean> {
  const c = await getConnection(ctx.store, id);
  return c !== null && inTargets(ctx.targets, c);
}

const connectionNotFound = (id: string): ApiResponse => ({
  status: 404,
  body: { error: `connection ${id} not found` },
});

const notFound = (path: string): ApiResponse => ({
  status: 404,
  body: {
    error: `no route for ${path.slice(0, 100)}; expected ${documentedPaths().join(', ')}`,
  },
});
