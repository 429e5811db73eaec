/**
 * Target-wide outage: when most peerings of one target fail in one run, the notifier sends one
 * message per channel naming the count ("Outage: 37 of 40 peerings of cn-north-4/p1 failed"), not
 * one per failure nor a digest listing 37 lines that all say the same thing. Pure.
 *
 * The rule: the PEERING_FAILED events of one run of one target that reach the notifier together
 * (neither silenced nor inhibited by a deletion) are an outage when there are at least
 * `minPeerings` of them AND they are at least `share` of the target's peerings. The numerator comes
 * from the batch (so the decision is the batch's, and a retried or redelivered batch decides the
 * same); the denominator, the peerings of the target's live connections, from the store (a run's
 * events only name what changed, so the batch cannot say how many peerings stayed ACTIVE). An
 * unknown denominator means no outage: when in doubt, each failure is sent as itself.
 *
 * Each failure an outage stands for is recorded as sent via `outage` with the outage message's key,
 * so it is sent exactly once (as part of the outage) and no redelivery resends it on its own.
 */
import { createHash } from 'node:crypto';
import { targetAlertKey } from '../model/alert-key.ts';
import { peeringLabel } from '../model/peering-key.ts';
import type { ChangeEvent } from '../model/schemas.ts';
import { type TargetRef, targetKey, targetLabel } from '../model/target.ts';
import type { ChannelConfig, OutageSettings } from './config.ts';
import { consoleUrl, type Message } from './message.ts';
import type { Send } from './plan.ts';
import { type DeliveryMap, isPending, type Mode } from './record.ts';
import { routes } from './routing.ts';

export interface Outage extends TargetRef {
  runId: string;
  /** The outage message's key (idempotency key on every channel), the same for every retry. */
  key: string;
  /** Failures of the run in the batch, and the target's peerings (store). */
  failed: number;
  total: number;
  events: ChangeEvent[];
}

const isRunFailure = (e: ChangeEvent): boolean => e.type === 'PEERING_FAILED' && e.reminder === undefined;

/** The batch's failures by target and run. */
function runGroups(events: readonly ChangeEvent[]): ChangeEvent[][] {
  const groups = new Map<string, ChangeEvent[]>();
  for (const e of events.filter(isRunFailure)) {
    const k = `${targetKey(e)}\u0000${e.runId}`;
    groups.set(k, [...(groups.get(k) ?? []), e]);
  }
  return [...groups.values()];
}

/** The targets worth a store read: those with a run of at least `minPeerings` failures in the batch. */
export function outageCandidates(events: readonly ChangeEvent[], s: OutageSettings): TargetRef[] {
  if (s.minPeerings <= 0) return [];
  const out = new Map<string, TargetRef>();
  for (const [e] of runGroups(events).filter((g) => g.length >= s.minPeerings))
    if (e) out.set(targetKey(e), { region: e.region, projectId: e.projectId });
  return [...out.values()];
}

/** Whether `failed` of `total` peerings is an outage. A total below the count (a connection gone since) counts as the count. */
export function isOutage(failed: number, total: number, s: OutageSettings): boolean {
  const of = Math.max(total, failed);
  // The epsilon keeps 0.8 × 40 = 32 (or a share like 0.7 × 10) from missing by a rounding error.
  return s.minPeerings > 0 && failed >= s.minPeerings && failed >= s.share * of - 1e-9;
}

export const outageKey = (t: TargetRef, runId: string): string =>
  `out_${createHash('sha256').update(`${t.region}\u0000${t.projectId}\u0000${runId}`).digest('base64url').slice(0, 26)}`;

/** The outages among the batch's failures. `totals`: target key → peerings of its live connections. */
export function decideOutages(
  events: readonly ChangeEvent[],
  totals: ReadonlyMap<string, number>,
  s: OutageSettings,
): Outage[] {
  const out: Outage[] = [];
  for (const group of runGroups(events)) {
    const first = group[0];
    const total = first && totals.get(targetKey(first));
    if (!first || total === undefined || !isOutage(group.length, total, s)) continue;
    const target = { region: first.region, projectId: first.projectId };
    out.push({
      ...target,
      runId: first.runId,
      key: outageKey(target, first.runId),
      failed: group.length,
      total: Math.max(total, group.length),
      events: [...group].sort((a, b) => a.id.localeCompare(b.id)),
    });
  }
  return out;
}

const connName = (e: ChangeEvent): string => e.connectionName ?? e.connectionId ?? '?';

/** The most frequent DLI error among the failures: usually they share one cause. */
function commonError(events: readonly ChangeEvent[]): string | null {
  const counts = new Map<string, number>();
  for (const e of events) if (e.error) counts.set(e.error, (counts.get(e.error) ?? 0) + 1);
  const [top] = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return top ? (top[1] > 1 ? `${top[0]} (${top[1]} of ${events.length})` : top[0]) : null;
}

export function outageMessage(o: Outage, ctx: { consoleUrlTemplate: string }): Message {
  const target = targetLabel(o);
  const first = o.events[0];
  const detectedAt = first?.detectedAt ?? '';
  return {
    key: o.key,
    kind: 'outage',
    tone: 'failure',
    title: `Outage: ${o.failed} of ${o.total} peerings of ${target} failed`,
    summary: `One sync run of ${target} found ${o.failed} of its ${o.total} DLI enhanced connection peerings FAILED; they are listed here instead of one message each.`,
    facts: [
      { label: 'Target', value: target },
      { label: 'Failed peerings', value: `${o.failed} of ${o.total}` },
      { label: 'Connections', value: String(new Set(o.events.map((e) => e.connectionId)).size) },
      { label: 'Detected at', value: detectedAt },
      { label: 'Run', value: o.runId },
    ],
    error: commonError(o.events),
    note: 'Each failure is recorded as sent by this message; "dli-sync connections --status FAILED" lists them, recoveries are posted one by one.',
    lines: o.events.map(
      (e) => `${connName(e)} ↔ ${peeringLabel(e, e.peeringKey)}: ${e.error ?? '(no error message)'}`,
    ),
    link: first
      ? { label: 'Open in Huawei Cloud console', url: consoleUrl(ctx.consoleUrlTemplate, first) }
      : null,
    at: detectedAt,
    events: o.events,
    // One incident for the target: the key TARGET_* events use (lib/model/alert-key.ts).
    action: 'trigger',
    alertKey: targetAlertKey(o),
  };
}

/** One channel's outage sends: one message per outage with the failures it still owes the channel. */
export function outageSends(
  channel: ChannelConfig,
  outages: readonly Outage[],
  state: ReadonlyMap<string, DeliveryMap>,
  mode: Mode,
  ctx: { consoleUrlTemplate: string },
): Send[] {
  return outages.flatMap((o) => {
    const owed = o.events.filter(
      (e) => routes(channel, e) && isPending(state.get(e.id)?.[channel.name], mode),
    );
    return owed.length === 0
      ? []
      : [{ message: outageMessage(o, ctx), via: 'outage' as const, eventIds: owed.map((e) => e.id) }];
  });
}
