/**
 * A stored history with failures at known instants, for availability and report tests: written
 * item by item (no sync), so every observedAt is exact.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ChangeEvent, ConnectionContent, HistoryVersion } from '../../lib/model/schemas.ts';
import type { Store } from '../../lib/store/client.ts';
import { eventItem, historyItem, type Item, stateItem } from '../../lib/store/items.ts';
import { content, storedConnection, TARGET } from './fixtures.ts';

export const T0 = '2026-11-01T00:00:00.000Z';
export const at = (seconds: number): string => new Date(Date.parse(T0) + seconds * 1000).toISOString();
/** The window every test of this world asks about: 10,000 s from T0. */
export const WINDOW = { from: at(0), to: at(10_000) };

export const ORDERS = '4c693ecc-0000-4000-8000-00000000000a';
export const EVIL = '4c693ecc-0000-4000-8000-00000000000b';
export const GONE = '4c693ecc-0000-4000-8000-00000000000c';
/** A name no real connection has (the API allows [A-Za-z0-9_]), which the report must escape. */
export const EVIL_NAME = `<img src=x onerror=alert(1)>"&'`;

type Step = [seconds: number, peerings: Record<string, string>, status?: string];

const STORY: [id: string, name: string, steps: Step[]][] = [
  // q1 fails at 1000, recovers at 1600, fails again at 9000 (not recovered in the window); q2 stays ACTIVE.
  [
    ORDERS,
    'orders_db',
    [
      [-3600, { q1: 'ACTIVE', q2: 'ACTIVE' }],
      [1000, { q1: 'FAILED', q2: 'ACTIVE' }],
      [1600, { q1: 'ACTIVE', q2: 'ACTIVE' }],
      [9000, { q1: 'FAILED', q2: 'ACTIVE' }],
    ],
  ],
  // CREATING from 2000, ACTIVE from 2300.
  [
    EVIL,
    EVIL_NAME,
    [
      [2000, { q3: 'CREATING' }],
      [2300, { q3: 'ACTIVE' }],
    ],
  ],
  // ACTIVE until the connection is deleted at 5000.
  [
    GONE,
    'legacy_ftp',
    [
      [-7200, { q1: 'ACTIVE' }],
      [5000, { q1: 'ACTIVE' }, 'DELETED'],
    ],
  ],
];

const version = (id: string, name: string, step: Step, n: number): HistoryVersion => {
  const [s, peerings, status = 'ACTIVE'] = step;
  const c: ConnectionContent = { ...content(id, peerings, status), name };
  const { lastChangedAt: _l, deletedAt: _d, ...h } = storedConnection(c, n, at(s));
  return { ...h, observedAt: at(s) };
};

const failed = (detectedAt: string, status: string, previousStatus: string): ChangeEvent => ({
  id: `evt_${detectedAt.replace(/\D/g, '')}`,
  type: status === 'FAILED' ? 'PEERING_FAILED' : 'PEERING_RECOVERED',
  ...TARGET,
  connectionId: ORDERS,
  connectionName: 'orders_db',
  queue: 'q1',
  peerId: 'peer-q1',
  peeringKey: 'q1',
  resourceKind: 'queue',
  previousStatus,
  status,
  error: status === 'FAILED' ? 'route conflict' : null,
  detectedAt,
  connectionVersion: 2,
  runId: 'run-1',
});

export async function writeHistoryWorld(store: Store): Promise<void> {
  const items: Item[] = [];
  for (const [id, name, steps] of STORY) {
    const versions = steps.map((step, i) => version(id, name, step, i + 1));
    items.push(...versions.map((v) => historyItem(v, 400)));
    const last = versions[versions.length - 1] as HistoryVersion;
    const state = storedConnection(last, last.version, last.observedAt);
    items.push(stateItem({ ...state, deletedAt: last.status === 'DELETED' ? last.observedAt : null }, 400));
  }
  items.push(
    eventItem(failed(at(1000), 'FAILED', 'ACTIVE'), 400),
    eventItem(failed(at(1600), 'ACTIVE', 'FAILED'), 400),
    eventItem(failed(at(9000), 'FAILED', 'ACTIVE'), 400),
    eventItem(failed(at(12_000), 'ACTIVE', 'FAILED'), 400), // after the window
  );
  for (let i = 0; i < items.length; i += 25)
    await store.doc.send(
      new BatchWriteCommand({
        RequestItems: { [store.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
}
