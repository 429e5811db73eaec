/**
 * Every input rule, written once: configuration (lib/config.ts, lib/notify/config.ts), the HTTP API's
 * parameters (lib/api/params.ts), the CLI's flags (bin/flags.ts) and the store's own guards all use
 * these. Each message is one line naming what is wrong and what is expected, and never quotes a value
 * that could be a secret (URLs, parameter values).
 *
 * `name` arguments are what the caller calls the input: `DLI_ENDPOINT`, `--limit`, `limit`.
 */
import { z } from 'zod';
import { BadRequestError, ConfigError } from './errors.ts';
import { EVENT_TYPES } from './model/schemas.ts';
import { CONNECTION_STATUSES, PEERING_STATUSES } from './model/status.ts';

// ---- Huawei Cloud identifiers ----

/**
 * Huawei region ids: `cn-north-4`, `ap-southeast-1`, `eu-west-101`, `cn-southwest-2`, `la-north-2`:
 * words, then a number. Every region of the official Go SDK's DLI region list has this shape.
 */
export const REGION = /^[a-z]{2,}(-[a-z]+)+-\d{1,3}$/;
export const REGION_EXPECTED = 'a Huawei Cloud region id such as cn-north-4';
/** Project ids are 32 hex characters on Huawei Cloud; test setups use shorter names. */
export const PROJECT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export const regionSchema = (name: string) =>
  z.string().regex(REGION, { message: `${name} must be ${REGION_EXPECTED}` });
export const projectIdSchema = (name: string) =>
  z.string().regex(PROJECT_ID, { message: `${name} must be a project id (1-64 of A-Z a-z 0-9 _ -)` });

/** Regions served from the `.eu` sovereign domain instead of `myhuaweicloud.com` (the
 * official SDKs' region lists, e.g. huaweicloud-sdk-go-v3 services/dli/v1/region/region.go). */
const EU_DOMAIN_REGIONS = new Set(['eu-west-101']);

/** `https://{service}.{region}.myhuaweicloud.com`, `.eu` for eu-west-101: the one default endpoint rule. */
export function defaultEndpoint(service: 'dli' | 'iam', region: string): string {
  if (!REGION.test(region)) throw new ConfigError(`region must be ${REGION_EXPECTED}`);
  const domain = EU_DOMAIN_REGIONS.has(region) ? 'myhuaweicloud.eu' : 'myhuaweicloud.com';
  return `https://${service}.${region}.${domain}`;
}

// ---- endpoints ----

/** 127.0.0.0/8, localhost and [::1] (as URL parses them): the only hosts we talk plain http to. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** A URL that may carry credentials (AK/SK headers, webhook tokens): https, or http to loopback. */
export function secureUrlProblem(url: URL): string | null {
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) return null;
  return 'must use https (plain http only to a loopback address: 127.0.0.0/8, localhost or [::1])';
}

/**
 * An API endpoint (DLI_ENDPOINT, the IAM endpoint, a target's endpoint) → its origin. Credentials
 * travel in headers, so anything but https is refused unless it stays on this machine. Only an
 * origin: the client builds every path itself, so a path here would be silently ignored. The value
 * is never quoted (an operator may paste a URL with a password in it).
 */
export function parseEndpoint(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      `${name} is not an absolute URL; expected e.g. https://dli.cn-north-4.myhuaweicloud.com`,
    );
  }
  const insecure = secureUrlProblem(url);
  if (insecure) throw new ConfigError(`${name} ${insecure}`);
  if (
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    (url.pathname !== '/' && url.pathname !== '')
  ) {
    throw new ConfigError(
      `${name} must be a bare origin such as https://dli.cn-north-4.myhuaweicloud.com, without credentials, path or query`,
    );
  }
  return url.origin;
}

// ---- times and numbers ----

const ISO_SHAPE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/;

/** An ISO-8601 date or instant → the canonical UTC instant (what sort keys hold). */
export const isoInstant = (name: string) =>
  z
    .string()
    .refine((s) => ISO_SHAPE.test(s) && !Number.isNaN(Date.parse(s)), {
      message: `${name} must be an ISO-8601 time, e.g. 2026-11-28T10:00:00Z`,
    })
    .transform((s) => new Date(s).toISOString());

/** A whole number from `min` to `max` given as text (a flag, a parameter, a variable). */
export const wholeNumber = (name: string, min: number, max: number) => {
  const message = `${name} must be a whole number from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d{1,15}$/, { message })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { message });
};

/** A page size or count limit: a whole number from 1 to `max`. */
export const positiveLimit = (name: string, max: number) => wholeNumber(name, 1, max);

// ---- statuses ----

// The status values themselves are lib/model/status.ts's.

/** Case-insensitive, like the API (`Active` = `ACTIVE`); a peering status given for connections says where to look. */
export const connectionStatus = (name: string) =>
  z
    .string()
    .transform((s) => s.toUpperCase())
    .superRefine((s, ctx) => {
      if ((CONNECTION_STATUSES as readonly string[]).includes(s)) return;
      const hint = (PEERING_STATUSES as readonly string[]).includes(s)
        ? `; ${s} is a peering status: dli-sync peerings --status ${s} (or GET /peerings?status=${s}) lists those peerings`
        : '';
      ctx.addIssue({
        code: 'custom',
        message: `${name} must be one of ${CONNECTION_STATUSES.join(', ')}${hint}`,
      });
    })
    .pipe(z.enum(CONNECTION_STATUSES));

export const peeringStatus = (name: string) =>
  z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(PEERING_STATUSES, { message: `${name} must be one of ${PEERING_STATUSES.join(', ')}` }));

// ---- ids and names ----

/**
 * A connection id is a DynamoDB key (`CONN#{id}`). The sync stores any id DLI sends up to 255
 * characters (lib/dli/schema.ts quarantines longer ones: past that it cannot be a UUID and the key
 * could exceed DynamoDB's limit), so every reader accepts exactly that: a shorter limit would make
 * stored connections unreachable, a longer one would only pass DynamoDB a key it refuses.
 */
export const MAX_ID_LENGTH = 255;
export const connectionId = (name: string) =>
  z
    .string()
    .min(1, { message: `${name} must be 1 to ${MAX_ID_LENGTH} characters (a DLI id is a UUID)` })
    .max(MAX_ID_LENGTH, { message: `${name} must be 1 to ${MAX_ID_LENGTH} characters (a DLI id is a UUID)` });

/** Event ids as lib/model/event-id.ts makes them (`evt_` + hash). */
export const eventId = (name: string) =>
  z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { message: `${name} must be an event id such as evt_…` });

/**
 * An SSM parameter name: a path. The leading slash keeps the IAM resource ARN
 * (…:parameter/dli-sync/…) the one serverless.yml grants; SSM allows 2,048 characters.
 */
export const SSM_PARAMETER_NAME = /^\/[A-Za-z0-9_.\-/]{1,2047}$/;

/** The parameter an environment variable names; null when unset. */
export function ssmParameterName(value: string | undefined, variable: string): string | null {
  const name = value?.trim();
  if (!name) return null;
  if (!SSM_PARAMETER_NAME.test(name)) {
    throw new ConfigError(
      `${variable} is not an SSM parameter name; expected a path such as /dli-sync/prod/targets`,
    );
  }
  return name;
}

// ---- cursors ----

export const INVALID_CURSOR = 'cursor is not valid; expected the cursor value returned by the previous page';
/** Longer than any cursor we hand out (a DynamoDB key of at most ~2 KB, base64url-encoded, wrapped once). */
const MAX_CURSOR_CHARS = 4096;

export const cursorParam = z.string().max(MAX_CURSOR_CHARS, { message: 'cursor is too long' });

/** The one cursor codec: JSON in base64url. Opaque to callers; never trusted when it comes back. */
export const encodeCursor = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

/** A cursor a caller passed back, checked against what the issuer put in; anything else is a 400. */
export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T {
  if (cursor.length > MAX_CURSOR_CHARS) throw new BadRequestError(INVALID_CURSOR);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new BadRequestError(INVALID_CURSOR);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new BadRequestError(INVALID_CURSOR);
  return parsed.data;
}

// ---- reporting ----

/** A zod failure as one line: the first issue's message (ours always name the input). */
export function firstIssue(err: z.ZodError, fallback = 'invalid value'): string {
  return err.issues[0]?.message ?? fallback;
}

/** `schema.parse` whose failure is a BadRequestError (a caller's request) with one line. */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new BadRequestError(firstIssue(r.error));
  return r.data;
}

/** A target as commands take it, `region:projectId` (lib/model/target.ts), each part checked. */
export const targetSpecSchema = (name: string) =>
  z.string().refine(
    (s) => {
      const [region = '', projectId = '', ...rest] = s.split(':');
      return rest.length === 0 && REGION.test(region) && PROJECT_ID.test(projectId);
    },
    { message: `${name} must be region:projectId, e.g. cn-north-4:0a1b2c` },
  );
// ---- silences ----

const SELECTOR_KEYS = ['target', 'connection', 'queue', 'type'] as const;
const SELECTOR_EXPECTED = `key=value pairs joined by commas, keys ${SELECTOR_KEYS.join(', ')}, e.g. target=cn-north-4:*,type=PEERING_FAILED`;
const GLOB_TARGET = /^[A-Za-z0-9_*?-]+:[A-Za-z0-9_*?-]+$/;

/**
 * What is wrong with a selector, or null: a `target` must be a `region:projectId` glob, a `type` an
 * event type, and at least one key must be given (an empty selector would silence everything by
 * accident; `target=*:*` says so on purpose).
 */
export function silenceMatchProblem(m: Partial<Record<string, string>>, name: string): string | null {
  const given = Object.entries(m).filter(([, v]) => v !== undefined);
  if (given.length === 0) return `${name} must name at least one key; expected ${SELECTOR_EXPECTED}`;
  for (const [k, v] of given) {
    if (!(SELECTOR_KEYS as readonly string[]).includes(k))
      return `${name} has an unknown key "${k.slice(0, 40)}"; expected ${SELECTOR_EXPECTED}`;
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_ID_LENGTH)
      return `${name}: ${k} must be 1 to ${MAX_ID_LENGTH} characters`;
    if (k === 'target' && !GLOB_TARGET.test(v))
      return `${name}: target must be a region:projectId glob such as cn-north-4:* or *:0a1b2c`;
    if (k === 'type' && !(EVENT_TYPES as readonly string[]).includes(v))
      return `${name}: type must be one of ${EVENT_TYPES.join(', ')}`;
  }
  return null;
}

/** `--match` text → a selector object; a bad pair is a one-line error naming it. */
export const silenceSelector = (name: string) =>
  z.string().transform((text, ctx): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const pair of text.split(',')) {
      const at = pair.indexOf('=');
      const key = at < 0 ? pair.trim() : pair.slice(0, at).trim();
      // Event types are words people type in any case; the others are names and globs, kept as typed.
      const raw = at < 0 ? '' : pair.slice(at + 1).trim();
      const value = key === 'type' ? raw.toUpperCase() : raw;
      let problem: string | null = null;
      if (at < 0 || key === '' || value === '')
        problem = `${name}: "${pair.slice(0, 40)}" is not key=value; expected ${SELECTOR_EXPECTED}`;
      else if (Object.hasOwn(out, key)) problem = `${name} gives ${key.slice(0, 40)} twice`;
      else problem = silenceMatchProblem({ [key]: value }, name);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      out[key] = value;
    }
    return out;
  });

const DURATION = /^(\d{1,6})([mhd])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** A silence longer than a year is a mistake, not a plan. */
export const MAX_SILENCE_MS = 366 * UNIT_MS.d;

/**
 * `--until`: a duration from `now` (`90m`, `2h`, `1d`) or an ISO-8601 time → the end as a UTC
 * instant, which must be after `now` and within a year.
 */
export const silenceUntil = (name: string, now: number) => {
  const message = `${name} must be a duration such as 90m, 2h, 1d or an ISO-8601 time such as 2026-11-28T10:00:00Z, in the future and within a year`;
  return z.string().transform((s, ctx): string => {
    const d = DURATION.exec(s.trim());
    const at = d
      ? now + Number(d[1]) * UNIT_MS[d[2] as keyof typeof UNIT_MS]
      : ISO_SHAPE.test(s)
        ? Date.parse(s)
        : Number.NaN;
    if (Number.isNaN(at) || at <= now || at - now > MAX_SILENCE_MS) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return new Date(at).toISOString();
  });
};
