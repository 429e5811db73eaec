/**
 * `GET /availability` and `GET /report`: the CLI's `availability` and `report` over HTTP. The zod
 * schemas here validate the parameters and describe the responses (the OpenAPI document is made
 * from them). The window defaults to the last 30 days; `/availability` pages its rows with a cursor
 * that carries the window, so a later page is of the same window even when `to` defaulted to now.
 */
import { z } from 'zod';
import { BadRequestError } from '../errors.ts';
import type { Target } from '../model/schemas.ts';
import { targetLabel, targetSpec } from '../model/target.ts';
import { summarize } from '../report/availability.ts';
import { buildReport } from '../report/build.ts';
import { type Selection, selectionAvailability } from '../report/load.ts';
import { resolveWindow } from '../report/window.ts';
import type { Store } from '../store/client.ts';
import {
  connectionId,
  cursorParam,
  decodeCursor,
  encodeCursor,
  INVALID_CURSOR,
  isoInstant,
  positiveLimit,
} from '../validate.ts';
import { describeIssue, TargetParams } from './params.ts';

const WindowParams = TargetParams.extend({
  from: isoInstant('from').optional(),
  to: isoInstant('to').optional(),
});

export const AvailabilityParams = WindowParams.extend({
  connectionId: connectionId('connectionId').optional(),
  queue: z.string().min(1).max(255, { message: 'queue is at most 255 characters' }).optional(),
  // A row is ~450 bytes of JSON: 5,000 of them stay far below the response size cap.
  limit: positiveLimit('limit', 5000).default(1000),
  cursor: cursorParam.optional(),
}).strict();

export const ReportParams = WindowParams.strict();

const SecondsSchema = z.object({
  active: z.number().int(),
  creating: z.number().int(),
  failed: z.number().int(),
  absent: z.number().int(),
});

const FiguresShape = {
  seconds: SecondsSchema,
  availability: z.number().min(0).max(1).nullable(),
  failures: z.number().int(),
  recoveries: z.number().int(),
  mttrSeconds: z.number().nullable(),
  longestOutageSeconds: z.number().int(),
  otherSeconds: z.number().int(),
};

export const AvailabilityRowSchema = z.object({
  region: z.string(),
  projectId: z.string(),
  connectionId: z.string(),
  connectionName: z.string().nullable(),
  queue: z.string().nullable(),
  peerId: z.string().nullable(),
  peeringKey: z.string(),
  resourceKind: z.enum(['queue', 'elasticResourcePool']),
  ...FiguresShape,
});

const SummarySchema = z.object({
  connections: z.number().int(),
  peerings: z.number().int(),
  ...FiguresShape,
});

export const AvailabilityResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  /** The whole selection, every page's rows included. */
  summary: SummarySchema,
  items: z.array(AvailabilityRowSchema),
  cursor: z.string().nullable(),
});

/** The cursor: the next row's offset and the window it belongs to. */
const Cursor = z.object({ o: z.number().int().nonnegative(), f: z.string(), t: z.string() });

type Query = Record<string, string | undefined>;

interface Response {
  status: number;
  body: unknown;
  contentType?: string;
}

function parse<S extends z.ZodType>(schema: S, query: Query): z.output<S> {
  const result = schema.safeParse(query);
  if (!result.success) throw new BadRequestError(describeIssue(result.error));
  return result.data;
}

function pickTargets(targets: readonly Target[], q: { region?: string; projectId?: string }): Target[] {
  if ((q.region === undefined) !== (q.projectId === undefined))
    throw new BadRequestError('region and projectId go together');
  if (q.region === undefined || q.projectId === undefined) return [...targets];
  const wanted = { region: q.region, projectId: q.projectId };
  const t = targets.find((x) => targetSpec(x) === targetSpec(wanted));
  if (!t) throw new BadRequestError(`region/projectId ${targetLabel(wanted)} is not a configured target`);
  return [t];
}

const NAMES = { from: 'from', to: 'to' };

export async function availabilityRoute(
  ctx: { store: Store; targets: Target[] },
  query: Query,
  now: Date,
): Promise<Response> {
  const q = parse(AvailabilityParams, query);
  const pos = q.cursor === undefined ? null : decodeCursor(q.cursor, Cursor);
  const w = pos ? resolveWindow(pos.f, pos.t, now, NAMES) : resolveWindow(q.from, q.to, now, NAMES);
  const sel: Selection = {
    targets: pickTargets(ctx.targets, q),
    connectionId: q.connectionId,
    queue: q.queue,
  };
  const rows = (await selectionAvailability(ctx.store, sel, w)).map((r) => r.row);
  const offset = pos?.o ?? 0;
  if (offset > rows.length) throw new BadRequestError(INVALID_CURSOR);
  const end = offset + q.limit;
  const body: z.input<typeof AvailabilityResponseSchema> = {
    from: w.from,
    to: w.to,
    summary: summarize(rows),
    items: rows.slice(offset, end),
    cursor: end < rows.length ? encodeCursor({ o: end, f: w.from, t: w.to }) : null,
  };
  return { status: 200, body };
}

export async function reportRoute(
  ctx: { store: Store; targets: Target[] },
  query: Query,
  now: Date,
): Promise<Response> {
  const q = parse(ReportParams, query);
  const w = resolveWindow(q.from, q.to, now, NAMES);
  const { html } = await buildReport(ctx.store, { targets: pickTargets(ctx.targets, q) }, w, now);
  return { status: 200, body: html, contentType: 'text/html; charset=utf-8' };
}
