/**
 * What a notification says, before any platform's markup: built from change events, pure. Every
 * string here is raw (unescaped); the channel renderers escape and truncate for their platform.
 */

import { createHash } from 'node:crypto';
import { peeringLabel } from '../model/peering-key.ts';
import type { ChangeEvent } from '../model/schemas.ts';
import { targetLabel, targetSpec } from '../model/target.ts';
import { hintFacts, minutesBetween, pagingFields, stuckOriginal } from './alert-facts.ts';
import { fillTemplate } from './config.ts';
import { targetStateMessage } from './target-message.ts';

export type Tone = 'failure' | 'recovery' | 'deletion' | 'flapping' | 'digest';

export interface Fact {
  label: string;
  value: string;
}

export interface Message {
  /** Idempotency key: the event id, or the digest id. DingTalk msgUuid, webhook Idempotency-Key. */
  key: string;
  /** outage: one target's failures of one run in one message (outage.ts). */
  kind: 'event' | 'flapping' | 'digest' | 'outage';
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
  /** Who acknowledged that failure and when (read from its event item); absent or null when nobody did. */
  acknowledgedBy?: string | null;
  acknowledgedAt?: string | null;
}

/** " Acknowledged by X at T." when someone had acknowledged the alert, else nothing. */
const ackedText = (a: { acknowledgedBy?: string | null; acknowledgedAt?: string | null }): string =>
  a.acknowledgedBy ? ` Acknowledged by ${a.acknowledgedBy} at ${a.acknowledgedAt ?? '?'}.` : '';

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
    ...(e.type !== 'CONNECTION_DELETED' && e.connectionId !== null
      ? [{ label: kindLabel(e) === 'queue' ? 'Queue' : 'Elastic resource pool', value: queueName(e) }]
      : []),
    { label: 'Region', value: e.region },
    { label: 'Project', value: e.projectId },
    e.type === 'DELETIONS_HELD'
      ? { label: 'Held deletions', value: String(e.heldDeletions ?? '?') }
      : { label: 'Status', value: `${e.previousStatus ?? '(first seen)'} → ${e.status}` },
    ...(e.type === 'PEERING_STUCK' && e.creatingSince
      ? [{ label: 'CREATING since', value: e.creatingSince }]
      : []),
    ...(e.lastCompleteSweepAt !== undefined
      ? [{ label: 'Last complete sweep', value: e.lastCompleteSweepAt ?? '(none on record)' }]
      : []),
    ...hintFacts(e),
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
    ...pagingFields(e),
  };
  const stuck = stuckOriginal(e);
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
        note: stuck
          ? `Recovers the stuck-peering alert ${stuck.id}: it was CREATING since ${stuck.since}.`
          : ctx.original
            ? `Recovers the failure alert ${ctx.original.id} detected at ${ctx.original.at}.${ackedText(ctx.original)}`
            : 'The failure alert this recovers is not in the stored history.',
      };
    case 'PEERING_STUCK': {
      const minutes = e.creatingSince ? minutesBetween(e.creatingSince, e.detectedAt) : null;
      return {
        ...common,
        tone: 'failure',
        title: `Peering stuck in CREATING: ${connName(e)} ↔ ${queueName(e)}`,
        summary: `The peering of DLI enhanced connection ${connName(e)} with ${kindLabel(e)} ${queueName(e)} has been CREATING for ${minutes ?? '?'} minutes; DLI usually finishes a binding within 10.`,
        error: e.error,
        note: 'A PEERING_RECOVERED follows when it becomes ACTIVE; if it becomes FAILED, the failure is posted as usual.',
      };
    }
    case 'TARGET_STALE':
      return {
        ...common,
        tone: 'failure',
        title: `Target not swept: ${targetLabel(e)}`,
        summary: `No complete sweep of ${targetLabel(e)} since ${e.lastCompleteSweepAt ?? 'ever'}: dli-sync cannot see changes of its DLI enhanced connections.`,
        error: e.error ?? '(its runs recorded no error; are they running?)',
        note: `Its runs: dli-sync runs. A TARGET_RECOVERED follows when a sweep of ${targetSpec(e)} completes.`,
      };
    case 'TARGET_RECOVERED':
      // One type closes both target alerts (they share the target's alert key): the end of a denial
      // says so; otherwise it ends a stale spell.
      if (e.previousStatus === 'DENIED' || e.previousStatus === 'NOT_ENABLED')
        return targetStateMessage(e, common);
      return {
        ...common,
        tone: 'recovery',
        title: `Target swept again: ${targetLabel(e)}`,
        summary: `A sweep of ${targetLabel(e)} completed at ${e.lastCompleteSweepAt ?? e.detectedAt}; dli-sync sees its DLI enhanced connections again.`,
        error: null,
        note: 'Recovers the stale-target alert of this target. Changes made while it was not swept are reported by this sweep.',
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
    case 'TARGET_DENIED':
      return targetStateMessage(e, common);
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
  TARGET_DENIED: 'denied',
  PEERING_STUCK: 'stuck in CREATING',
  TARGET_STALE: 'not swept',
  TARGET_RECOVERED: 'swept again',
} as const;

function digestLine(e: ChangeEvent): string {
  const what =
    e.type === 'CONNECTION_DELETED'
      ? `connection ${connName(e)} deleted`
      : e.type === 'DELETIONS_HELD'
        ? `${e.heldDeletions ?? '?'} deletion(s) held`
        : e.connectionId === null
          ? `target ${TYPE_WORD[e.type]}${e.type === 'TARGET_DENIED' ? ` (${e.status})` : ''}`
          : `${connName(e)} ↔ ${queueName(e)} ${TYPE_WORD[e.type]}`;
  return `${e.detectedAt} ${targetLabel(e)}: ${what}${e.acknowledgedBy ? ` (acknowledged by ${e.acknowledgedBy})` : ''}`;
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
    [count('TARGET_DENIED'), 'denied targets'],
    [count('PEERING_STUCK'), 'stuck peerings'],
    [count('TARGET_STALE'), 'stale targets'],
    [count('TARGET_RECOVERED'), 'targets swept again'],
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
