/**
 * The one table definition: `dli-sync setup` creates it, serverless.yml deploys it (via
 * infra/table.cjs which re-exports this shape), and infra/table.md explains each access pattern.
 *
 * Single-table design, every user-facing read is a Query or GetItem by key:
 *   state      PK TARGET#{region}#{projectId}  SK CONN#{connectionId}
 *   run        PK TARGET#{region}#{projectId}  SK RUN#{startedAt}#{runId}   GSI1 RUNS / {startedAt}#{target}
 *   lease      PK TARGET#{region}#{projectId}  SK LEASE
 *   history    PK CONN#{connectionId}          SK V#{observedAt}#{version}
 *   chunk      PK CONN#{connectionId}          SK CHUNK#{contentHash}        (hosts/raw of big connections)
 *   event      PK EVENT#{eventId}              SK EVENT                     GSI1 EVENTS / {detectedAt}#{eventId}
 *   failed     (sparse) state items with a FAILED peering: GSI1 FAILED_PEERINGS / {region}#{projectId}#{id}
 */

import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { type TargetRef, targetKey } from '../model/target.ts';

export const GSI1 = 'GSI1';
export const TTL_ATTRIBUTE = 'expiresAt';

export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'PK', AttributeType: 'S' },
      { AttributeName: 'SK', AttributeType: 'S' },
      { AttributeName: 'GSI1PK', AttributeType: 'S' },
      { AttributeName: 'GSI1SK', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: GSI1,
        KeySchema: [
          { AttributeName: 'GSI1PK', KeyType: 'HASH' },
          { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
    // The notifier reads new event items from the stream; OLD images serve audits and replays.
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
}

const pad = (n: number): string => String(n).padStart(10, '0');

export const keys = {
  targetPk: (t: TargetRef) => `TARGET#${targetKey(t)}`,
  stateSk: (connectionId: string) => `CONN#${connectionId}`,
  runSk: (startedAt: string, runId: string) => `RUN#${startedAt}#${runId}`,
  leaseSk: () => 'LEASE',
  /** The target's open TARGET_STALE alert, while there is one (lib/store/stale-alert.ts). */
  staleSk: () => 'TARGET_STALE',
  historyPk: (connectionId: string) => `CONN#${connectionId}`,
  historySk: (observedAt: string, version: number) => `V#${observedAt}#${pad(version)}`,
  /** In the connection's history partition: 'C' sorts before 'V', so no history range meets it. */
  chunkSk: (hash: string) => `CHUNK#${hash}`,
  eventPk: (eventId: string) => `EVENT#${eventId}`,
  eventSk: () => 'EVENT',
  eventsGsiPk: () => 'EVENTS',
  eventsGsiSk: (detectedAt: string, eventId: string) => `${detectedAt}#${eventId}`,
  runsGsiPk: () => 'RUNS',
  runsGsiSk: (startedAt: string, t: TargetRef) => `${startedAt}#${targetKey(t)}`,
  failedGsiPk: () => 'FAILED_PEERINGS',
  failedGsiSk: (t: TargetRef, connectionId: string) => `${targetKey(t)}#${connectionId}`,
};
