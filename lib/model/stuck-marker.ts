/**
 * The stored index's view of stuck peerings: the state item carries `stuckCheckFrom`, the oldest
 * `creatingSince` among its CREATING peerings not yet announced as stuck (no `stuckAt`). A sync
 * reads it with the index (no full read) and looks closer only once `stuckCheckFrom` plus
 * PEERING_STUCK_AFTER has passed (lib/sync/stuck.ts). Pure.
 */
import type { Peering } from './schemas.ts';
import { CREATING, DELETED } from './status.ts';

export function stuckCheckFrom(c: {
  status: string;
  peerings: readonly Peering[];
  elasticResourcePools: readonly Peering[];
}): string | null {
  if (c.status === DELETED) return null;
  let oldest: string | null = null;
  for (const p of [...c.peerings, ...c.elasticResourcePools]) {
    if (p.status !== CREATING || (p.stuckAt ?? null) !== null || p.creatingSince === null) continue;
    if (oldest === null || p.creatingSince < oldest) oldest = p.creatingSince;
  }
  return oldest;
}
