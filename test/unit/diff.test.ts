import { describe, expect, it } from 'vitest';
import { eventId } from '../../lib/model/event-id.ts';
import type { Connection, ConnectionContent } from '../../lib/model/schemas.ts';
import { type DiffInput, diffTarget, selectCandidates } from '../../lib/sync/diff.ts';
import { contentHash } from '../../lib/sync/normalize.ts';
import { content, TARGET } from '../support/fixtures.ts';

const target = TARGET;
const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T01:00:00.000Z';

function stored(c: ConnectionContent, version = 1, extra: Partial<Connection> = {}): Connection {
  return {
    ...c,
    firstSeenAt: T0,
    lastSeenAt: T0,
    lastChangedAt: T0,
    deletedAt: c.status === 'DELETED' ? T0 : null,
    version,
    contentHash: contentHash(c),
    ...extra,
  };
}

function diff(storedList: Connection[], observed: ConnectionContent[], over: Partial<DiffInput> = {}) {
  return diffTarget({
    target,
    stored: new Map(storedList.map((c) => [c.id, c])),
    observed: observed.map((c) => ({ content: c, raw: { id: c.id } })),
    protectedIds: new Set(),
    mayDelete: true,
    now: T1,
    runId: 'run-1',
    ...over,
  });
}

const eventsOf = (r: ReturnType<typeof diff>) => r.changes.flatMap((c) => c.events);

describe('diffTarget: state and history', () => {
  it('writes nothing for an unchanged connection', () => {
    const c = content('a');
    const r = diff([stored(c)], [c]);
    expect(r.changes).toEqual([]);
    expect(r.unchanged).toBe(1);
  });

  it('creates version 1 with firstSeenAt for a new connection, with a history version', () => {
    const r = diff([], [content('a')]);
    expect(r.changes).toHaveLength(1);
    const [ch] = r.changes;
    expect(ch?.kind).toBe('created');
    expect(ch?.next).toMatchObject({
      version: 1,
      firstSeenAt: T1,
      lastSeenAt: T1,
      lastChangedAt: T1,
      deletedAt: null,
    });
    expect(ch?.history).toMatchObject({ id: 'a', version: 1, observedAt: T1, raw: { id: 'a' } });
  });

  it('bumps the version and keeps firstSeenAt when the content changed', () => {
    const r = diff([stored(content('a'), 3)], [content('a', { q1: 'CREATING' })]);
    expect(r.changes[0]?.next).toMatchObject({ version: 4, firstSeenAt: T0, lastChangedAt: T1 });
    expect(r.changes[0]?.kind).toBe('changed');
  });

  it('tombstones a connection absent from a sweep that may prove absence', () => {
    const r = diff([stored(content('a')), stored(content('b'))], [content('a')]);
    expect(r.changes).toHaveLength(1);
    expect(r.changes[0]).toMatchObject({
      kind: 'deleted',
      next: { id: 'b', status: 'DELETED', deletedAt: T1, version: 2, lastSeenAt: T0 },
    });
    // the tombstone keeps what we last knew
    expect(r.changes[0]?.next.peerings).toEqual(content('b').peerings);
  });

  it('deletes nothing when the sweep may not prove absence', () => {
    const r = diff([stored(content('a')), stored(content('b'))], [content('a')], { mayDelete: false });
    expect(r.changes).toEqual([]);
  });

  it('never deletes a protected (quarantined) id', () => {
    const r = diff([stored(content('a')), stored(content('b'))], [content('a')], {
      protectedIds: new Set(['b']),
    });
    expect(r.changes).toEqual([]);
  });

  it('leaves an existing tombstone alone (no second deletion)', () => {
    const r = diff([stored(content('b', {}, 'DELETED'), 2)], []);
    expect(r.changes).toEqual([]);
  });

  it('brings a tombstoned connection back with a new version', () => {
    const r = diff([stored(content('b', {}, 'DELETED'), 2)], [content('b')]);
    expect(r.changes[0]?.next).toMatchObject({ status: 'ACTIVE', version: 3, deletedAt: null });
  });
});

describe('diffTarget: events', () => {
  it('emits PEERING_FAILED when a peering becomes FAILED', () => {
    const r = diff([stored(content('a'))], [content('a', { q1: 'FAILED' })]);
    expect(eventsOf(r)).toEqual([
      expect.objectContaining({
        type: 'PEERING_FAILED',
        connectionId: 'a',
        connectionName: 'conn-a',
        queue: 'q1',
        previousStatus: 'ACTIVE',
        status: 'FAILED',
        error: 'route conflict',
        detectedAt: T1,
        region: TARGET.region,
        projectId: TARGET.projectId,
      }),
    ]);
  });

  it('emits PEERING_FAILED for a peering first seen FAILED (new connection or new queue)', () => {
    expect(eventsOf(diff([], [content('a', { q1: 'FAILED' })]))).toMatchObject([
      { type: 'PEERING_FAILED', previousStatus: null },
    ]);
    expect(
      eventsOf(diff([stored(content('a'))], [content('a', { q1: 'ACTIVE', q2: 'FAILED' })])),
    ).toMatchObject([{ type: 'PEERING_FAILED', queue: 'q2', previousStatus: null }]);
  });

  it('emits nothing while a peering stays FAILED, even if other fields change', () => {
    const failed = content('a', { q1: 'FAILED' });
    const changed = { ...failed, name: 'renamed' };
    const r = diff([stored(failed)], [changed]);
    expect(r.changes).toHaveLength(1);
    expect(eventsOf(r)).toEqual([]);
  });

  it('FAILED → ACTIVE → FAILED emits a second PEERING_FAILED with a different id', () => {
    const first = diff([stored(content('a'), 1)], [content('a', { q1: 'FAILED' })]);
    const recovered = diff([stored(content('a', { q1: 'FAILED' }), 2)], [content('a')]);
    const again = diff([stored(content('a'), 3)], [content('a', { q1: 'FAILED' })]);
    const failedEvents = [first, recovered, again]
      .flatMap(eventsOf)
      .filter((e) => e.type === 'PEERING_FAILED');
    expect(failedEvents).toHaveLength(2);
    expect(failedEvents[0]?.id).not.toBe(failedEvents[1]?.id);
    expect(eventsOf(recovered)).toMatchObject([
      { type: 'PEERING_RECOVERED', previousStatus: 'FAILED', status: 'ACTIVE' },
    ]);
  });

  it('CREATING → FAILED emits; FAILED → CREATING does not', () => {
    expect(
      eventsOf(diff([stored(content('a', { q1: 'CREATING' }))], [content('a', { q1: 'FAILED' })])),
    ).toHaveLength(1);
    expect(
      eventsOf(diff([stored(content('a', { q1: 'FAILED' }))], [content('a', { q1: 'CREATING' })])),
    ).toEqual([]);
  });

  it('emits CONNECTION_DELETED once when a connection disappears, then nothing', () => {
    const r = diff([stored(content('a', { q1: 'FAILED' }))], []);
    expect(eventsOf(r)).toEqual([
      expect.objectContaining({
        type: 'CONNECTION_DELETED',
        connectionId: 'a',
        previousStatus: 'ACTIVE',
        status: 'DELETED',
        queue: null,
      }),
    ]);
    const tomb = r.changes[0]?.next as Connection;
    expect(eventsOf(diff([tomb], []))).toEqual([]);
  });

  it('emits CONNECTION_DELETED when the API itself reports DELETED', () => {
    const r = diff([stored(content('a'))], [content('a', {}, 'deleted'.toUpperCase())]);
    expect(eventsOf(r)).toMatchObject([{ type: 'CONNECTION_DELETED', previousStatus: 'ACTIVE' }]);
  });

  it('emits nothing for a connection first seen already DELETED, nor for its failed peerings', () => {
    expect(eventsOf(diff([], [content('a', { q1: 'FAILED' }, 'DELETED')]))).toEqual([]);
  });

  it('emits nothing from a sweep that may not delete, for absent connections', () => {
    expect(eventsOf(diff([stored(content('a'))], [], { mayDelete: false }))).toEqual([]);
  });

  it('treats elastic resource pools like queue peerings, marked by resourceKind', () => {
    const withPool = (s: string): ConnectionContent => ({
      ...content('a'),
      elasticResourcePools: [
        {
          queue: 'pool',
          peerId: null,
          status: s,
          error: null,
          updatedAt: null,
          creatingSince: null,
          extra: {},
        },
      ],
    });
    expect(eventsOf(diff([stored(withPool('ACTIVE'))], [withPool('FAILED')]))).toMatchObject([
      { type: 'PEERING_FAILED', queue: 'pool', resourceKind: 'elasticResourcePool' },
    ]);
  });

  it('gives a transition the same id however often it is computed (idempotent writes)', () => {
    const a = eventsOf(diff([stored(content('a'))], [content('a', { q1: 'FAILED' })]));
    const b = eventsOf(
      diff([stored(content('a'))], [content('a', { q1: 'FAILED' })], {
        now: '2030-01-01T00:00:00.000Z',
        runId: 'other',
      }),
    );
    expect(a[0]?.id).toBe(b[0]?.id);
    expect(a[0]?.id).toBe(eventId('PEERING_FAILED', 'a', 'queue', 'q1', 2));
  });
});

describe('selectCandidates', () => {
  const index = (list: Connection[]) =>
    new Map(list.map((c) => [c.id, { contentHash: c.contentHash, status: c.status }]));
  const o = (c: ConnectionContent) => ({ id: c.id, hash: contentHash(c), content: c });
  it('skips same-hash connections and asks for the full state of changed and vanished ones only', () => {
    const same = stored(content('same'));
    const changedBefore = stored(content('chg'));
    const gone = stored(content('gone'));
    const tomb = stored(content('tomb', {}, 'DELETED'));
    const r = selectCandidates(
      index([same, changedBefore, gone, tomb]),
      [o(content('same')), o(content('chg', { q1: 'FAILED' })), o(content('new'))],
      new Set(),
      true,
    );
    expect(r.unchanged).toBe(1);
    expect(r.changed.map((x) => x.content.id)).toEqual(['chg', 'new']);
    expect([...r.knownIds, ...r.vanished].sort()).toEqual(['chg', 'gone']);
  });
  it('asks for no vanished connection when the sweep may not delete, nor for protected ids', () => {
    const gone = stored(content('gone'));
    const prot = stored(content('prot'));
    const fetched = (r: ReturnType<typeof selectCandidates>) => [...r.knownIds, ...r.vanished];
    expect(fetched(selectCandidates(index([gone, prot]), [], new Set(), false))).toEqual([]);
    expect(fetched(selectCandidates(index([gone, prot]), [], new Set(['prot']), true))).toEqual(['gone']);
  });
  it('yields the same changes as a full diff', () => {
    const storedList = [stored(content('a')), stored(content('b')), stored(content('c', { q1: 'FAILED' }))];
    const observed = [content('a'), content('c'), content('d', { q1: 'FAILED' })];
    const full = diff(storedList, observed);
    const cand = selectCandidates(index(storedList), observed.map(o), new Set(), true);
    const partial = diff(
      storedList.filter((s) => cand.knownIds.has(s.id) || cand.vanished.includes(s.id)),
      cand.changed.map((x) => x.content),
    );
    expect(partial.changes).toEqual(full.changes);
    expect(cand.unchanged + partial.unchanged).toBe(full.unchanged);
  });
});
