/**
 * What a notification says, before any platform's markup: built from change events, pure. Every
 * string here is raw (unescaped); the channel renderers escape and truncate for their platform.
 */

import { createHash } from 'node:crypto';
import { alertKey } from '../model/alert-key.ts';
import { peeringLabel } from '../model/peering-key.ts';
import type { ChangeEvent } from '../model/schemas.ts';
import { targetLabel, targetSpec } from '../model/target.ts';
import { fillTemplate } from './config.ts';

export type Tone = 'failure' | 'recovery' | 'deletion' | 'flapping' | 'digest';

export interface Fact {
  label: string;
  value: string;
}

export interface Message {
  /** Idempotency key: the event id, or the digest id. DingTalk msgUuid, webhook Idempotency-Key. */
  key: string;
  kind: 'event' | 'flapping' | 'digest';
  tone: Tone;
  /** One line, what happened, with names. */
  title: string;
  /** One sentence for previews and fallbacks. */
  summary: string;
  facts: Fact[];
  /** The DLI err_msg, as long as it came. */
  error: string | null;
  /** A remark: the alert a recovery closes, why a flapping message stands for several. */
  note: string | null;
  /** Digest lines, one per event. */
  lines: string[];
  link: { label: string; url: string } | null;
  /** ISO time the message is about (newest event). */
  at: string;
  /** The events it stands for, as the generic webhook carries them. */
  events: ChangeEvent[];
  /**
   * For paging tools (PagerDuty, JSM): what this message does to the alert named by `alertKey`
   * (lib/model/alert-key.ts). Absent: a chat-only message (digest, flapping) with no paging meaning.
   */
  action?: 'trigger' | 'acknowledge' | 'resolve';
  alertKey?: string;
}

/** The failure alert a recovery closes, found in the connection's history (flap.ts). */
export interface OriginalAlert {
  id: string;
  at: string;
}

const KIND_LABEL = { queue: 'queue', elasticResourcePool: 'elastic resource pool' } as const;

const kindLabel = (e: ChangeEvent): string => (e.resourceKind ? KIND_LABEL[e.resourceKind] : 'queue');
const connName = (e: ChangeEvent): string => e.connectionName ?? e.connectionId ?? '?';
/** The queue's name, or `(peer <peerId>)` for an entry the API listed without one. */
const queueName = (e: ChangeEvent): string => peeringLabel(e, e.peeringKey);

export function consoleUrl(template: string, e: ChangeEvent): string {
  return fillTemplate(template, {
    region: e.region,
    projectId: e.projectId,
    connectionId: e.connectionId ?? '',
    connectionName: e.connectionName ?? '',
    queue: e.queue ?? '',
  });
}

const LINK_LABEL = 'Open in Huawei Cloud console';

function eventFacts(e: ChangeEvent): Fact[] {
  return [
    ...(e.connectionId === null
      ? []
      : [
          {
            label: 'Connection',
            value: e.connectionName ? `${e.connectionName} (${e.connectionId})` : e.connectionId,
          },
        ]),
    ...(e.type !== 'CONNECTION_DELETED' && e.type !== 'DELETIONS_HELD'
      ? [{ label: kindLabel(e) === 'queue' ? 'Queue' : 'Elastic resource pool', value: queueName(e) }]
      : []),
    { label: 'Region', value: e.region },
    { label: 'Project', value: e.projectId },
    e.type === 'DELETIONS_HELD'
      ? { label: 'Held deletions', value: String(e.heldDeletions ?? '?') }
      : { label: 'Status', value: `${e.previousStatus ?? '(first seen)'} → ${e.status}` },
    { label: 'Detected at', value: e.detectedAt },
    { label: 'Event', value: e.id },
  ];
}

export function eventMessage(
  e: ChangeEvent,
  ctx: { consoleUrlTemplate: string; original?: OriginalAlert | null },
): Message {
  const common = {
    key: e.id,
    kind: 'event' as const,
    facts: eventFacts(e),
    lines: [],
    link: { label: LINK_LABEL, url: consoleUrl(ctx.consoleUrlTemplate, e) },
    at: e.detectedAt,
    events: [e],
    // A recovery closes what its failure opened: both carry the peering's one alert key.
    action: e.type === 'PEERING_RECOVERED' ? ('resolve' as const) : ('trigger' as const),
    alertKey: alertKey(e),
  };
  switch (e.type) {
    case 'PEERING_FAILED':
      return {
        ...common,
        tone: 'failure',
        title: `Peering failed: ${connName(e)} ↔ ${queueName(e)}`,
        summary: `The peering of DLI enhanced connection ${connName(e)} with ${kindLabel(e)} ${queueName(e)} is FAILED.`,
        error: e.error ?? '(DLI gave no error message)',
        note: null,
      };
    case 'PEERING_RECOVERED':
      return {
        ...common,
        tone: 'recovery',
        title: `Peering recovered: ${connName(e)} ↔ ${queueName(e)}`,
        summary: `The peering of DLI enhanced connection ${connName(e)} with ${kindLabel(e)} ${queueName(e)} is ACTIVE again.`,
        error: null,
        // Incoming webhooks cannot reply in a thread, so the recovery names the alert it closes.
        note: ctx.original
          ? `Recovers the failure alert ${ctx.original.id} detected at ${ctx.original.at}.`
          : 'The failure alert this recovers is not in the stored history.',
      };
    case 'CONNECTION_DELETED':
      return {
        ...common,
        tone: 'deletion',
        title: `Connection deleted: ${connName(e)}`,
        summary: `DLI enhanced connection ${connName(e)} was deleted (it was ${e.previousStatus ?? 'unknown'}).`,
        error: null,
        note: null,
      };
    case 'DELETIONS_HELD':
      return {
        ...common,
        tone: 'deletion',
        title: `Deletions held: ${e.heldDeletions ?? '?'} connection(s) of ${targetLabel(e)}`,
        summary: `One sweep of ${targetLabel(e)} would have deleted ${e.heldDeletions ?? 'too many'} DLI enhanced connections at once; they are held, not deleted.`,
        error: null,
        note: `List them with "dli-sync deletions"; apply them with "dli-sync deletions confirm ${targetSpec(e)}". Connections that come back are released.`,
      };
  }
}

/** Stands for the failure that made a peering count as flapping; its later changes are suppressed. */
export function flappingMessage(
  e: ChangeEvent,
  ctx: { consoleUrlTemplate: string; failures: number; windowMs: number },
): Message {
  const minutes = Math.round(ctx.windowMs / 60_000);
  return {
    ...eventMessage(e, ctx),
    kind: 'flapping',
    tone: 'flapping',
    title: `Peering flapping: ${connName(e)} ↔ ${queueName(e)}`,
    summary: `The peering of DLI enhanced connection ${connName(e)} with ${kindLabel(e)} ${queueName(e)} failed ${ctx.failures} times in ${minutes} minutes.`,
    error: e.error ?? '(DLI gave no error message)',
    note: `Its further failures and recoveries are not posted until it has been stable for ${minutes} minutes; it is FAILED as of this message.`,
  };
}

const TYPE_WORD = {
  PEERING_FAILED: 'failed',
  PEERING_RECOVERED: 'recovered',
  CONNECTION_DELETED: 'deleted',
  DELETIONS_HELD: 'held',
} as const;

function digestLine(e: ChangeEvent): string {
  const what =
    e.type === 'CONNECTION_DELETED'
      ? `connection ${connName(e)} deleted`
      : e.type === 'DELETIONS_HELD'
        ? `${e.heldDeletions ?? '?'} deletion(s) held`
        : `${connName(e)} ↔ ${queueName(e)} ${TYPE_WORD[e.type]}`;
  return `${e.detectedAt} ${targetLabel(e)}: ${what}`;
}

/** Deterministic: a retried batch with the same undelivered events gets the same key. */
export function digestKey(channel: string, eventIds: readonly string[]): string {
  const digest = createHash('sha256')
    .update([channel, ...[...eventIds].sort()].join('\u0000'))
    .digest('base64url');
  return `dig_${digest.slice(0, 26)}`;
}

export function digestMessage(
  events: readonly ChangeEvent[],
  ctx: { consoleUrlTemplate: string; channel: string },
): Message {
  const sorted = [...events].sort(
    (a, b) => a.detectedAt.localeCompare(b.detectedAt) || a.id.localeCompare(b.id),
  );
  const count = (t: ChangeEvent['type']) => sorted.filter((e) => e.type === t).length;
  const parts = [
    [count('PEERING_FAILED'), 'peering failures'],
    [count('PEERING_RECOVERED'), 'recoveries'],
    [count('CONNECTION_DELETED'), 'deleted connections'],
    [count('DELETIONS_HELD'), 'held mass deletions'],
  ] as const;
  const targets = [...new Set(sorted.map(targetLabel))];
  const regions = [...new Set(sorted.map((e) => e.region))];
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  return {
    key: digestKey(
      ctx.channel,
      sorted.map((e) => e.id),
    ),
    kind: 'digest',
    tone: 'digest',
    title: `${sorted.length} DLI connection events`,
    summary: `${parts
      .filter(([n]) => n > 0)
      .map(([n, w]) => `${n} ${w}`)
      .join(', ')} in ${targets.length === 1 ? targets[0] : `${targets.length} targets`}.`,
    facts: [
      { label: 'Targets', value: targets.join(', ') },
      { label: 'From', value: first?.detectedAt ?? '' },
      { label: 'To', value: last?.detectedAt ?? '' },
    ],
    error: null,
    note: 'Details: dli-sync events --from/--to, or the event items in the table.',
    lines: sorted.map(digestLine),
    // One console link only when every event is in one region (the console is per region).
    link:
      regions.length === 1 && first
        ? { label: LINK_LABEL, url: consoleUrl(ctx.consoleUrlTemplate, first) }
        : null,
    at: last?.detectedAt ?? '',
    events: sorted,
  };
}
