/** Small builders of normalized connections for store-level tests. */
import type { Connection, ConnectionContent } from '../../lib/model/schemas.ts';
import { contentHash } from '../../lib/sync/normalize.ts';

export const TARGET = { region: 'cn-north-4', projectId: 'proj1' };

export function content(
  id: string,
  peerings: Record<string, string> = { q1: 'ACTIVE' },
  status = 'ACTIVE',
): ConnectionContent {
  return {
    ...TARGET,
    id,
    name: `conn-${id}`,
    status,
    destVpcId: 'vpc-1',
    destNetworkId: 'net-1',
    isPrivis: false,
    ipv6Enable: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    hosts: [{ name: 'db', ip: '10.0.0.1' }],
    routes: [],
    peerings: Object.entries(peerings).map(([queue, s]) => ({
      queue,
      peerId: `peer-${queue}`,
      status: s,
      error: s === 'FAILED' ? 'route conflict' : null,
      updatedAt: '2026-01-01T00:00:00.000Z',
      creatingSince: null,
      extra: {},
    })),
    elasticResourcePools: [],
    extra: {},
  };
}

export function storedConnection(c: ConnectionContent, version: number, at: string): Connection {
  return {
    ...c,
    firstSeenAt: at,
    lastSeenAt: at,
    lastChangedAt: at,
    deletedAt: null,
    version,
    contentHash: contentHash(c),
  };
}
