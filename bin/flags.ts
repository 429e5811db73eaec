/**
 * The CLI's flag values, each through the one validation module (lib/validate.ts): a bad one is a
 * BadRequestError (exit 2) naming the flag and what is expected.
 */
import { z } from 'zod';
import { BadRequestError } from '../lib/errors.ts';
import {
  connectionId,
  connectionStatus,
  eventId,
  firstIssue,
  isoInstant,
  peeringStatus,
  positiveLimit,
  targetSpecSchema,
  wholeNumber,
} from '../lib/validate.ts';

const common = {
  json: z.boolean().default(false),
  csv: z.boolean().default(false),
  'include-deleted': z.boolean().default(false),
  failed: z.boolean().default(false),
  desc: z.boolean().default(false),
  event: eventId('--event').optional(),
  at: isoInstant('--at').optional(),
  from: isoInstant('--from').optional(),
  to: isoInstant('--to').optional(),
  limit: positiveLimit('--limit', 10_000).optional(),
  target: targetSpecSchema('--target').optional(),
  connection: connectionId('--connection').optional(),
  queue: z.string().min(1).max(255, { message: '--queue is at most 255 characters' }).optional(),
  out: z.string().min(1, { message: '--out needs a file path' }).optional(),
  // 0: any free port (the URL printed on start says which).
  port: wholeNumber('--port', 0, 65_535).optional(),
  host: z.string().optional(),
  // ack: checked with the API's own rules (lib/api/ack.ts AckBodySchema), so both refuse the same.
  by: z.string().optional(),
  note: z.string().optional(),
  // silence add: checked by addSilence (lib/api/silences.ts), the same rules as POST /silences.
  match: z.string().optional(),
  until: z.string().optional(),
  reason: z.string().optional(),
};

// --status means a connection's status, except for `peerings`, where it is a peering's.
const ConnectionFlags = z.object({ ...common, status: connectionStatus('--status').optional() });
const PeeringFlags = z.object({ ...common, status: peeringStatus('--status').optional() });

export type Flags = Omit<z.output<typeof ConnectionFlags>, 'status'> & { status?: string | undefined };

export function parseFlags(command: string, values: Record<string, unknown>): Flags {
  const parsed = (command === 'peerings' ? PeeringFlags : ConnectionFlags).safeParse(values);
  if (!parsed.success) throw new BadRequestError(firstIssue(parsed.error, 'invalid option'));
  if (parsed.data.json && parsed.data.csv)
    throw new BadRequestError('--json and --csv exclude each other; pick one');
  return parsed.data;
}
