/**
 * Write units of a big connection, by DynamoDB's documented size rules (lib/store/size.ts: 1 unit per
 * started KB, ×2 inside a transaction), through the product's own diff and layout code and no table:
 *   (a) the first sync of a connection with N hosts of 128-character names,
 *   (b) one host changed, (c) one peering changed, (d) the same without chunking (the old layout).
 * Per-run items (lease, run record) are left out: they are the same for every run.
 *
 *   npm run bench:size [-- --hosts=20000]
 */

import type { Change } from '../lib/model/change.ts';
import { rememberChunks } from '../lib/store/chunk-io.ts';
import { createStore } from '../lib/store/client.ts';
import { chunkItem, historyItem, stateItem } from '../lib/store/items.ts';
import { writeUnits } from '../lib/store/size.ts';
import { changeActions, layoutChange } from '../lib/store/write.ts';
import { diffTarget } from '../lib/sync/diff.ts';
import { normalizeConnection } from '../lib/sync/normalize.ts';

const hostsArg = process.argv.find((a) => a.startsWith('--hosts='));
const N = hostsArg ? Number(hostsArg.slice('--hosts='.length)) : 20_000;
const target = { region: 'cn-north-4', projectId: 'p1' };
// Only the retention is read from the store here; nothing is sent.
const store = createStore({ tableName: 'size-report', retentionDays: 400 });

const record = {
  id: '4c693ecc-0000-4000-8000-000000000001',
  name: 'big_connection',
  status: 'ACTIVE',
  dest_vpc_id: 'vpc-1',
  dest_network_id: 'net-1',
  isPrivis: false,
  create_time: 1_760_000_000_000,
  available_queue_info: [
    { peer_id: 'peer-1', status: 'ACTIVE', name: 'queue_a', err_msg: '', update_time: 1_760_000_000_000 },
  ],
  hosts: Array.from({ length: N }, (_, i) => ({
    name: `host-${String((i * 7919) % N).padStart(6, '0')}.`.padEnd(128, 'x'),
    ip: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`,
  })),
};

function diff(raw: typeof record, previous: Change | null, hour: number): Change {
  const n = normalizeConnection(target, raw);
  if (!n.ok) throw new Error(n.reason);
  const stored = new Map(previous ? [[previous.next.id, previous.next]] : []);
  const [change] = diffTarget({
    target,
    stored,
    observed: [{ content: n.content, raw }],
    protectedIds: new Set(),
    mayDelete: false,
    now: new Date(Date.UTC(2026, 0, 1, hour)).toISOString(),
    runId: `run-${hour}`,
  }).changes;
  if (!change) throw new Error('no change');
  return change;
}

/** What the write of one change costs: chunk Puts (not transactional) + the transaction's Puts. */
function cost(change: Change) {
  const laid = layoutChange(store, change);
  const chunkUnits = laid.chunkPuts.reduce(
    (n, c) => n + writeUnits(chunkItem(change.next.id, c.hash, c.data, laid.chunkExpiresAt), false),
    0,
  );
  const txUnits = changeActions(store, change).reduce(
    (n, a) => n + (a.Put ? writeUnits(a.Put.Item ?? {}, true) : 0),
    0,
  );
  // Once written, the state is what the next diff reads back: it knows its chunks.
  rememberChunks(change.next, laid.state);
  return {
    chunks: laid.chunkPuts.length,
    chunkKB: Math.round(laid.chunkPuts.reduce((n, c) => n + Buffer.byteLength(c.data), 0) / 1024),
    chunkUnits,
    stateKB: Math.round(Buffer.byteLength(JSON.stringify(laid.state)) / 1024),
    historyKB: Math.round(Buffer.byteLength(JSON.stringify(laid.history)) / 1024),
    transactionUnits: txUnits,
    total: chunkUnits + txUnits,
  };
}

const first = diff(record, null, 1);
const a = cost(first);
const oneHost = structuredClone(record);
oneHost.hosts[N >> 1] = { ...(oneHost.hosts[N >> 1] as { name: string; ip: string }), ip: '10.250.250.250' };
const second = diff(oneHost, first, 2);
const b = cost(second);
const onePeering = structuredClone(oneHost);
Object.assign(onePeering.available_queue_info[0] as object, { status: 'FAILED', err_msg: 'route conflict' });
const third = diff(onePeering, second, 3);
const c = cost(third);
// The old layout: everything inline (DynamoDB would refuse these items beyond 400 KB).
const inline =
  writeUnits(stateItem(third.next, 400), true) +
  writeUnits({ ...historyItem(third.history, 400), raw: JSON.stringify(third.history.raw) }, true);

console.log(`write units of a connection with ${N} hosts of 128-character names (lib/store/size.ts rules)`);
console.table({ '(a) first sync': a, '(b) one host changed': b, '(c) one peering changed': c });
console.log(
  `without chunks every change would cost ${inline} units (items of ${Math.round(inline / 4)} KB, over the 400 KB limit)`,
);
