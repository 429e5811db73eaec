/**
 * Stand-ins for the paging tools, to plug into the webhook sink (`sink.on(path, pd.responder)`):
 * each checks a request the way the real service does (zod over the documented fields, enums and
 * lengths; the credential), answers like it (202 + body; 400/401/422 with its error shape; 429 when
 * told to throttle), and keeps the state of each incident/alert by its key, so a test can say "the
 * recovery resolved the incident the failure opened". Limits: PagerDuty Events API v2 and the JSM
 * Ops / Opsgenie alert API, as in /work/shared/reference/chat-webhooks.md.
 */
import { z } from 'zod';
import type { Responder, SinkReply, SinkRequest } from './webhook-sink.ts';

const json = (status: number, body: unknown): SinkReply => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const issues = (e: z.ZodError): string[] =>
  e.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);

// --- PagerDuty Events API v2 ------------------------------------------------------------------------

const PdEvent = z.discriminatedUnion('event_action', [
  z.object({
    routing_key: z.string().min(1),
    event_action: z.literal('trigger'),
    dedup_key: z.string().min(1).max(255).optional(),
    payload: z.object({
      summary: z.string().min(1).max(1024),
      source: z.string().min(1),
      severity: z.enum(['critical', 'error', 'warning', 'info']),
      timestamp: z.iso.datetime({ offset: true }).optional(),
      component: z.string().optional(),
      group: z.string().optional(),
      class: z.string().optional(),
      custom_details: z.record(z.string(), z.unknown()).optional(),
    }),
    links: z.array(z.object({ href: z.url(), text: z.string().optional() })).optional(),
    images: z.array(z.object({ src: z.url() })).optional(),
    client: z.string().optional(),
    client_url: z.url().optional(),
  }),
  ...(['acknowledge', 'resolve'] as const).map((action) =>
    z.object({
      routing_key: z.string().min(1),
      event_action: z.literal(action),
      dedup_key: z.string().min(1).max(255),
    }),
  ),
]);

export interface Incident {
  status: 'triggered' | 'acknowledged' | 'resolved';
  /** Incidents opened under this key (a trigger after a resolve opens a new one). */
  opened: number;
  /** Every accepted event for the key, in order. */
  actions: ('trigger' | 'acknowledge' | 'resolve')[];
  severity: string | null;
  summary: string | null;
}

export interface PaceCheck {
  /** Requests answered 429 (told to, or over the sink's own rate limit). */
  throttled: number;
  /** Answer 429 to the next `n` requests. */
  throttle(n: number, retryAfterSeconds?: number): void;
}

export interface PagerDutySink extends PaceCheck {
  responder: Responder;
  incidents: Map<string, Incident>;
  /** Requests answered 400. */
  rejected: string[][];
}

export function pagerdutySink(opts: { routingKey: string }): PagerDutySink {
  const incidents = new Map<string, Incident>();
  const rejected: string[][] = [];
  let throttleNext = 0;
  let retryAfter: number | undefined;
  let seq = 0;
  const sink: PagerDutySink = {
    incidents,
    rejected,
    throttled: 0,
    throttle(n, seconds) {
      throttleNext = n;
      retryAfter = seconds;
    },
    responder(req: SinkRequest): SinkReply {
      if (throttleNext > 0) {
        throttleNext--;
        sink.throttled++;
        const reply = json(429, {
          status: 'throttle event',
          message: 'Requests for this service are arriving too quickly.',
        });
        return retryAfter === undefined
          ? reply
          : { ...reply, headers: { ...reply.headers, 'retry-after': String(retryAfter) } };
      }
      const parsed = PdEvent.safeParse(req.json);
      const errors = parsed.success
        ? parsed.data.routing_key === opts.routingKey
          ? []
          : ['Invalid routing key']
        : issues(parsed.error);
      if (!parsed.success || errors.length > 0) {
        rejected.push(errors);
        return json(400, { status: 'invalid event', message: 'Event object is invalid', errors });
      }
      const e = parsed.data;
      const key = e.dedup_key ?? `generated-${++seq}`;
      const before = incidents.get(key);
      const open = before !== undefined && before.status !== 'resolved';
      const next: Incident = before ?? {
        status: 'triggered',
        opened: 0,
        actions: [],
        severity: null,
        summary: null,
      };
      next.actions.push(e.event_action);
      if (e.event_action === 'trigger') {
        if (!open) {
          next.opened++;
          next.status = 'triggered';
        }
        next.severity = e.payload.severity;
        next.summary = e.payload.summary;
      } else if (open) {
        next.status = e.event_action === 'resolve' ? 'resolved' : 'acknowledged';
      }
      incidents.set(key, next);
      return json(202, { status: 'success', message: 'Event processed', dedup_key: key });
    },
  };
  return sink;
}

// --- JSM Ops / Opsgenie alert API ---------------------------------------------------------------------

const Responders = z.array(
  z.object({
    type: z.enum(['team', 'user', 'escalation', 'schedule']),
    name: z.string().optional(),
    id: z.string().optional(),
    username: z.string().optional(),
  }),
);

const JsmCreate = z.object({
  message: z.string().min(1).max(130),
  alias: z.string().min(1).max(512).optional(),
  description: z.string().max(15_000).optional(),
  responders: Responders.max(50).optional(),
  visibleTo: Responders.max(50).optional(),
  actions: z.array(z.string().max(50)).max(10).optional(),
  tags: z.array(z.string().max(50)).max(20).optional(),
  details: z.record(z.string(), z.string()).optional(),
  entity: z.string().max(512).optional(),
  source: z.string().max(100).optional(),
  priority: z.enum(['P1', 'P2', 'P3', 'P4', 'P5']).optional(),
  user: z.string().max(100).optional(),
  note: z.string().max(25_000).optional(),
});

const JsmAction = z.object({
  user: z.string().max(100).optional(),
  source: z.string().max(100).optional(),
  note: z.string().max(25_000).optional(),
});

export interface JsmAlert {
  status: 'open' | 'acked' | 'closed';
  /** Alerts created under this alias (a create after a close opens a new one). */
  opened: number;
  /** Creates while open only raise the count (the tool's deduplication). */
  count: number;
  actions: ('create' | 'acknowledge' | 'close')[];
  priority: string | null;
  message: string | null;
}

export interface JsmSink extends PaceCheck {
  responder: Responder;
  alerts: Map<string, JsmAlert>;
  rejected: string[][];
}

export function jsmSink(opts: { apiKey: string }): JsmSink {
  const alerts = new Map<string, JsmAlert>();
  const rejected: string[][] = [];
  let throttleNext = 0;
  let retryAfter: number | undefined;
  let seq = 0;
  const answer = () =>
    json(202, { result: 'Request will be processed', took: 0.01, requestId: `req-${++seq}` });
  const sink: JsmSink = {
    alerts,
    rejected,
    throttled: 0,
    throttle(n, seconds) {
      throttleNext = n;
      retryAfter = seconds;
    },
    responder(req: SinkRequest): SinkReply {
      if (throttleNext > 0) {
        throttleNext--;
        sink.throttled++;
        const reply = json(429, { message: 'Too many requests', took: 0, requestId: 'throttled' });
        return retryAfter === undefined
          ? reply
          : { ...reply, headers: { ...reply.headers, 'retry-after': String(retryAfter) } };
      }
      if (req.method !== 'POST') return json(405, { message: 'Method not allowed', took: 0 });
      if (req.headers.authorization !== `GenieKey ${opts.apiKey}`) {
        rejected.push(['authorization']);
        return json(401, { message: 'Could not authenticate', took: 0, requestId: 'auth' });
      }
      // {base}/{alias}/acknowledge|close?identifierType=alias; the base is the path the sink is mounted on.
      const action = /\/([^/]+)\/(acknowledge|close)$/.exec(req.path);
      if (action) {
        const parsed = JsmAction.safeParse(req.json ?? {});
        if (!parsed.success || req.query.get('identifierType') !== 'alias') {
          const errors = parsed.success ? ['identifierType: must be alias'] : issues(parsed.error);
          rejected.push(errors);
          return json(422, {
            message: 'Request body is not processable. Please check the errors.',
            errors,
            took: 0,
          });
        }
        const alias = decodeURIComponent(action[1] ?? '');
        const alert = alerts.get(alias);
        // Asynchronous like the real API: 202 even when no alert has the alias (nothing happens).
        if (alert && alert.status !== 'closed') {
          alert.status = action[2] === 'close' ? 'closed' : 'acked';
          alert.actions.push(action[2] === 'close' ? 'close' : 'acknowledge');
        }
        return answer();
      }
      const parsed = JsmCreate.safeParse(req.json);
      if (!parsed.success) {
        const errors = issues(parsed.error);
        rejected.push(errors);
        return json(422, {
          message: 'Request body is not processable. Please check the errors.',
          errors,
          took: 0,
        });
      }
      const c = parsed.data;
      const alias = c.alias ?? `generated-${seq + 1}`;
      const before = alerts.get(alias);
      const alert: JsmAlert =
        before && before.status !== 'closed'
          ? before
          : {
              status: 'open',
              opened: (before?.opened ?? 0) + 1,
              count: 0,
              actions: before?.actions ?? [],
              priority: null,
              message: null,
            };
      alert.count++;
      alert.actions.push('create');
      alert.priority = c.priority ?? 'P3';
      alert.message = c.message;
      alerts.set(alias, alert);
      return answer();
    },
  };
  return sink;
}

// --- A chat platform's per-minute limit ------------------------------------------------------------

/**
 * A responder that answers `ok` while at most `limit` requests arrived in the last `windowMs`
 * (sliding, by the given clock) and `limited` beyond: DingTalk's 20/min with errcode 130101, say.
 */
export function perMinuteLimit(opts: {
  limit: number;
  windowMs?: number;
  now: () => number;
  ok: SinkReply;
  limited: SinkReply;
}): Responder & { throttled: number; accepted: number } {
  const times: number[] = [];
  const windowMs = opts.windowMs ?? 60_000;
  const responder = Object.assign(
    (): SinkReply => {
      const now = opts.now();
      while (times.length > 0 && (times[0] ?? 0) <= now - windowMs) times.shift();
      if (times.length >= opts.limit) {
        responder.throttled++;
        return opts.limited;
      }
      times.push(now);
      responder.accepted++;
      return opts.ok;
    },
    { throttled: 0, accepted: 0 },
  );
  return responder;
}
