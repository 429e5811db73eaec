/**
 * Test world for delivery: connections whose peering status changes run after run, written with
 * the real diff and the real transactional writes, so events and history are what production has.
 */

import { OK, type WebhookSink } from '../../../infra/local/webhook-sink.ts';
import type { ChangeEvent, Connection, ConnectionContent } from '../../../lib/model/schemas.ts';
import type { ChannelConfig, ChannelType, NotifyOptions } from '../../../lib/notify/config.ts';
import { DEFAULT_OPTIONS } from '../../../lib/notify/config.ts';
import { type DeliverDeps, defaultDeps } from '../../../lib/notify/deliver.ts';
import type { Store } from '../../../lib/store/client.ts';
import { writeChanges } from '../../../lib/store/write.ts';
import { diffTarget } from '../../../lib/sync/diff.ts';

export const START = Date.parse('2026-11-28T10:00:00.000Z');
export const MIN = 60_000;

function content(id: string, region: string, queues: Record<string, string>): ConnectionContent {
  return {
    region,
    projectId: 'p1',
    id,
    name: `conn-${id}`,
    status: 'ACTIVE',
    destVpcId: 'vpc',
    destNetworkId: 'net',
    isPrivis: false,
    ipv6Enable: null,
    createdAt: null,
    hosts: [],
    routes: [],
    peerings: Object.entries(queues).map(([queue, status]) => ({
      queue,
      peerId: `peer-${queue}`,
      status,
      error: status === 'FAILED' ? `DLI.4001: ${queue} route conflict` : null,
      updatedAt: null,
      creatingSince: null,
      extra: {},
    })),
    elasticResourcePools: [],
    extra: {},
  };
}

/** A fake DLI over time: each `run` observes the given peering statuses and writes what changed. */
export class World {
  private stored = new Map<string, Connection>();
  private runs = 0;
  constructor(
    readonly store: Store,
    readonly region = 'cn-north-4',
  ) {}

  /** One sync run at `at` (ms); returns the events it wrote. */
  async run(
    at: number,
    connections: Record<string, Record<string, string>>,
    /** A complete sweep: connections stored but not listed become DELETED tombstones. */
    opts: { mayDelete?: boolean } = {},
  ): Promise<ChangeEvent[]> {
    const now = new Date(at).toISOString();
    const result = diffTarget({
      target: { region: this.region, projectId: 'p1' },
      stored: this.stored,
      observed: Object.entries(connections).map(([id, queues]) => ({
        content: content(id, this.region, queues),
        raw: { id },
      })),
      protectedIds: new Set(),
      mayDelete: opts.mayDelete ?? false,
      now,
      runId: `run-${++this.runs}`,
    });
    const out = await writeChanges(this.store, result.changes);
    if (out.conflicts.length > 0) throw new Error('unexpected conflict');
    for (const c of result.changes) this.stored.set(c.next.id, c.next);
    return result.changes.flatMap((c) => c.events);
  }
}

/** A channel posting to the sink, answering success the platform's way. */
export function sinkChannel(
  sink: WebhookSink,
  type: ChannelType,
  name: string,
  over: Partial<ChannelConfig> = {},
): ChannelConfig {
  const path = `/${name}`;
  sink.on(path, OK[type]);
  const secret = ['webhook', 'dingtalk', 'pagerduty', 'jsm'].includes(type)
    ? { secret: `${name}-secret` }
    : {};
  return { name, type, url: sink.url(path), recovered: true, ...secret, ...over };
}

/** Real HTTP, no waiting: pacing and backoff sleeps pass at once on a fake clock. */
export function testDeps(
  over: Partial<NotifyOptions> = {},
  deps: Partial<DeliverDeps> = {},
): DeliverDeps & { logs: Record<string, unknown>[] } {
  let clock = START + 24 * 60 * MIN;
  const logs: Record<string, unknown>[] = [];
  return {
    ...defaultDeps({
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
      random: () => 0.5,
      options: {
        ...DEFAULT_OPTIONS,
        // The sinks are on loopback: local development's setting.
        allowPrivateHosts: true,
        ...over,
        retry: { ...DEFAULT_OPTIONS.retry, maxAttempts: 2, baseDelayMs: 1 },
      },
      log: (e) => logs.push(e),
      ...deps,
    }),
    logs,
  };
}
