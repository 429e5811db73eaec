/** zod schemas of the HTTP API's query parameters; a failure names the parameter. */
import { z } from 'zod';

export const isoParam = (name: string) =>
  z
    .string()
    .refine(
      (s) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(s) && !Number.isNaN(Date.parse(s)),
      {
        message: `${name} must be an ISO-8601 time, e.g. 2026-11-28T10:00:00Z`,
      },
    )
    .transform((s) => new Date(s).toISOString());

export const limitParam = z
  .string()
  .regex(/^\d+$/, { message: 'limit must be a whole number from 1 to 1000' })
  .transform(Number)
  .refine((n) => n >= 1 && n <= 1000, { message: 'limit must be a whole number from 1 to 1000' })
  .default(100);

const cursorParam = z.string().max(4096, { message: 'cursor is too long' }).optional();
const orderParam = z.enum(['asc', 'desc'], { message: 'order must be asc or desc' });
const statusParam = z
  .string()
  .regex(/^[A-Za-z_]{1,32}$/, { message: 'status must be a status word such as ACTIVE, FAILED or DELETED' })
  .transform((s) => s.toUpperCase());
const regionParam = z
  .string()
  .regex(/^[a-z]{2,}(-[a-z0-9]+)+$/, { message: 'region must look like cn-north-4' });
const projectParam = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'projectId must be a project id' });

export const TargetParams = z.object({ region: regionParam.optional(), projectId: projectParam.optional() });

export const ConnectionsParams = TargetParams.extend({
  status: statusParam.optional(),
  limit: limitParam,
  cursor: cursorParam,
}).strict();
export const HistoryParams = z
  .object({
    from: isoParam('from').optional(),
    to: isoParam('to').optional(),
    order: orderParam.default('asc'),
    limit: limitParam,
    cursor: cursorParam,
  })
  .strict();
export const PeeringsParams = TargetParams.extend({
  status: statusParam.default('FAILED'),
  limit: limitParam,
  cursor: cursorParam,
}).strict();
export const EventsParams = HistoryParams;
export const RunsParams = TargetParams.extend({
  from: isoParam('from').optional(),
  to: isoParam('to').optional(),
  limit: limitParam,
  cursor: cursorParam,
}).strict();
export const SnapshotParams = TargetParams.extend({
  at: isoParam('at'),
  includeDeleted: z
    .enum(['true', 'false'], { message: 'includeDeleted must be true or false' })
    .default('false'),
  // One target per call (lib/api/scope.ts snapshotPage): the next target's position.
  cursor: cursorParam,
}).strict();

export const ConnectionIdParam = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, { message: 'connection id must be 1-128 of A-Z a-z 0-9 _ . : -' });

/** First issue as "name: message" in one line. */
export function describeIssue(err: z.ZodError): string {
  const issue = err.issues[0];
  if (!issue) return 'invalid parameters';
  if (issue.code === 'unrecognized_keys') {
    // The name is the caller's text: quoted and cut, so a hostile one cannot forge or flood the message.
    return `unknown parameter ${quoteName(issue.keys[0] ?? '')}${issue.keys.length > 1 ? ` (and ${issue.keys.length - 1} more)` : ''}`;
  }
  const name = issue.path.join('.');
  return issue.message.startsWith(name) || !name ? issue.message : `${name}: ${issue.message}`;
}

function quoteName(name: string): string {
  const cut = name.length > 40 ? `${name.slice(0, 40)}…` : name;
  return JSON.stringify(cut);
}
