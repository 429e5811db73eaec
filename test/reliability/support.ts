/**
 * Shared by the reliability suite: pinned clocks, a crash hook, lease expiry, a canonical view of
 * what a target's runs left in the table (to compare an interrupted history with an uninterrupted
 * one), and the tally behind the fault matrix in docs/reliability.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Store } from '../../lib/store/client.ts';
import { keys } from '../../lib/store/table.ts';
import { dumpTable } from '../support/secrets-scan.ts';

/** Pinned observation times: hour `h` of 2026-06-01 (UTC). */
export const at = (h: number): Date => new Date(Date.UTC(2026, 5, 1, h));

/** What a dead process looks like to the code still on its stack. */
export class Crash extends Error {
  override name = 'Crash';
}

/**
 * From the `k`-th write request on (1-based), every write throws: the run "dies" after k-1 writes.
 * Returns a counter of the write requests the store was asked for.
 */
export function crashBeforeWrite(store: Store, k: number): { writes: () => number } {
  let n = 0;
  store.beforeWrite = () => {
    n++;
    if (n >= k) throw new Crash(`process stopped before write #${n}`);
  };
  return { writes: () => n };
}

/** Counts write requests without failing any. */
export function countWrites(store: Store): { writes: () => number } {
  return crashBeforeWrite(store, Number.POSITIVE_INFINITY);
}

/** Time passes until a dead run's lease has run out (what the next scheduled run will find). */
export async function expireLease(
  store: Store,
  target: { region: string; projectId: string },
): Promise<void> {
  await store.doc
    .send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { PK: keys.targetPk(target), SK: keys.leaseSk() },
        UpdateExpression: 'SET leaseUntil = :zero',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':zero': 0 },
      }),
    )
    .catch((err: unknown) => {
      if (!(err instanceof Error && err.name === 'ConditionalCheckFailedException')) throw err;
    });
}

type Item = Record<string, unknown>;

/** A deep copy, keys sorted, with each `[text, placeholder]` substituted in every string. */
function substitute(value: unknown, subs: readonly (readonly [string, string])[]): unknown {
  if (typeof value === 'string') return subs.reduce((s, [t, p]) => s.split(t).join(p), value);
  if (Array.isArray(value)) return value.map((v) => substitute(v, subs));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Item)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, substitute(v, subs)]),
    );
  }
  return value;
}

/** Fields that legitimately differ between an interrupted and an uninterrupted history. */
// contentHash covers region and projectId (each case has its own project): the content it hashes is compared.
const VOLATILE = ['expiresAt', 'runId', 'delivery', 'deliveryState', 'contentHash'];

export interface Canon {
  /** State items by connection id. */
  state: Record<string, string>;
  /** History versions, sorted. */
  history: string[];
  /** Event items, sorted. */
  events: string[];
  /** Duplicates: the same history version or the same transition stored twice. */
  duplicated: number;
}

/**
 * What the runs left in the table (run records and the lease aside), with the instants of the
 * runs under comparison replaced by `<T>` (an interrupted run and its rerun happen at two instants
 * where the uninterrupted run had one) and the case's project id by `<P>` (each case has its own).
 */
export async function canonical(
  store: Store,
  runTimes: readonly Date[],
  projectId = '\u0000',
): Promise<Canon> {
  const subs = [...runTimes.map((d) => [d.toISOString(), '<T>'] as const), [projectId, '<P>'] as const];
  const items = await dumpTable(store);
  const clean = (item: Item): Item => {
    const copy: Item = { ...item };
    for (const k of VOLATILE) delete copy[k];
    return substitute(copy, subs) as Item;
  };
  const state: Record<string, string> = {};
  const history: string[] = [];
  const events: string[] = [];
  const versions = new Map<string, number>();
  const transitions = new Map<string, number>();
  for (const item of items) {
    if (item.entity === 'connection') state[String(item.id)] = JSON.stringify(clean(item));
    else if (item.entity === 'history') {
      history.push(JSON.stringify(clean(item)));
      const key = `${item.id}#${item.version}`;
      versions.set(key, (versions.get(key) ?? 0) + 1);
    } else if (item.entity === 'event') {
      events.push(JSON.stringify(clean(item)));
      const key = [item.type, item.connectionId, item.resourceKind, item.queue, item.connectionVersion].join(
        '|',
      );
      transitions.set(key, (transitions.get(key) ?? 0) + 1);
    }
  }
  const extra = (m: Map<string, number>): number => [...m.values()].reduce((n, c) => n + c - 1, 0);
  return {
    state,
    history: history.sort(),
    events: events.sort(),
    duplicated: extra(versions) + extra(transitions),
  };
}

/** Events of `reference` missing from `got`. */
export const lostEvents = (reference: Canon, got: Canon): number =>
  reference.events.filter((e) => !got.events.includes(e)).length;

// --- the fault matrix ----------------------------------------------------------------------------

export interface Counts {
  /** Faults injected (crash points, DynamoDB errors, hostile records, concurrent starts…). */
  faults: number;
  /** Sync runs executed (crashed, skipped and reruns included). */
  runs: number;
  /** Events whose presence and uniqueness were checked against what should exist. */
  eventsChecked: number;
  lost: number;
  duplicated: number;
}

const REPORT_DIR = process.env.RELIABILITY_REPORT_DIR ?? join(tmpdir(), 'dli-sync-reliability');

/**
 * Per test file: counts by fault category, written as JSON when `flush` runs (afterAll), for
 * `node bin/run-ts.js test/reliability/matrix.ts` to print.
 */
export function faultMatrix(file: string): {
  add(category: string, counts: Partial<Counts>): void;
  flush(): void;
} {
  const rows = new Map<string, Counts>();
  return {
    add(category, counts) {
      const row = rows.get(category) ?? { faults: 0, runs: 0, eventsChecked: 0, lost: 0, duplicated: 0 };
      for (const k of Object.keys(row) as (keyof Counts)[]) row[k] += counts[k] ?? 0;
      rows.set(category, row);
    },
    flush() {
      mkdirSync(REPORT_DIR, { recursive: true });
      const name = basename(file).replace(/\.test\.ts$/, '');
      writeFileSync(
        join(REPORT_DIR, `${name}.json`),
        JSON.stringify({ file: name, at: new Date().toISOString(), rows: Object.fromEntries(rows) }, null, 2),
      );
    },
  };
}

/** A short, readable list of differences (empty when equal): failing assertions stay legible. */
export function differences(reference: Canon, got: Canon): string[] {
  const out: string[] = [];
  const short = (s: string | undefined): string =>
    s === undefined ? '(absent)' : s.length > 240 ? `${s.slice(0, 240)}…` : s;
  for (const id of new Set([...Object.keys(reference.state), ...Object.keys(got.state)])) {
    const a = reference.state[id];
    const b = got.state[id];
    if (a === b) continue;
    if (!a || !b) {
      out.push(`${a ? 'missing' : 'extra'} state ${id}`);
      continue;
    }
    const x = JSON.parse(a) as Item;
    const y = JSON.parse(b) as Item;
    const fields = Object.keys({ ...x, ...y }).filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]));
    out.push(
      `state ${id}: ${fields.map((k) => `${k} ${short(JSON.stringify(x[k]))} → ${short(JSON.stringify(y[k]))}`).join('; ')}`,
    );
  }
  for (const kind of ['history', 'events'] as const) {
    for (const x of reference[kind]) if (!got[kind].includes(x)) out.push(`missing ${kind}: ${short(x)}`);
    for (const x of got[kind]) if (!reference[kind].includes(x)) out.push(`extra ${kind}: ${short(x)}`);
  }
  return out.slice(0, 8);
}
