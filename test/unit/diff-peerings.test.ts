/**
 * The diff over what the official models allow: nameless entries alert (matched by peering key),
 * duplicates alert without colliding ids, unknown fields version without false events, and a
 * CREATING peering's start time is carried over.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventId } from '../../lib/model/event-id.ts';
import type { Connection, ConnectionContent } from '../../lib/model/schemas.ts';
import { diffTarget } from '../../lib/sync/diff.ts';
import { normalizeConnection, stableStringify } from '../../lib/sync/normalize.ts';

const target = { region: 'cn-north-4', projectId: 'p1' };
const T = (h: number) => new Date(Date.UTC(2026, 0, 1, h)).toISOString();

function norm(queues: unknown[], over: Record<string, unknown> = {}): ConnectionContent {
  const r = normalizeConnection(target, {
    id: 'c1',
    name: 'conn',
    status: 'ACTIVE',
    available_queue_info: queues,
    ...over,
  });
  if (!r.ok) throw new Error(r.reason);
  return r.content;
}

/** Runs the diff for a sequence of API answers, as successive syncs would; returns each step. */
function syncs(answers: ConnectionContent[]) {
  let state: Connection | null = null;
  return answers.map((content, i) => {
    const { changes, unchanged } = diffTarget({
      target,
      stored: new Map(state ? [[state.id, state]] : []),
      observed: [{ content, raw: {} }],
      protectedIds: new Set(),
      mayDelete: true,
      now: T(i),
      runId: `run-${i}`,
    });
    const change = changes[0];
    if (change) state = change.next;
    return { change, unchanged, state: state as Connection, events: change?.events ?? [] };
  });
}

describe('nameless entries alert', () => {
  it('a nameless entry going FAILED emits PEERING_FAILED with queue null and its peerId, then RECOVERED', () => {
    const entry = (status: string, err = '') => ({ peer_id: 'peer-7', status, err_msg: err });
    const [, failed, recovered] = syncs([
      norm([{ name: 'q1', status: 'ACTIVE' }, entry('ACTIVE')]),
      norm([{ name: 'q1', status: 'ACTIVE' }, entry('FAILED', 'subnet not found')]),
      norm([{ name: 'q1', status: 'ACTIVE' }, entry('ACTIVE')]),
    ]);
    expect(failed?.events).toEqual([
      expect.objectContaining({
        type: 'PEERING_FAILED',
        queue: null,
        peerId: 'peer-7',
        peeringKey: 'peer:peer-7',
        resourceKind: 'queue',
        previousStatus: 'ACTIVE',
        error: 'subnet not found',
        id: eventId('PEERING_FAILED', 'c1', 'queue', 'peer:peer-7', 2),
      }),
    ]);
    expect(recovered?.events).toMatchObject([
      {
        type: 'PEERING_RECOVERED',
        queue: null,
        peerId: 'peer-7',
        previousStatus: 'FAILED',
        status: 'ACTIVE',
      },
    ]);
  });

  it('an entry with neither name nor peer id alerts too, keyed by its position', () => {
    const [first] = syncs([norm([{ name: 'q1', status: 'ACTIVE' }, { status: 'FAILED' }])]);
    expect(first?.events).toMatchObject([
      { type: 'PEERING_FAILED', queue: null, peerId: null, peeringKey: '#1', previousStatus: null },
    ]);
  });

  it('the API reordering nameless entries is no change and no event', () => {
    const a = { status: 'FAILED', err_msg: 'x' };
    const b = { status: 'ACTIVE' };
    const c = { peer_id: 'p', status: 'FAILED' };
    const [, again] = syncs([norm([a, b, c]), norm([c, b, a])]);
    expect(again?.change).toBeUndefined();
    expect(again?.unchanged).toBe(1);
  });

  it('event ids of named peerings are unchanged by the peering key (the key is the name)', () => {
    const [, failed] = syncs([
      norm([{ name: 'q1', status: 'ACTIVE' }]),
      norm([{ name: 'q1', status: 'FAILED' }]),
    ]);
    expect(failed?.events[0]).toMatchObject({
      queue: 'q1',
      peeringKey: 'q1',
      id: eventId('PEERING_FAILED', 'c1', 'queue', 'q1', 2),
    });
  });
});

describe('a queue listed twice', () => {
  it('alerts for each failing entry with distinct event ids, and the connection still syncs', () => {
    const [first, second] = syncs([
      norm([
        { name: 'q', peer_id: 'p1', status: 'ACTIVE' },
        { name: 'q', peer_id: 'p2', status: 'FAILED', err_msg: 'x' },
      ]),
      norm([
        { name: 'q', peer_id: 'p1', status: 'FAILED', err_msg: 'y' },
        { name: 'q', peer_id: 'p2', status: 'FAILED', err_msg: 'x' },
      ]),
    ]);
    expect(first?.events).toMatchObject([
      { type: 'PEERING_FAILED', queue: 'q', peerId: 'p2', peeringKey: 'q#2' },
    ]);
    expect(second?.events).toMatchObject([
      { type: 'PEERING_FAILED', queue: 'q', peerId: 'p1', peeringKey: 'q' },
    ]);
    const both =
      syncs([
        norm([
          { name: 'q', status: 'FAILED' },
          { name: 'q', status: 'FAILED' },
        ]),
      ])[0]?.events ?? [];
    expect(both).toHaveLength(2);
    expect(new Set(both.map((e) => e.id)).size).toBe(2);
  });
});

describe('unknown fields', () => {
  it('a change of an unknown field is a new version without events', () => {
    const q = [{ name: 'q1', status: 'FAILED' }];
    const [, changed, same] = syncs([norm(q, { tier: 'a' }), norm(q, { tier: 'b' }), norm(q, { tier: 'b' })]);
    expect(changed?.change).toMatchObject({ kind: 'changed', next: { version: 2, extra: { tier: 'b' } } });
    expect(changed?.change?.history.extra).toEqual({ tier: 'b' });
    expect(changed?.events).toEqual([]);
    expect(same?.change).toBeUndefined();
  });

  it('after the upgrade, an item stored without extra is unchanged; with unknown fields it is re-versioned once, with no event', () => {
    const content = norm([
      { name: 'q1', status: 'FAILED', err_msg: 'x' },
      { name: 'q2', status: 'ACTIVE' },
    ]);
    // As an item written before this change reads back: no extra, no creatingSince (defaults fill
    // them), and the hash the old code computed: sha256 of the canonical JSON of exactly those fields.
    const { extra: _e, ...oldShape } = content;
    const oldPeerings = content.peerings.map(({ extra: _x, creatingSince: _c, ...p }) => p);
    const oldHash = createHash('sha256')
      .update(stableStringify({ ...oldShape, peerings: oldPeerings }))
      .digest('base64url')
      .slice(0, 32);
    const stored: Connection = {
      ...content,
      firstSeenAt: T(0),
      lastSeenAt: T(0),
      lastChangedAt: T(0),
      deletedAt: null,
      version: 3,
      contentHash: oldHash,
    };
    const run = (observed: ConnectionContent) =>
      diffTarget({
        target,
        stored: new Map([[stored.id, stored]]),
        observed: [{ content: observed, raw: {} }],
        protectedIds: new Set(),
        mayDelete: true,
        now: T(5),
        runId: 'r',
      });
    expect(run(content)).toEqual({ changes: [], unchanged: 1 });
    const withUnknown = norm(
      [
        { name: 'q1', status: 'FAILED', err_msg: 'x' },
        { name: 'q2', status: 'ACTIVE' },
      ],
      { tags: 'k=v' },
    );
    const r = run(withUnknown);
    expect(r.changes).toHaveLength(1);
    expect(r.changes[0]?.next.version).toBe(4);
    expect(r.changes[0]?.events).toEqual([]);
  });
});

describe('creatingSince', () => {
  it('is the observedAt of the first version showing CREATING, carried over while CREATING, null after', () => {
    const creating = (t: number) => ({ name: 'q1', status: 'CREATING', update_time: t });
    const steps = syncs([
      norm([{ name: 'q1', status: 'ACTIVE' }]),
      norm([creating(1)]),
      norm([creating(1)]),
      norm([creating(2)]),
      norm([{ name: 'q1', status: 'ACTIVE', update_time: 3 }]),
      norm([creating(4)]),
    ]);
    const since = steps.map((s) => s.state.peerings[0]?.creatingSince);
    expect(since).toEqual([null, T(1), T(1), T(1), null, T(5)]);
    // Unchanged API content: nothing written, though time passed.
    expect(steps[2]?.change).toBeUndefined();
    // The history version carries it too.
    expect(steps[3]?.change?.history.peerings[0]?.creatingSince).toBe(T(1));
    expect(steps.flatMap((s) => s.events)).toEqual([]);
  });

  it('for a version stored before creatingSince existed, counts from that version (lastChangedAt)', () => {
    const content = norm([{ name: 'q1', status: 'CREATING', update_time: 1 }]);
    const stored: Connection = {
      ...content,
      firstSeenAt: T(0),
      lastSeenAt: T(2),
      lastChangedAt: T(2),
      deletedAt: null,
      version: 2,
      contentHash: 'an older hash',
    };
    const { changes } = diffTarget({
      target,
      stored: new Map([[stored.id, stored]]),
      observed: [{ content: norm([{ name: 'q1', status: 'CREATING', update_time: 9 }]), raw: {} }],
      protectedIds: new Set(),
      mayDelete: true,
      now: T(3),
      runId: 'r',
    });
    expect(changes[0]?.next.peerings[0]?.creatingSince).toBe(T(2));
  });

  it('applies to pools and nameless entries, by peering key', () => {
    const steps = syncs([
      norm([{ peer_id: 'p', status: 'CREATING' }], {
        elastic_resource_pools: [{ name: 'pool', status: 'CREATING' }],
      }),
      norm([{ peer_id: 'p', status: 'CREATING', update_time: 5 }], {
        elastic_resource_pools: [{ name: 'pool', status: 'CREATING', update_time: 5 }],
      }),
    ]);
    expect(steps[1]?.state.peerings[0]?.creatingSince).toBe(T(0));
    expect(steps[1]?.state.elasticResourcePools[0]?.creatingSince).toBe(T(0));
  });

  it('carries over for a nameless CREATING entry beside another nameless one (keys ignore creatingSince)', () => {
    const entries = [{ status: 'CREATING' }, { status: 'ACTIVE' }];
    const steps = syncs([norm(entries), norm(entries, { name: 'renamed' })]);
    expect(steps[1]?.change?.kind).toBe('changed');
    expect(steps[1]?.state.peerings.map((p) => [p.status, p.creatingSince])).toEqual([
      ['ACTIVE', null],
      ['CREATING', T(0)],
    ]);
  });

  it('starts afresh when a connection comes back from DELETED', () => {
    const steps = syncs([
      norm([{ name: 'q', status: 'CREATING' }]),
      norm([{ name: 'q', status: 'CREATING' }], { status: 'DELETED' }),
      norm([{ name: 'q', status: 'CREATING' }]),
    ]);
    expect(steps.map((s) => s.state.peerings[0]?.creatingSince)).toEqual([T(0), T(0), T(2)]);
  });
});
