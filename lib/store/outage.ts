/**
 * What the target-wide outage rule (lib/notify/outage.ts) needs of the store: how many peerings
 * (queues and elastic resource pools) a target's live connections have now. Read only for targets
 * whose batch holds enough failures of one run to be an outage at all.
 */
import { mapLimit } from '../concurrency.ts';
import { DELETED } from '../model/status.ts';
import { type TargetRef, targetKey } from '../model/target.ts';
import type { Store } from './client.ts';
import { loadConnections, queryPage } from './query.ts';
import { keys } from './table.ts';

const countOf = (v: unknown): number => (Array.isArray(v) ? v.length : 0);

async function peeringsOf(store: Store, target: TargetRef): Promise<number> {
  // Only the peering lists: no hosts, routes or raw JSON (they are most of a state item's size).
  const page = await queryPage(
    store,
    {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': keys.targetPk(target), ':sk': 'CONN#' },
      ProjectionExpression: 'id, #s, peerings, elasticResourcePools',
      ExpressionAttributeNames: { '#s': 'status' },
      ConsistentRead: true,
    },
    { limit: undefined, cursor: null },
  );
  const live = page.items.filter((i) => i.status !== DELETED);
  // A spilled item (lib/store/layout.ts: over 300 KB) keeps its peerings in chunks: read it whole.
  const spilled = live.filter((i) => !Array.isArray(i.peerings)).map((i) => String(i.id));
  const whole = spilled.length > 0 ? await loadConnections(store, target, spilled) : new Map();
  let total = 0;
  for (const i of live) {
    const c = whole.get(String(i.id));
    total += c
      ? c.peerings.length + c.elasticResourcePools.length
      : countOf(i.peerings) + countOf(i.elasticResourcePools);
  }
  return total;
}

/** target key (lib/model/target.ts targetKey) → peerings of its live connections. */
export async function targetPeeringTotals(
  store: Store,
  targets: readonly TargetRef[],
): Promise<Map<string, number>> {
  const totals = await mapLimit(targets, 4, (t) => peeringsOf(store, t));
  return new Map(targets.map((t, i) => [targetKey(t), totals[i] ?? 0]));
}
