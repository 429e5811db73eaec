/**
 * Silences through the HTTP API (`GET /silences`, `POST /silences`, `POST /silences/{id}/expire`)
 * and the one `addSilence` the CLI calls too. The zod schemas are exported: they are the request
 * and response contract (the OpenAPI document is generated from them).
 */
import { z } from 'zod';
import { BadRequestError } from '../errors.ts';
import { type Silence, SilenceMatchSchema, SilenceSchema } from '../model/silence.ts';
import type { Store } from '../store/client.ts';
import { expireSilence, listSilences, newSilenceId, putSilence } from '../store/silences.ts';
import { firstIssue, silenceMatchProblem, silenceSelector, silenceUntil } from '../validate.ts';

/** The body of `POST /silences`; `match` is the CLI's selector text or the same as an object. */
export const SilenceCreateBody = z.strictObject(
  {
    match: z.union([z.string(), z.record(z.string(), z.string())], {
      message:
        'match must be a selector such as "target=cn-north-4:*,type=PEERING_FAILED" or an object of those keys',
    }),
    until: z.string({ message: 'until must be a duration such as 2h or an ISO-8601 time' }),
    reason: z
      .string({ message: 'reason must be a text of 1 to 500 characters' })
      .trim()
      .min(1, { message: 'reason must be a text of 1 to 500 characters' })
      .max(500, { message: 'reason must be a text of 1 to 500 characters' }),
    createdBy: z
      .string()
      .min(1, { message: 'createdBy must be 1 to 100 characters' })
      .max(100, { message: 'createdBy must be 1 to 100 characters' })
      .optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? 'the body has an unknown field; expected only match, until, reason, createdBy'
        : 'the body must be a JSON object with match, until and reason',
  },
);

/** `{id}` of `/silences/{id}/expire`: ids as newSilenceId makes them. */
export const SilenceIdParam = z
  .string()
  .regex(/^sil_[a-z0-9]{1,40}$/, { message: 'silence id must look like sil_… (see GET /silences)' });

/** A silence as listed: the stored fields plus whether it holds now. */
export const SilenceView = SilenceSchema.extend({ active: z.boolean() });
export const SilenceListResponse = z.object({ items: z.array(SilenceView) });

const view = (s: Silence, now: string) => ({ ...s, active: s.startsAt <= now && now < s.endsAt });

/** Validates and stores a new silence starting now; a bad field is a BadRequestError naming it. */
export async function addSilence(
  store: Store,
  input: unknown,
  now: number,
  names: { match: string; until: string } = { match: 'match', until: 'until' },
): Promise<Silence> {
  const body = SilenceCreateBody.safeParse(input);
  if (!body.success) throw new BadRequestError(firstIssue(body.error));
  const { match, until, reason, createdBy } = body.data;
  let selector: Record<string, string>;
  if (typeof match === 'string') {
    const parsed = silenceSelector(names.match).safeParse(match);
    if (!parsed.success) throw new BadRequestError(firstIssue(parsed.error));
    selector = parsed.data;
  } else {
    const problem = silenceMatchProblem(match, names.match);
    if (problem) throw new BadRequestError(problem);
    selector = match;
  }
  const end = silenceUntil(names.until, now).safeParse(until);
  if (!end.success) throw new BadRequestError(firstIssue(end.error));
  const silence: Silence = {
    id: newSilenceId(now),
    match: SilenceMatchSchema.parse(selector),
    startsAt: new Date(now).toISOString(),
    endsAt: end.data,
    reason,
    createdBy: createdBy ?? null,
  };
  await putSilence(store, silence);
  return silence;
}

export interface SilenceResponse {
  status: number;
  body: unknown;
}

/** Routes under /silences; `null` when the path is not one of them. */
export async function silenceRoute(
  store: Store,
  method: string,
  segments: readonly (string | undefined)[],
  body: unknown,
  now: number,
): Promise<SilenceResponse | null> {
  const [, id, action, ...rest] = segments;
  const iso = new Date(now).toISOString();
  if (rest.length > 0) return null;
  if (id === undefined) {
    if (method === 'GET') {
      const list: z.infer<typeof SilenceListResponse> = {
        items: (await listSilences(store)).map((s) => view(s, iso)),
      };
      return { status: 200, body: list };
    }
    if (method === 'POST') {
      const created = await addSilence(store, body, now);
      return { status: 201, body: view(created, iso) };
    }
    return notAllowed(method, 'GET or POST');
  }
  if (action !== 'expire') return null;
  if (method !== 'POST') return notAllowed(method, 'POST');
  const idCheck = SilenceIdParam.safeParse(id);
  if (!idCheck.success) throw new BadRequestError(firstIssue(idCheck.error));
  const expired = await expireSilence(store, id, iso);
  return expired
    ? { status: 200, body: view(expired, iso) }
    : { status: 404, body: { error: `silence ${id} not found` } };
}

const notAllowed = (method: string, allowed: string): SilenceResponse => ({
  status: 405,
  body: { error: `method ${method.slice(0, 10)} is not allowed here; expected ${allowed}` },
});

/** A request body as API Gateway hands it over (text, maybe base64) → JSON; bad JSON is a 400. */
export function parseJsonBody(body: string | null | undefined, base64: boolean | undefined): unknown {
  if (body === undefined || body === null || body === '') return undefined;
  const text = base64 ? Buffer.from(body, 'base64').toString('utf8') : body;
  try {
    return JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the input: never passed on.
    throw new BadRequestError('the body is not valid JSON; expected a JSON object');
  }
}
