/** Inhibition by deletion, pure: exhaustive small cases and a property. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../../lib/model/schemas.ts';
import { inhibitedByDeletion, inhibitedFor } from '../../../lib/notify/inhibit.ts';
import { channel, event } from './fixtures.ts';

const failure = (id: string, conn: string, version: number): ChangeEvent =>
  event({ id, connectionId: conn, connectionVersion: version });
const deletion = (id: string, conn: string, version: number): ChangeEvent =>
  event({
    id,
    type: 'CONNECTION_DELETED',
    connectionId: conn,
    connectionVersion: version,
    queue: null,
    status: 'DELETED',
  });

describe('inhibitedByDeletion', () => {
  it('a failure of an earlier version of a connection deleted in the batch is inhibited by that deletion', () => {
    expect(inhibitedByDeletion([failure('f', 'a', 2), deletion('d', 'a', 3)], new Map())).toEqual(
      new Map([['f', 'd']]),
    );
  });
  it('the order in the batch does not matter', () => {
    expect(inhibitedByDeletion([deletion('d', 'a', 3), failure('f', 'a', 2)], new Map())).toEqual(
      new Map([['f', 'd']]),
    );
  });
  it('a failure after the deletion (the connection came back) is news', () => {
    expect(inhibitedByDeletion([deletion('d', 'a', 3), failure('f', 'a', 4)], new Map()).size).toBe(0);
  });
  it("another connection's deletion inhibits nothing", () => {
    expect(inhibitedByDeletion([deletion('d', 'b', 3), failure('f', 'a', 2)], new Map()).size).toBe(0);
  });
  it('a deletion the store knows inhibits as one in the batch does', () => {
    expect(
      inhibitedByDeletion([failure('f', 'a', 2)], new Map([['a', { eventId: 'd0', version: 3 }]])),
    ).toEqual(new Map([['f', 'd0']]));
    expect(
      inhibitedByDeletion([failure('f', 'a', 4)], new Map([['a', { eventId: 'd0', version: 3 }]])).size,
    ).toBe(0);
  });
  it('the newest deletion stands for the failures', () => {
    const out = inhibitedByDeletion(
      [failure('f', 'a', 2), deletion('d5', 'a', 5)],
      new Map([['a', { eventId: 'd1', version: 1 }]]),
    );
    expect(out).toEqual(new Map([['f', 'd5']]));
  });
  it('recoveries, deletions and target events are never inhibited', () => {
    const r = event({ id: 'r', type: 'PEERING_RECOVERED', connectionId: 'a', connectionVersion: 2 });
    const held = event({ id: 'h', type: 'DELETIONS_HELD', connectionId: null, connectionVersion: null });
    expect(
      inhibitedByDeletion([r, held, deletion('d', 'a', 3), deletion('d2', 'a', 4)], new Map()).size,
    ).toBe(0);
  });
  it('inhibitedFor: only routed events that still owe the channel a record', () => {
    const events = [failure('f', 'a', 2), failure('g', 'a', 2)];
    const inh = new Map([
      ['f', 'd'],
      ['g', 'd'],
    ]);
    const state = new Map([['g', { ops: { status: 'sent' as const, at: 'x', attempts: 1 } }]]);
    expect(inhibitedFor(channel(), events, inh, state, 'stream')).toEqual(['f']);
    expect(inhibitedFor(channel({ events: ['CONNECTION_DELETED'] }), events, inh, state, 'stream')).toEqual(
      [],
    );
  });

  it('property: a failure is inhibited exactly when a later version of its connection is deleted, and by it', () => {
    const ev = fc.record({
      kind: fc.constantFrom('F', 'D'),
      conn: fc.constantFrom('a', 'b', 'c'),
      version: fc.integer({ min: 1, max: 6 }),
    });
    fc.assert(
      fc.property(fc.array(ev, { maxLength: 12 }), (list) => {
        const events = list.map((x, i) =>
          x.kind === 'F' ? failure(`f${i}`, x.conn, x.version) : deletion(`d${i}`, x.conn, x.version),
        );
        const out = inhibitedByDeletion(events, new Map());
        for (const e of events) {
          if (e.type !== 'PEERING_FAILED') {
            expect(out.has(e.id)).toBe(false);
            continue;
          }
          const later = events.filter(
            (d) =>
              d.type === 'CONNECTION_DELETED' &&
              d.connectionId === e.connectionId &&
              (d.connectionVersion ?? 0) > (e.connectionVersion ?? 0),
          );
          expect(out.has(e.id)).toBe(later.length > 0);
          if (later.length > 0) expect(later.map((d) => d.id)).toContain(out.get(e.id));
        }
      }),
      { numRuns: 200 },
    );
  });
});
