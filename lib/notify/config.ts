/**
 * Notification configuration: the channel list (NOTIFY_CHANNELS, a secret) and the notifier's
 * options. Receives the environment as an argument, like lib/config.ts; never reads process.env.
 *
 * Every webhook URL and secret is a credential: no error message here ever contains one, nor any
 * part of the raw JSON (a JSON.parse message can quote the input, so it is never passed on).
 */

import { z } from 'zod';
import { type Env, intVar } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { EVENT_TYPES, type EventType } from '../model/schemas.ts';
import { parseTargetSpec } from '../model/target.ts';
import { secureUrlProblem, ssmParameterName } from '../validate.ts';
import { allowPrivateHosts, type DestinationPolicy, destinationProblem } from './destinations.ts';

export const CHANNEL_TYPES = [
  'slack',
  'teams',
  'feishu',
  'dingtalk',
  'wecom',
  'discord',
  'googlechat',
  'webhook',
  'pagerduty',
  'jsm',
] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** Platforms whose payload carries a signature made with `secret`. */
const SIGNED: ReadonlySet<ChannelType> = new Set(['feishu', 'dingtalk', 'webhook']);
/**
 * Paging tools: `secret` is their credential (PagerDuty routing key, JSM API key), kept out of the
 * URL so the URL can name the documented endpoint and the key stays in the secret config.
 */
const PAGING: ReadonlySet<ChannelType> = new Set(['pagerduty', 'jsm']);

export const PD_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export const JSM_PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;
export const JSM_RESPONDER_TYPES = ['team', 'user', 'escalation', 'schedule'] as const;

export const DEFAULT_CONSOLE_URL =
  'https://console.huaweicloud.com/dli/?region={region}#/main/enhancedConnections';
export const CONSOLE_PLACEHOLDERS = [
  'region',
  'projectId',
  'connectionId',
  'connectionName',
  'queue',
] as const;

export interface ChannelConfig {
  /** Key of the channel's delivery record on event items; also what logs and errors name. */
  name: string;
  type: ChannelType;
  url: string;
  secret?: string | undefined;
  /** Only these event types; all when absent. */
  events?: EventType[] | undefined;
  /** region:projectId globs (`*` any run, `?` one character); all targets when absent. */
  targets?: string[] | undefined;
  /** More than this many events for the channel in one batch → one digest; 0 = never. */
  digestThreshold?: number | undefined;
  /** PEERING_RECOVERED messages; on unless false. */
  recovered: boolean;
  /** Reminders of open alerts (lib/sync/reminders.ts); on unless false. */
  reminders?: boolean | undefined;
  /** pagerduty: severity of every trigger; absent: by tone (channels/pagerduty.ts). */
  severity?: (typeof PD_SEVERITIES)[number] | undefined;
  /** jsm: priority of every alert; absent: by tone (channels/jsm.ts). */
  priority?: (typeof JSM_PRIORITIES)[number] | undefined;
  /** jsm: who the alert is routed to; absent: the integration's own routing. */
  responders?: { type: (typeof JSM_RESPONDER_TYPES)[number]; name: string }[] | undefined;
  /** The scheduled weekly report's one-line summary (lib/notify/weekly-post.ts); off unless true. */
  weeklyReport?: boolean | undefined;
}

/** Sending one chat message (the DLI client's RetryPolicy is per page of the API). */
export interface DeliveryRetryPolicy {
  /** HTTP attempts per message within one delivery. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A 429 asking to wait longer than this is not waited for: the delivery is retried later. */
  maxRetryAfterMs: number;
  timeoutMs: number;
}

export interface FlapPolicy {
  /** More than this many failures of one peering within the window is flapping. */
  threshold: number;
  windowMs: number;
}

export interface NotifyOptions {
  consoleUrlTemplate: string;
  /** null: flap suppression off. */
  flap: FlapPolicy | null;
  /** Default digest threshold for channels that set none; 0 = off. */
  digestThreshold: number;
  /** Deliveries (stream batch attempts) of one event to one channel before it is parked as failed. */
  maxDeliveryAttempts: number;
  retry: DeliveryRetryPolicy;
  /** NOTIFY_ALLOW_PRIVATE_HOSTS: posting to loopback/private addresses (local development only). */
  allowPrivateHosts: boolean;
  /** Target-wide outage rule (lib/notify/outage.ts); absent: DEFAULT_OUTAGE. */
  outage?: OutageSettings;
}

/**
 * A run's failures of one target become one outage message when there are at least `minPeerings`
 * of them (0 = rule off) and they are at least `share` of the target's peerings.
 */
export interface OutageSettings {
  minPeerings: number;
  share: number;
}

export const DEFAULT_OUTAGE: OutageSettings = { minPeerings: 5, share: 0.8 };

/** OUTAGE_SHARE: a fraction in (0, 1]; "0.8" means 80 % of the target's peerings. */
function shareVar(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw.trim());
  if (!/^\d*\.?\d+$/.test(raw.trim()) || !(n > 0 && n <= 1))
    throw new ConfigError(
      `${name} is "${raw.slice(0, 20)}"; expected a fraction above 0 and at most 1, e.g. 0.8`,
    );
  return n;
}

export const DEFAULT_RETRY: DeliveryRetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  timeoutMs: 10_000,
};

export const DEFAULT_OPTIONS: NotifyOptions = {
  consoleUrlTemplate: DEFAULT_CONSOLE_URL,
  flap: { threshold: 3, windowMs: 60 * 60_000 },
  digestThreshold: 10,
  maxDeliveryAttempts: 3,
  retry: DEFAULT_RETRY,
  allowPrivateHosts: false,
  outage: DEFAULT_OUTAGE,
};

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const GLOB_PART = /^[A-Za-z0-9_*?-]{1,64}$/;

/** Checks a webhook URL without ever quoting it: the URL is the secret for most platforms. */
function urlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'url is not a valid URL';
  }
  // The scheme and host are checked with the channel's type: destinationProblem, below.
  if (url.username || url.password) return 'url must not contain a user name or password';
  return null;
}

// Every message below is our own text: a zod default could one day quote the input, and the url and
// secret must never appear in an error. Unknown keys are not named either (a mangled JSON can turn a
// URL into a key).
const ChannelSchema = z
  .strictObject(
    {
      name: z.string().regex(NAME, { message: 'name must be 1-64 of A-Z a-z 0-9 _ -' }),
      type: z.enum(CHANNEL_TYPES, { message: `type must be one of ${CHANNEL_TYPES.join(', ')}` }),
      url: z.string({ message: 'url must be a string' }).superRefine((v, ctx) => {
        const problem = urlProblem(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
      secret: z
        .string({ message: 'secret must be a string' })
        .min(1, { message: 'secret must not be empty' })
        .optional(),
      events: z
        .array(z.enum(EVENT_TYPES, { message: `events must be a list of ${EVENT_TYPES.join(', ')}` }), {
          message: `events must be a list of ${EVENT_TYPES.join(', ')}`,
        })
        .min(1, { message: 'events must list at least one event type (omit it for all)' })
        .optional(),
      targets: z
        .array(
          z.string({ message: 'targets entries must be strings' }).refine(
            (t) => {
              const spec = t === '*' ? null : parseTargetSpec(t);
              return (
                t === '*' || (spec !== null && GLOB_PART.test(spec.region) && GLOB_PART.test(spec.projectId))
              );
            },
            {
              message: 'targets entries must be region:projectId globs such as cn-north-4:* or *',
            },
          ),
          { message: 'targets must be a list of region:projectId globs' },
        )
        .min(1, { message: 'targets must list at least one glob (omit it for all)' })
        .optional(),
      digestThreshold: z
        .number({ message: 'digestThreshold must be a number' })
        .int({ message: 'digestThreshold must be a whole number' })
        .min(0, { message: 'digestThreshold must be 0 (off) or more' })
        .max(1000, { message: 'digestThreshold must be at most 1000' })
        .optional(),
      recovered: z.boolean({ message: 'recovered must be true or false' }).default(true),
      reminders: z.boolean({ message: 'reminders must be true or false' }).optional(),
      severity: z
        .enum(PD_SEVERITIES, { message: `severity must be one of ${PD_SEVERITIES.join(', ')}` })
        .optional(),
      priority: z
        .enum(JSM_PRIORITIES, { message: `priority must be one of ${JSM_PRIORITIES.join(', ')}` })
        .optional(),
      responders: z
        .array(
          z.strictObject(
            {
              type: z.enum(JSM_RESPONDER_TYPES, {
                message: `responders type must be one of ${JSM_RESPONDER_TYPES.join(', ')}`,
              }),
              name: z
                .string({ message: 'responders name must be a string' })
                .min(1, { message: 'responders name must not be empty' })
                .max(100, { message: 'responders name must be at most 100 characters' }),
            },
            { error: 'responders entries must be objects with only type and name' },
          ),
          { message: 'responders must be a list of {"type","name"} objects' },
        )
        .min(1, { message: 'responders must list at least one responder (omit it for the default)' })
        .max(50, { message: 'responders must list at most 50 responders' })
        .optional(),
      weeklyReport: z.boolean({ message: 'weeklyReport must be true or false' }).optional(),
    },
    {
      error:
        'has an unknown field; expected only name, type, url, secret, events, targets, digestThreshold, recovered, reminders, severity, priority, responders, weeklyReport',
    },
  )
  .superRefine((c, ctx) => {
    if (c.type === 'webhook' && !c.secret) {
      ctx.addIssue({
        code: 'custom',
        path: ['secret'],
        message: 'type webhook needs a secret to sign its requests',
      });
    }
    if (PAGING.has(c.type) && !c.secret) {
      ctx.addIssue({
        code: 'custom',
        path: ['secret'],
        message:
          c.type === 'pagerduty'
            ? 'type pagerduty needs a secret: the Events API v2 integration (routing) key'
            : 'type jsm needs a secret: the API integration key (sent as GenieKey)',
      });
    }
    if (c.secret && !SIGNED.has(c.type) && !PAGING.has(c.type)) {
      ctx.addIssue({
        code: 'custom',
        path: ['secret'],
        message: `secret is used only by feishu, dingtalk, webhook, pagerduty and jsm; ${c.type} has no signing (its URL is the secret)`,
      });
    }
    if (c.severity !== undefined && c.type !== 'pagerduty')
      ctx.addIssue({
        code: 'custom',
        path: ['severity'],
        message: 'severity is used only by type pagerduty',
      });
    // A paging tool would open an incident for a report nobody has to act on.
    if (c.weeklyReport === true && PAGING.has(c.type))
      ctx.addIssue({
        code: 'custom',
        path: ['weeklyReport'],
        message: `weeklyReport is for chat channels; ${c.type} would open an incident for it`,
      });
    for (const field of ['priority', 'responders'] as const) {
      if (c[field] !== undefined && c.type !== 'jsm')
        ctx.addIssue({ code: 'custom', path: [field], message: `${field} is used only by type jsm` });
    }
  });

/**
 * Parses the channel list. `variable` names where the JSON came from (NOTIFY_CHANNELS, or the SSM
 * parameter) so the message says what to fix.
 */
export function parseChannels(
  json: string | undefined,
  variable = 'NOTIFY_CHANNELS',
  policy: DestinationPolicy = { allowPrivateHosts: false },
): ChannelConfig[] {
  if (json === undefined || json.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ConfigError(
      `${variable} is not valid JSON; expected an array such as [{"name":"ops","type":"slack","url":"https://hooks.slack.com/services/…"}]`,
    );
  }
  if (!Array.isArray(value)) throw new ConfigError(`${variable} must be a JSON array of channel objects`);
  const seen = new Set<string>();
  return value.map((entry, i) => {
    const rawName =
      entry && typeof entry === 'object' && typeof entry.name === 'string' && NAME.test(entry.name)
        ? entry.name
        : null;
    const where = `${variable}[${i}]${rawName ? ` ("${rawName}")` : ''}`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry))
      throw new ConfigError(`${where} must be an object`);
    const parsed = ChannelSchema.safeParse(entry);
    if (!parsed.success) {
      throw new ConfigError(`${where}: ${parsed.error.issues[0]?.message ?? 'is not a valid channel'}`);
    }
    const destination = destinationProblem(parsed.data.type, new URL(parsed.data.url), policy);
    if (destination) throw new ConfigError(`${where}: ${destination}`);
    if (seen.has(parsed.data.name))
      throw new ConfigError(`${where}: name is used twice; expected unique channel names`);
    seen.add(parsed.data.name);
    return parsed.data;
  });
}

/** Fills a console URL template; values are URL-encoded so data can never change the link's shape. */
export function fillTemplate(
  template: string,
  values: Record<(typeof CONSOLE_PLACEHOLDERS)[number], string>,
): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in values ? encodeURIComponent(values[key as keyof typeof values]) : whole,
  );
}

export function parseConsoleTemplate(value: string | undefined): string {
  if (value === undefined || value === '') return DEFAULT_CONSOLE_URL;
  const unknown = [...value.matchAll(/\{(\w*)\}/g)]
    .map((m) => m[1] ?? '')
    .filter((k) => !(CONSOLE_PLACEHOLDERS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new ConfigError(
      `NOTIFY_CONSOLE_URL has unknown placeholder {${unknown[0]?.slice(0, 30)}}; expected only ${CONSOLE_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`,
    );
  }
  const sample = fillTemplate(value, {
    region: 'r',
    projectId: 'p',
    connectionId: 'c',
    connectionName: 'n',
    queue: 'q',
  });
  let url: URL;
  try {
    url = new URL(sample);
  } catch {
    throw new ConfigError(
      'NOTIFY_CONSOLE_URL is not a URL template; expected e.g. https://console.huaweicloud.com/dli/?region={region}',
    );
  }
  const insecure = secureUrlProblem(url);
  if (insecure) throw new ConfigError(`NOTIFY_CONSOLE_URL ${insecure}`);
  return value;
}

export function loadNotifyOptions(env: Env): NotifyOptions {
  const flapThreshold = intVar(env, 'NOTIFY_FLAP_THRESHOLD', 3, 0, 1000);
  return {
    consoleUrlTemplate: parseConsoleTemplate(env.NOTIFY_CONSOLE_URL),
    flap:
      flapThreshold === 0
        ? null
        : {
            threshold: flapThreshold,
            windowMs: intVar(env, 'NOTIFY_FLAP_WINDOW_MINUTES', 60, 1, 7 * 24 * 60) * 60_000,
          },
    digestThreshold: intVar(env, 'NOTIFY_DIGEST_THRESHOLD', 10, 0, 1000),
    maxDeliveryAttempts: intVar(env, 'NOTIFY_MAX_DELIVERY_ATTEMPTS', 3, 1, 100),
    retry: {
      ...DEFAULT_RETRY,
      timeoutMs: intVar(env, 'NOTIFY_HTTP_TIMEOUT_SECONDS', 10, 1, 120) * 1000,
      maxRetryAfterMs: intVar(env, 'NOTIFY_MAX_RETRY_AFTER_SECONDS', 60, 0, 900) * 1000,
    },
    allowPrivateHosts: allowPrivateHosts(env),
    outage: {
      minPeerings: intVar(env, 'OUTAGE_MIN_PEERINGS', DEFAULT_OUTAGE.minPeerings, 0, 100_000),
      share: shareVar(env, 'OUTAGE_SHARE', DEFAULT_OUTAGE.share),
    },
  };
}

export interface ChannelSource {
  /** Name of an SSM SecureString parameter holding the channel JSON; wins over `json`. */
  parameter: string | null;
  json: string | undefined;
  /** NOTIFY_ALLOW_PRIVATE_HOSTS (lib/notify/destinations.ts); absent = false. */
  allowPrivateHosts?: boolean;
}

/** Where the channel list comes from; the SSM read itself is in ssm.ts (I/O). */
export function channelSource(env: Env): ChannelSource {
  return {
    parameter: ssmParameterName(env.NOTIFY_CHANNELS_PARAMETER, 'NOTIFY_CHANNELS_PARAMETER'),
    json: env.NOTIFY_CHANNELS,
    allowPrivateHosts: allowPrivateHosts(env),
  };
}
