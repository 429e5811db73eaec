/** Which events a silence holds (lib/notify/silenced.ts heldBySilence). Pure. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../../lib/model/schemas.ts';
import { isActive, type Silence, selectorMatches } from '../../../lib/model/silence.ts';
import { heldBySilence } from '../../../lib/notify/silenced.ts';
import { event, T0 } from './fixtures.ts';

const BASE = Date.parse(T0);
const at = (min: number) => new Date(BASE + min * 60_000).toISOString();

const silenceArb = fc
  .record({
    start: fc.integer({ min: 0, max: 100 }),
    length: fc.integer({ min: 1, max: 60 }),
    queue: fc.option(fc.constantFrom('q1', 'q2'), { nil: undefined }),
    type: fc.option(
      fc.constantFrom('PEERING_FAILED', 'CONNECTION_DELETED') as fc.Arbitrary<ChangeEvent['type']>,
      {
        nil: undefined,
      },
    ),
    target: fc.option(fc.constantFrom('cn-*:*', 'ap-*:p1', '*:p2'), { nil: undefined }),
  })
  .map(
    (r): Silence => ({
      id: `sil_${r.start}_${r.length}_${r.queue ?? ''}_${r.type ?? ''}_${r.target ?? ''}`,
      match: {
        ...(r.queue ? { queue: r.queue } : {}),
        ...(r.type ? { type: r.type } : {}),
        ...(r.target ? { target: r.target } : {}),
      },
      startsAt: at(r.start),
      endsAt: at(r.start + r.length),
      reason: 'test',
      createdBy: null,
    }),
  );

const eventArb = fc
  .record({
    n: fc.integer({ min: 0, max: 1e6 }),
    minute: fc.integer({ min: 0, max: 170 }),
    queue: fc.constantFrom('q1', 'q2', 'q3'),
    type: fc.constantFrom('PEERING_FAILED', 'PEERING_RECOVERED', 'CONNECTION_DELETED') as fc.Arbitrary<
      ChangeEvent['type']
    >,
    region: fc.constantFrom('cn-north-4', 'ap-southeast-1'),
  })
  .map((r) =>
    event({ id: `evt_${r.n}`, detectedAt: at(r.minute), queue: r.queue, type: r.type, region: r.region }),
  );

describe('heldBySilence', () => {
  it('holds an event exactly when a silence active at its detectedAt matches it', () => {
    fc.assert(
      fc.property(
        fc.array(silenceArb, { maxLength: 5 }),
        // Event ids are unique (deterministic from the transition): two events never share one.
        fc.uniqueArray(eventArb, { maxLength: 20, selector: (e) => e.id }),
        (silences, events) => {
          const held = heldBySilence(events, silences, new Map());
          for (const e of events) {
            const holding = silences.filter((s) => isActive(s, e.detectedAt) && selectorMatches(s.match, e));
            expect(held.has(e.id)).toBe(holding.length > 0);
            if (held.has(e.id)) expect(holding.map((s) => s.id)).toContain(held.get(e.id));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a mark already on the event wins, even once its silence is gone', () => {
    const e = event({ detectedAt: at(5) });
    expect(heldBySilence([e], [], new Map([[e.id, 'sil_old']]))).toEqual(new Map([[e.id, 'sil_old']]));
  });

  it('the window is [startsAt, endsAt): an event at the end is sent', () => {
    const s: Silence = {
      id: 'sil_a',
      match: { queue: 'etl_queue' },
      startsAt: at(0),
      endsAt: at(10),
      reason: 'r',
      createdBy: null,
    };
    expect(heldBySilence([event({ detectedAt: at(0) })], [s], new Map()).size).toBe(1);
    expect(heldBySilence([event({ detectedAt: at(10) })], [s], new Map()).size).toBe(0);
  });
});
