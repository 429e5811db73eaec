/**
 * The HTTP API's routes over the shared query layer (lib/store/query.ts, the same calls the CLI
 * makes). Each route validates its parameters with zod: a bad one is a 400 naming it.
 */
import type { z } from 'zod';
import type { Target } from '../model.ts';
import type { Store } from '../store/client.ts';
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
import {
  ConnectionIdParam,
  ConnectionsParams,
  describeIssue,
  EventsParams,
  HistoryParams,
  PeeringsParams,
  RunsParams,
  SnapshotParams,
  type TargetParams,
} from './params.ts';
import { inTargets, snapshotPage } from './scope.ts';

export interface ApiResponse {
  status: number;
  body: unknown;
}

export interface ApiContext {
  store: Store;
  targets: Target[];
}

export class BadRequest extends Error {}

type Query = Record<string, string | undefined>;

const ok = (body: unknown): ApiResponse => ({ status: 200, body });

function parse<S extends z.ZodType>(schema: S, query: Query): z.output<S> {
  const result = schema.safeParse(query);
  if (!result.success) throw new BadRequest(describeIssue(result.error));
  return result.data;
}

/** The targets a request means: the one named, or every configured target. */
function pickTargets(ctx: ApiContext, q: z.output<typeof TargetParams>): Target[] {
  if ((q.region === undefined) !== (q.projectId === undefined))
    throw new BadRequest('region and projectId go together');
  if (q.region === undefined) return ctx.targets;
  const t = ctx.targets.find((x) => x.region === q.region && x.projectId === q.projectId);
  if (!t) throw new BadRequest(`region/projectId ${q.region}/${q.projectId} is not a configured target`);
  return [t];
}

/** Pages through several targets with one opaque cursor: {target index, that target's cursor}. */
async function acrossTargets<T>(
  targets: Target[],
  cursor: string | undefined,
  limit: number,
  fetch: (t: Target, page: { limit: number; cursor: string | null }) => Promise<Page<T>>,
): Promise<Page<T>> {
  let index = 0;
  let inner: string | null = null;
  if (cursor) {
    try {
      const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
        i?: unknown;
        c?: unknown;
      };
      // The index comes from the client: it must name one of our targets, or targets[-1] is read.
      const validIndex =
        typeof parsed.i === 'number' &&
        Number.isInteger(parsed.i) &&
        parsed.i >= 0 &&
        parsed.i < targets.length;
      if (!validIndex || !(typeof parsed.c === 'string' || parsed.c === null)) throw new Error();
      index = parsed.i as number;
      inner = parsed.c;
    } catch {
      throw new BadRequest('cursor is not valid; expected the cursor value returned by the previous page');
    }
  }
  const items: T[] = [];
  while (index < targets.length && items.length < limit) {
    const page = await fetch(targets[index] as Target, { limit: limit - items.length, cursor: inner });
    items.push(...page.items);
    inner = page.cursor;
    if (!inner) index++;
  }
  const more = index < targets.length;
  return {
    items,
    cursor: more ? Buffer.from(JSON.stringify({ i: index, c: inner })).toString('base64url') : null,
  };
}

export async function route(
  ctx: ApiContext,
  method: string,
  path: string,
  query: Query,
): Promise<ApiResponse> {
  try {
    if (method !== 'GET')
      return { status: 405, body: { error: `method ${method} is not allowed; the API is read-only (GET)` } };
    const segments = path.replace(/^\/+|\/+$/g, '').split('/');
    const [head, id, tail, ...rest] = segments;
    if (rest.length) return notFound(path);
    switch (head) {
      case 'connections': {
        if (id === undefined) {
          const q = parse(ConnectionsParams, query);
          // A status filter applies inside each page; the cursor still walks the whole target.
          const page = await acrossTargets(pickTargets(ctx, q), q.cursor, q.limit, (t, p) =>
            listConnections(ctx.store, t, p),
          );
          return ok(q.status ? { ...page, items: page.items.filter((c) => c.status === q.status) } : page);
        }
        const idCheck = ConnectionIdParam.safeParse(id);
        if (!idCheck.success) throw new BadRequest(describeIssue(idCheck.error));
        if (tail === undefined) {
          const c = await getConnection(ctx.store, id);
          // Outside the configured targets is the same answer as absent: no existence oracle.
          return c && inTargets(ctx.targets, c) ? ok(c) : connectionNotFound(id);
        }
        if (tail === 'history') {
          const q = parse(HistoryParams, query);
          const c = await getConnection(ctx.store, id);
          if (!c || !inTargets(ctx.targets, c)) return connectionNotFound(id);
          return ok(await listHistory(ctx.store, id, { ...q, cursor: q.cursor ?? null }));
        }
        return notFound(path);
      }
      case 'peerings': {
        if (id !== undefined) return notFound(path);
        const q = parse(PeeringsParams, query);
        const targets = pickTargets(ctx, q);
        const wanted = new Set(targets.map((t) => `${t.region}#${t.projectId}`));
        // FAILED peerings come from the sparse index across all targets; other statuses per target.
        const page =
          q.status === 'FAILED'
            ? await listFailedConnections(ctx.store, { limit: q.limit, cursor: q.cursor ?? null })
            : await acrossTargets(targets, q.cursor, q.limit, (t, p) => listConnections(ctx.store, t, p));
        const items = page.items
          .filter((c) => wanted.has(`${c.region}#${c.projectId}`) && c.status !== 'DELETED')
          .flatMap((c) =>
            [
              ...c.peerings.map((p) => ({ ...p, resourceKind: 'queue' })),
              ...c.elasticResourcePools.map((p) => ({ ...p, resourceKind: 'elasticResourcePool' })),
            ]
              .filter((p) => p.status === q.status)
              .map((p) => ({
                region: c.region,
                projectId: c.projectId,
                connectionId: c.id,
                connectionName: c.name,
                ...p,
              })),
          );
        return ok({ items, cursor: page.cursor });
      }
      case 'events': {
        if (id !== undefined) return notFound(path);
        const q = parse(EventsParams, query);
        const page = await listEvents(ctx.store, { ...q, cursor: q.cursor ?? null });
        return ok({ ...page, items: page.items.filter((e) => inTargets(ctx.targets, e)) });
      }
      case 'runs': {
        if (id !== undefined) return notFound(path);
        const q = parse(RunsParams, query);
        return ok(
          await acrossTargets(pickTargets(ctx, q), q.cursor, q.limit, (t, p) =>
            listRuns(ctx.store, t, { ...p, from: q.from, to: q.to }),
          ),
        );
      }
      case 'snapshot': {
        if (id !== undefined) return notFound(path);
        const q = parse(SnapshotParams, query);
        // Bounded work: one target per call, the cursor names the next one.
        const targets = pickTargets(ctx, q);
        const page = snapshotPage(q.cursor, targets.length);
        if (!page)
          throw new BadRequest(
            'cursor is not valid; expected the cursor value returned by the previous page',
          );
        const t = targets[page.index];
        const items = t
          ? await snapshotAt(ctx.store, t, q.at, { includeDeleted: q.includeDeleted === 'true' })
          : [];
        return ok({ at: q.at, items, cursor: page.next });
      }
      default:
        return notFound(path);
    }
  } catch (err) {
    if (err instanceof BadRequest) return { status: 400, body: { error: err.message } };
    if (err instanceof Error && err.name === 'ConfigError')
      return { status: 400, body: { error: err.message } };
    throw err;
  }
}

const connectionNotFound = (id: string): ApiResponse => ({
  status: 404,
  body: { error: `connection ${id} not found` },
});

const notFound = (path: string): ApiResponse => ({
  status: 404,
  body: {
    error: `no route for ${path.slice(0, 100)}; expected /connections, /connections/{id}, /connections/{id}/history, /peerings, /events, /runs, /snapshot`,
  },
});
