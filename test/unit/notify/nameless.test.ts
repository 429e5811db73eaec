/**
 * An event about a queue entry the API listed without a name: the message names it by its peer id,
 * and flap suppression / recovery references find it in the history by its peering key.
 */
import { describe, expect, it } from 'vitest';
import { eventId } from '../../../lib/model/event-id.ts';
import type { HistoryVersion, Peering } from '../../../lib/model/schemas.ts';
import { originalFailure, peeringTimeline } from '../../../lib/notify/flap.ts';
import { digestMessage, eventMessage } from '../../../lib/notify/message.ts';
import { event } from './fixtures.ts';

const nameless = { queue: null, peerId: 'peer-7', peeringKey: 'peer:peer-7' };
const TPL = { consoleUrlTemplate: 'https://console/{region}/{connectionId}' };

function version(v: number, status: string): HistoryVersion {
  const p: Peering = {
    queue: null,
    peerId: 'peer-7',
    status,
    error: null,
    updatedAt: null,
    creatingSince: null,
    extra: {},
  };
  // A named sibling with the opposite status: the timeline must not pick it.
  const sibling: Peering = {
    ...p,
    queue: 'other',
    peerId: 'x',
    status: status === 'FAILED' ? 'ACTIVE' : 'FAILED',
  };
  return {
    region: 'cn-north-4',
    projectId: 'p1',
    id: 'c-1',
    name: 'orders-db',
    status: 'ACTIVE',
    destVpcId: null,
    destNetworkId: null,
    isPrivis: null,
    ipv6Enable: null,
    createdAt: null,
    hosts: [],
    routes: [],
    peerings: [sibling, p],
    elasticResourcePools: [],
    extra: {},
    version: v,
    observedAt: new Date(Date.UTC(2026, 0, 1, v)).toISOString(),
    contentHash: `h${v}`,
    firstSeenAt: '2026-01-01T01:00:00.000Z',
    lastSeenAt: '2026-01-01T01:00:00.000Z',
  };
}

describe('events of nameless entries', () => {
  it('names the entry by its peer id in the title, summary, facts and digest', () => {
    const m = eventMessage(event(nameless), TPL);
    expect(m.title).toBe('Peering failed: orders-db ↔ (peer peer-7)');
    expect(m.summary).toContain('with queue (peer peer-7) is FAILED');
    expect(m.facts).toContainEqual({ label: 'Queue', value: '(peer peer-7)' });
    const d = digestMessage([event(nameless), event({ ...nameless, id: 'evt_b' })], {
      ...TPL,
      channel: 'ops',
    });
    expect(d.lines.join('\n')).toContain('orders-db ↔ (peer peer-7) failed');
  });

  it('finds the peering in history by its key, and the failure a recovery closes', () => {
    const h = [version(1, 'ACTIVE'), version(2, 'FAILED'), version(3, 'ACTIVE')];
    const recovered = event({
      ...nameless,
      type: 'PEERING_RECOVERED',
      previousStatus: 'FAILED',
      status: 'ACTIVE',
      connectionVersion: 3,
      detectedAt: h[2]?.observedAt,
    });
    const points = peeringTimeline(h, recovered);
    expect(points.map((p) => p.status)).toEqual(['ACTIVE', 'FAILED', 'ACTIVE']);
    expect(originalFailure(recovered, points)).toEqual({
      id: eventId('PEERING_FAILED', 'c-1', 'queue', 'peer:peer-7', 2),
      at: h[1]?.observedAt,
    });
  });
});
