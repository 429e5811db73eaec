/**
 * Size of the HTML report at 1,000 and 10,000 connections (it must stay under 5 MB at 10,000), built
 * by the product's own rules and renderer from synthetic history, no table:
 *   the emulator's generated connections (3 queue peerings each, API-style names), normalized;
 *   30 days; 2 % of the peerings fail once (half of them recover after 20 minutes), 1 % are CREATING
 *   for 10 minutes first, 0.5 % of the connections are deleted mid-window; one event per failure,
 *   recovery and deletion; the inventory at the window's end.
 * A worst case follows: every peering fails (the drawn timelines are capped).
 *
 *   npm run bench:report-size [-- --sizes=1000,10000]
 */
import { makeConnections } from '../infra/local/emulator-data.ts';
import type { ChangeEvent, ConnectionContent, HistoryVersion } from '../lib/model/schemas.ts';
import {
  type ConnectionHistory,
  connectionAvailability,
  type PeeringResult,
  versionView,
} from '../lib/report/availability.ts';
import { renderReport } from '../lib/report/html.ts';
import { normalizeConnection } from '../lib/sync/normalize.ts';

const sizesArg = process.argv.find((a) => a.startsWith('--sizes='));
const SIZES = sizesArg ? sizesArg.slice('--sizes='.length).split(',').map(Number) : [1000, 10_000];
const LIMIT = 5 * 1024 * 1024;
const target = { region: 'cn-north-4', projectId: '0a1b2c3d4e5f60718293a4b5c6d7e8f9' };
const FROM = Date.parse('2026-11-01T00:00:00Z');
const TO = FROM + 30 * 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Deterministic "random" in [0, 1) from a number (no Math.random: the figures must be repeatable). */
const unit = (n: number): number => {
  const x = Math.sin(n * 12.9898) * 43_758.5453;
  return x - Math.floor(x);
};

function world(n: number, failShare: number) {
  const contents = makeConnections(n, { seed: 3, apiNames: true }).map((raw) => {
    const out = normalizeConnection(target, raw);
    if (!out.ok) throw new Error(`generated record rejected: ${out.reason}`);
    const c = out.content;
    return { ...c, peerings: c.peerings.map((p) => ({ ...p, status: 'ACTIVE', error: null })) };
  });
  const histories: ConnectionHistory[] = [];
  const events: ChangeEvent[] = [];
  const inventory: HistoryVersion[] = [];
  let serial = 0;
  contents.forEach((c, i) => {
    const versions: HistoryVersion[] = [];
    const push = (at: number, content: ConnectionContent) => {
      const h: HistoryVersion = {
        ...content,
        version: versions.length + 1,
        observedAt: iso(at),
        contentHash: String(++serial),
        firstSeenAt: iso(FROM - 86_400_000),
        lastSeenAt: iso(at),
      };
      versions.push(h);
    };
    push(FROM - 86_400_000, c);
    c.peerings.forEach((p, k) => {
      const r = unit(i * 7 + k);
      const at = FROM + Math.floor(unit(i * 13 + k) * (TO - FROM - 3_600_000));
      const set = (status: string) => ({
        ...c,
        peerings: c.peerings.map((q, j) =>
          j === k
            ? { ...q, status, error: status === 'FAILED' ? 'CIDR overlap with the queue network' : null }
            : q,
        ),
      });
      const event = (status: string, previousStatus: string, when: number): ChangeEvent => ({
        id: `evt_${++serial}`,
        type: status === 'FAILED' ? 'PEERING_FAILED' : 'PEERING_RECOVERED',
        ...target,
        connectionId: c.id,
        connectionName: c.name,
        queue: p.queue,
        peerId: p.peerId,
        peeringKey: p.queue,
        resourceKind: 'queue',
        previousStatus,
        status,
        error: status === 'FAILED' ? 'CIDR overlap with the queue network' : null,
        detectedAt: iso(when),
        connectionVersion: 2,
        runId: 'run',
      });
      if (r < failShare) {
        push(at, set('FAILED'));
        events.push(event('FAILED', 'ACTIVE', at));
        if (r < failShare / 2) {
          push(at + 1_200_000, set('ACTIVE'));
          events.push(event('ACTIVE', 'FAILED', at + 1_200_000));
        }
      } else if (r < failShare + 0.01) {
        push(at, set('CREATING'));
        push(at + 600_000, set('ACTIVE'));
      }
    });
    if (unit(i * 31) < 0.005) push(FROM + 15 * 86_400_000, { ...c, status: 'DELETED' });
    versions.sort((a, b) => a.observedAt.localeCompare(b.observedAt));
    versions.forEach((v, j) => {
      v.version = j + 1;
    });
    histories.push({ ...target, connectionId: c.id, versions: versions.map(versionView) });
    const last = versions[versions.length - 1] as HistoryVersion;
    if (last.status !== 'DELETED') inventory.push(last);
  });
  return { histories, events, inventory };
}

function measure(n: number, failShare: number) {
  const { histories, events, inventory } = world(n, failShare);
  const window = { from: iso(FROM), to: iso(TO) };
  const results: PeeringResult[] = histories.flatMap((h) => connectionAvailability(h, window));
  const started = performance.now();
  const html = renderReport({ window, generatedAt: iso(TO), results, events, inventory });
  const ms = performance.now() - started;
  const drawn = results.filter(
    (r) => !(r.segments.length === 1 && r.segments[0]?.status === 'ACTIVE'),
  ).length;
  return { bytes: Buffer.byteLength(html), ms, peerings: results.length, drawn, events: events.length };
}

const lines: string[] = [];
let over = false;
for (const [label, share] of [
  ['2 % of peerings fail', 0.02],
  ['every peering fails (worst case)', 1],
] as const) {
  for (const n of SIZES) {
    const m = measure(n, share);
    over ||= n <= 10_000 && m.bytes >= LIMIT;
    lines.push(
      `${String(n).padStart(6)} connections, ${label}: ${(m.bytes / 1024 / 1024).toFixed(2)} MB (${m.bytes} bytes), ${m.peerings} peerings, ${m.drawn} not ACTIVE throughout, ${m.events} events, rendered in ${m.ms.toFixed(0)} ms`,
    );
  }
}
process.stdout.write(`${lines.join('\n')}\n`);
if (over) {
  process.stderr.write('the report is over 5 MB at 10,000 connections or fewer\n');
  process.exitCode = 1;
}
