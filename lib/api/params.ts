/** zod schemas of the HTTP API's query parameters; a failure names the parameter. */

import { z } from 'zod';
import { FAILED } from '../model/status.ts';
import {
  connectionId,
  connectionStatus,
  cursorParam,
  isoInstant,
  peeringStatus,
  positiveLimit,
  projectIdSchema,
  regionSchema,
} from '../validate.ts';

const limitParam = positiveLimit('limit', 1000).default(100);
const cursor = cursorParam.optional();
const orderParam = z.enum(['asc', 'desc'], { message: 'order must be asc or desc' });
const regionParam = regionSchema('region');
const projectParam = projectIdSchema('projectId');

export const TargetParams = z.object({ region: regionParam.optional(), projectId: projectParam.optional() });

export const ConnectionsParams = TargetParams.extend({
  status: connectionStatus('status').optional(),
  limit: limitParam,
  cursor,
}).strict();
export const HistoryParams = z
  .object({
    from: isoInstant('from').optional(),
    to: isoInstant('to').optional(),
    order: orderParam.default('asc'),
    limit: limitParam,
    cursor,
  })
  .strict();
export const PeeringsParams = TargetParams.extend({
  status: peeringStatus('status').default(FAILED),
  limit: limitParam,
  cursor,
}).strict();
// The same parameters as history's; its own schema so that either can change alone.
export const EventsParams = HistoryParams.extend({});
export const RunsParams = TargetParams.extend({
  from: isoInstant('from').optional(),
  to: isoInstant('to').optional(),
  limit: limitParam,
  cursor,
}).strict();
export const SnapshotParams = TargetParams.extend({
  at: isoInstant('at'),
  cursor,
  includeDeleted: z
    .enum(['true', 'false'], { message: 'includeDeleted must be true or false' })
    .default('false'),
}).strict();

export const ConnectionIdParam = connectionId('connection id');

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
