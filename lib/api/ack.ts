/**
 * Acknowledging an alert: the one library call behind `dli-sync ack` and `POST /events/{id}/ack`,
 * and the zod schemas of the request body and the answer (exported for the OpenAPI document).
 */
import { z } from 'zod';
import { BadRequestError } from '../errors.ts';
import { ACK_BY_MAX, ACK_NOTE_MAX } from '../model/ack.ts';
import type { ChangeEvent } from '../model/schemas.ts';
import { acknowledgeEvent } from '../store/ack.ts';
import type { Store } from '../store/client.ts';
import { eventId as eventIdRule } from '../validate.ts';

/** One line of printable text: a name or note that could forge lines in a chat or a log is refused. */
const line = (name: string, max: number) =>
  z
    .string()
    .trim()
    .min(1, { message: `${name} must be 1 to ${max} characters` })
    .max(max, { message: `${name} must be 1 to ${max} characters` })
    .regex(/^[^\p{Cc}\u2028\u2029]*$/u, { message: `${name} must be one line without control characters` });

export const AckBodySchema = z
  .object({
    /** Who is on it; default: the CLI's OS user, or the API caller's IAM identity. */
    by: line('by', ACK_BY_MAX).optional(),
    note: line('note', ACK_NOTE_MAX).optional(),
  })
  .strict();

export const AckResponseSchema = z.object({
  eventId: z.string(),
  /** acknowledged: by this call. already: an earlier acknowledgement is kept (the first one wins). */
  status: z.enum(['acknowledged', 'already']),
  type: z.string(),
  acknowledgedBy: z.string(),
  acknowledgedAt: z.string(),
  ackNote: z.string().nullable(),
});
export type AckResponse = z.infer<typeof AckResponseSchema>;

export const EventIdParam = eventIdRule('event id');

export type AckOutcome =
  | { status: 'ok'; body: AckResponse; event: ChangeEvent }
  | { status: 'not-found'; message: string };

/**
 * Acknowledges the event: not found (unknown or expired id, or outside `inScope`), a bad request for
 * an event that is no alert (a recovery, held deletions), else the acknowledgement now kept.
 */
export async function acknowledge(
  store: Store,
  id: string,
  input: { by: string; note?: string | undefined; now: string },
  inScope: (e: ChangeEvent) => boolean = () => true,
): Promise<AckOutcome> {
  const idCheck = EventIdParam.safeParse(id);
  if (!idCheck.success) throw new BadRequestError(idCheck.error.issues[0]?.message ?? 'bad event id');
  const notFound = {
    status: 'not-found' as const,
    message: `event ${id} not found; expected an id from "events"`,
  };
  const result = await acknowledgeEvent(
    store,
    id,
    { acknowledgedBy: input.by, acknowledgedAt: input.now, ackNote: input.note ?? null },
    inScope,
  );
  if (result.status === 'missing') return notFound;
  const e = result.event;
  if (result.status === 'not-ackable')
    throw new BadRequestError(
      `event ${id} is a ${e.type}; only alerts (PEERING_FAILED, CONNECTION_DELETED, PEERING_STUCK, TARGET_STALE, TARGET_DENIED) can be acknowledged`,
    );
  return {
    status: 'ok',
    event: e,
    body: {
      eventId: id,
      status: result.status,
      type: e.type,
      acknowledgedBy: e.acknowledgedBy ?? input.by,
      acknowledgedAt: e.acknowledgedAt ?? input.now,
      ackNote: e.ackNote ?? null,
    },
  };
}

/** `POST /events/{id}/ack` with a JSON body `{ by?, note? }`: 200, 400 (bad id, body, type), 404. */
export async function postAck(
  store: Store,
  id: string,
  body: string | null | undefined,
  opts: { caller: string | null; now: string; inScope: (e: ChangeEvent) => boolean },
): Promise<{ status: number; body: unknown }> {
  let json: unknown = {};
  if (body !== null && body !== undefined && body.trim() !== '') {
    try {
      json = JSON.parse(body);
    } catch {
      throw new BadRequestError('body must be JSON: { "by"?: string, "note"?: string }');
    }
  }
  const parsed = AckBodySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadRequestError(
      issue?.code === 'unrecognized_keys'
        ? 'body takes only "by" and "note"'
        : issue?.code === 'invalid_type' && issue.path.length === 0
          ? 'body must be a JSON object: { "by"?: string, "note"?: string }'
          : (issue?.message ?? 'bad body'),
    );
  }
  const out = await acknowledge(
    store,
    id,
    { by: parsed.data.by ?? opts.caller ?? 'api', note: parsed.data.note, now: opts.now },
    opts.inScope,
  );
  return out.status === 'ok'
    ? { status: 200, body: out.body }
    : { status: 404, body: { error: out.message } };
}
