/**
 * A target whose DLI data changes step by step, exercising every kind of write a sync makes:
 * creations spread over several transactions, peerings failing and recovering, connections deleted,
 * renamed and coming back. Each case of the suite gets its own table and its own project in the
 * emulator, so cases run side by side.
 */
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DliEmulator } from '../../infra/local/dli-emulator.ts';
import { makeConnections } from '../../infra/local/emulator-data.ts';
import type { SyncConfig } from '../../lib/config.ts';
import type { Store } from '../../lib/store/client.ts';
import { type SyncDeps, type SyncSummary, syncAll } from '../../lib/sync/run.ts';
import { REGION } from '../support/harness.ts';
import { createTestStore } from '../support/store.ts';

export type Raw = Record<string, unknown>;

const queues = (c: Raw): Raw[] => c.available_queue_info as Raw[];

export function setPeering(c: Raw, status: string, err = ''): void {
  Object.assign(queues(c)[0] as Raw, { status, err_msg: err });
}

export function healthy(n: number, seed = 1): Raw[] {
  return makeConnections(n, { seed }).map((c) => ({
    ...c,
    available_queue_info: queues(c).map((q) => ({ ...q, status: 'ACTIVE', err_msg: '' })),
  }));
}

/** Connections in the big scenario: enough for two transactions in steps 1 and 2 (107 and 103 actions). */
export const BIG = 52;
/** Connections in the small scenario: every kind of change and event in one transaction per run. */
export const SMALL = 14;

/**
 * Three steps after an empty start, over `n` connections. Step 1 creates them, three with a FAILED
 * peering; step 2 renames 90% of them, recovers one peering, fails two, deletes two connections and
 * adds one; step 3 brings a deleted connection back, recovers a peering and changes a FAILED
 * peering's error (which is no new event). With n = BIG, steps 1 and 2 each take two transactions.
 */
export function scenarioSteps(n = BIG): Raw[][] {
  const data = healthy(n, 7);
  const extra = healthy(1, 99)[0] as Raw;
  const [failA, failB, failC] = [1, Math.floor(n / 3), n - 4];
  const [failD, failE] = [2, Math.floor(n / 2)];
  const [gone1, gone2] = [n - 2, n - 1];
  const step1 = structuredClone(data);
  for (const i of [failA, failB, failC]) setPeering(step1[i] as Raw, 'FAILED', `route conflict ${i}`);

  const step2 = structuredClone(step1);
  for (let i = 0; i < Math.floor(n * 0.9); i++) (step2[i] as Raw).name = `${(step2[i] as Raw).name}-renamed`;
  setPeering(step2[failA] as Raw, 'ACTIVE');
  setPeering(step2[failD] as Raw, 'FAILED', 'quota exceeded');
  setPeering(step2[failE] as Raw, 'FAILED', 'subnet not found');
  const shown2 = [...step2.filter((_, i) => i !== gone1 && i !== gone2), extra];

  const step3 = structuredClone(shown2);
  const back = structuredClone(step2[gone1] as Raw);
  setPeering(step3.find((c) => c.id === (step2[failD] as Raw).id) as Raw, 'ACTIVE');
  setPeering(step3.find((c) => c.id === (step2[failB] as Raw).id) as Raw, 'FAILED', 'route conflict, again');
  return [step1, shown2, [...step3, back]];
}

export interface Case {
  store: Store;
  config: SyncConfig;
  projectId: string;
  sync(now: Date, deps?: Partial<SyncDeps>): Promise<SyncSummary>;
  target: { region: string; projectId: string };
}

/** A fresh table (and a fresh project in the emulator unless given), with the harness's endpoint. */
export async function newCase(
  base: SyncConfig,
  projectId = `p${randomUUID().replace(/-/g, '').slice(0, 20)}`,
  opts: { stream?: boolean } = {},
): Promise<Case> {
  const store = await createTestStore({ stream: opts.stream ?? false });
  const config: SyncConfig = {
    ...base,
    tableName: store.tableName,
    targets: [{ region: REGION, projectId, endpoint: base.targets[0]?.endpoint ?? '' }],
  };
  return {
    store,
    config,
    projectId,
    target: { region: REGION, projectId },
    sync: (now, deps = {}) => syncAll(config, { store, now: () => now, ...deps }),
  };
}

/** Serves `records` for the case's project and runs one sync at `now`. */
export async function step(
  dli: DliEmulator,
  c: Case,
  records: Raw[],
  now: Date,
  deps: Partial<SyncDeps> = {},
): Promise<SyncSummary> {
  dli.setConnections(c.projectId, records);
  return c.sync(now, deps);
}

/** Copies items into a case's table (25 per request, retrying what DynamoDB leaves unprocessed). */
export async function restore(store: Store, items: readonly Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let request = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (request.length > 0) {
      const out = await store.doc.send(
        new BatchWriteCommand({ RequestItems: { [store.tableName]: request } }),
      );
      request = (out.UnprocessedItems?.[store.tableName] ?? []) as typeof request;
    }
  }
}
