/**
 * The HTTP API's one list of routes: method, path, parameters, body and response shapes, as the zod
 * schemas that validate them. routes.ts answers only what is listed here (findRoute is its gate) and
 * parses with these very schemas; lib/api/openapi.ts turns the same list into docs/openapi.json. So a
 * route cannot exist undocumented, and the document cannot drift from what the code accepts.
 *
 * Adding a route: one entry in API (key = operationId), its schemas exported from its own
 * lib/api/<name>.ts; name each response shape that clients meet in several places with `named`
 * (it becomes a component of the document); then a case in routes.ts and `npm run openapi`.
 */
import { z } from 'zod';
import { EventViewSchema } from '../model/event-view.ts';
import { ConnectionSchema, HistoryVersionSchema, PeeringSchema, RunRecordSchema } from '../model/schemas.ts';
import { AckBodySchema, AckResponseSchema, EventIdParam } from './ack.ts';
import { AvailabilityParams, AvailabilityResponseSchema, ReportParams } from './availability.ts';
import {
  ConnectionIdParam,
  ConnectionsParams,
  EventsParams,
  HistoryParams,
  PeeringsParams,
  RunsParams,
  SnapshotParams,
} from './params.ts';
import { SilenceCreateBody, SilenceIdParam, SilenceListResponse, SilenceView } from './silences.ts';
import { TargetsResponseSchema } from './targets.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  readonly method: Method;
  /** OpenAPI path template; `{name}` is one path segment, validated by pathParams[name]. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly pathParams?: Readonly<Record<string, z.ZodType>>;
  /** A zod object (strict: an unknown parameter is a 400); each key is one query parameter. */
  readonly query?: z.ZodObject;
  /** The JSON request body, when the route takes one. */
  readonly body?: z.ZodType;
  /** The success body; a string for non-JSON content types. */
  readonly ok: z.ZodType;
  readonly okStatus?: 200 | 201;
  /** Default application/json; e.g. text/html for a page (routes.ts then sets ApiResponse.contentType). */
  readonly contentType?: string;
}

/** Schemas that become named components of the document (`#/components/schemas/<id>`). */
export const components = z.registry<{ id: string }>();
const named = <S extends z.ZodType>(id: string, schema: S): S => {
  components.add(schema, { id });
  return schema;
};

// Every 4xx/5xx body (routes.ts, functions/api.ts); openapi.ts refers to it by name.
named(
  'Error',
  z.object({ error: z.string().describe('One line naming what is wrong and what is expected.') }),
);

const page = <S extends z.ZodType>(item: S) =>
  z.object({
    items: z.array(item),
    cursor: z
      .string()
      .nullable()
      .describe('Opaque (signed); pass it back as `cursor` for the next page. Null on the last page.'),
  });

const Connection = named('Connection', ConnectionSchema);
/** A version too big for one response drops `raw` and says so in `rawOmitted` (routes.ts fitVersion). */
const ApiHistoryVersion = named(
  'HistoryVersion',
  HistoryVersionSchema.extend({ rawOmitted: z.string().optional() }),
);
const PeeringRow = named(
  'PeeringRow',
  PeeringSchema.extend({
    region: z.string(),
    projectId: z.string(),
    connectionId: z.string(),
    connectionName: z.string().nullable(),
    resourceKind: z.enum(['queue', 'elasticResourcePool']),
  }),
);
const ChangeEvent = named('ChangeEvent', EventViewSchema);
const RunRecord = named('RunRecord', RunRecordSchema);

const idParam = { id: ConnectionIdParam.describe('The DLI connection id (a UUID).') };

export const API = {
  listConnections: {
    method: 'GET',
    path: '/connections',
    summary: 'Current state of every connection (tombstones included), across targets or for one',
    query: ConnectionsParams,
    ok: named('ConnectionPage', page(Connection)),
  },
  getConnection: {
    method: 'GET',
    path: '/connections/{id}',
    summary: "One connection's current state",
    pathParams: idParam,
    ok: Connection,
  },
  listHistory: {
    method: 'GET',
    path: '/connections/{id}/history',
    summary: "A connection's history versions in a time range",
    pathParams: idParam,
    query: HistoryParams,
    ok: named('HistoryPage', page(ApiHistoryVersion)),
  },
  listPeerings: {
    method: 'GET',
    path: '/peerings',
    summary: 'Peerings currently in a status (default FAILED)',
    query: PeeringsParams,
    ok: named('PeeringPage', page(PeeringRow)),
  },
  listEvents: {
    method: 'GET',
    path: '/events',
    summary: 'Change events in a time range',
    query: EventsParams,
    ok: named('ChangeEventPage', page(ChangeEvent)),
  },
  listSilences: {
    method: 'GET',
    path: '/silences',
    summary: 'Every silence, newest first, with whether it holds now',
    query: z.object({}).strict(),
    ok: named('SilenceList', SilenceListResponse),
  },
  createSilence: {
    method: 'POST',
    path: '/silences',
    summary: 'Silence matching events until a time: stored and shown, not sent; one reminder at its end',
    body: SilenceCreateBody,
    ok: named('Silence', SilenceView),
    okStatus: 201,
  },
  expireSilence: {
    method: 'POST',
    path: '/silences/{id}/expire',
    summary: 'End a silence now',
    pathParams: { id: SilenceIdParam },
    ok: SilenceView,
  },
  ackEvent: {
    method: 'POST',
    path: '/events/{id}/ack',
    summary:
      'Acknowledge an alert: no reminders, paging tools acknowledged; the first acknowledgement is kept',
    pathParams: { id: EventIdParam },
    body: AckBodySchema,
    ok: named('Acknowledgement', AckResponseSchema),
  },
  listRuns: {
    method: 'GET',
    path: '/runs',
    summary: 'Sync run records in a time range',
    query: RunsParams,
    ok: named('RunRecordPage', page(RunRecord)),
  },
  getSnapshot: {
    method: 'GET',
    path: '/snapshot',
    summary: 'The inventory as it was at an instant, rebuilt from history (one target per page)',
    query: SnapshotParams,
    ok: named(
      'Snapshot',
      page(ApiHistoryVersion).extend({ at: z.string().describe('The instant, as canonical UTC.') }),
    ),
  },
  listTargets: {
    method: 'GET',
    path: '/targets',
    summary: 'Every known target: source, state, last complete sweep, live connections',
    // No parameters: an unknown one is a 400 like everywhere else.
    query: z.object({}).strict(),
    ok: named('TargetPage', TargetsResponseSchema),
  },
  getAvailability: {
    method: 'GET',
    path: '/availability',
    summary: 'Availability per peering over a window: seconds per state, failures, MTTR, longest outage',
    query: AvailabilityParams,
    ok: named('AvailabilityPage', AvailabilityResponseSchema),
  },
  getReport: {
    method: 'GET',
    path: '/report',
    summary: 'The self-contained HTML report of a window (summary, timelines, events, inventory)',
    query: ReportParams,
    contentType: 'text/html',
    ok: z.string(),
  },
} as const satisfies Record<string, RouteSpec>;

export type RouteId = keyof typeof API;

/** [id, spec] pairs in the catalogue's order. */
export const routeEntries = (): [RouteId, RouteSpec][] => Object.entries(API) as [RouteId, RouteSpec][];

const segmentsOf = (path: string): string[] => path.replace(/^\/+|\/+$/g, '').split('/');

/** Matches a path against a template; `{x}` matches any one segment. Null when it does not fit. */
function matchTemplate(template: string, path: string): Record<string, string> | null {
  const want = segmentsOf(template);
  const got = segmentsOf(path);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (const [i, w] of want.entries()) {
    const g = got[i] as string;
    if (w.startsWith('{') && w.endsWith('}')) params[w.slice(1, -1)] = g;
    else if (w !== g) return null;
  }
  return params;
}

export type RouteMatch =
  | { kind: 'found'; id: string; spec: RouteSpec; params: Record<string, string> }
  | { kind: 'no-route' }
  | { kind: 'wrong-method'; allowed: Method[] };

/**
 * Pure: which catalogued route a request means. A literal segment beats a `{param}` one, so a later
 * `/connections/search` would not be read as connection id "search".
 */
export function findRoute(
  method: string,
  path: string,
  routes: readonly [string, RouteSpec][] = routeEntries(),
): RouteMatch {
  const fits = routes
    .map(([id, spec]) => ({ id, spec, params: matchTemplate(spec.path, path) }))
    .filter((m): m is { id: string; spec: RouteSpec; params: Record<string, string> } => m.params !== null)
    .sort((a, b) => Object.keys(a.params).length - Object.keys(b.params).length);
  if (fits.length === 0) return { kind: 'no-route' };
  const hit = fits.find((f) => f.spec.method === method);
  if (hit) return { kind: 'found', ...hit };
  return { kind: 'wrong-method', allowed: [...new Set(fits.map((f) => f.spec.method))] };
}

/** The documented paths, for the 404 answer's "expected …". */
export const documentedPaths = (): string[] => [...new Set(routeEntries().map(([, s]) => s.path))];
