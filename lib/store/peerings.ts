/**
 * Peerings as rows (one per queue or elastic resource pool of a live connection), for `GET /peerings`
 * and `dli-sync peerings`: the projection is written once here, the reads are the store's queries.
 */

import type { Connection, Peering, Target } from '../model/schemas.ts';
import { DELETED, FAILED } from '../model/status.ts';
import { targetKey } from '../model/target.ts';
import type { Store } from './client.ts';
import { listConnections, listFailedConnections } from './query.ts';

export interface PeeringRow extends Peering {
  region: string;
  projectId: string;
  connectionId: string;
  connectionName: string | null;
  resourceKind: 'queue' | 'elasticResourcePool';
}

/** Pure: the peerings in `status` of the connections of `targets`; tombstones have none. */
export function peeringRows(
  connections: readonly Connection[],
  status: string,
  targets: readonly Pick<Target, 'region' | 'projectId'>[],
): PeeringRow[] {
  const wanted = new Set(targets.map(targetKey));
  return connections
    .filter((c) => wanted.has(targetKey(c)) && c.status !== DELETED)
    .flatMap((c) =>
      [
        ...c.peerings.map((p) => ({ ...p, resourceKind: 'queue' as const })),
        ...c.elasticResourcePools.map((p) => ({ ...p, resourceKind: 'elasticResourcePool' as const })),
      ]
        .filter((p) => p.status === status)
        .map((p) => ({
          region: c.region,
          projectId: c.projectId,
          connectionId: c.id,
          connectionName: c.name,
          ...p,
        })),
    );
}

/**
 * Every peering in `status`, every page read: FAILED ones from the sparse index across all targets,
 * other statuses target by target.
 */
export async function listAllPeerings(
  store: Store,
  targets: readonly Pick<Target, 'region' | 'projectId'>[],
  status: string,
): Promise<PeeringRow[]> {
  const connections: Connection[] = [];
  if (status === FAILED) connections.push(...(await listFailedConnections(store)).items);
  else for (const t of targets) connections.push(...(await listConnections(store, t)).items);
  return peeringRows(connections, status, targets);
}
