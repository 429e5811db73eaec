/** The `events` table's ALERT STATE column: silenced, acknowledged, inhibited, as the JSON says. */
import { describe, expect, it } from 'vitest';
import { eventsTable } from '../../bin/format.ts';
import { event } from './notify/fixtures.ts';

const lastColumn = (out: string): string[] =>
  out
    .split('\n')
    .slice(2)
    .map((line) => line.slice(out.split('\n')[0]?.indexOf('ALERT STATE')).trimEnd());

describe('events table: ALERT STATE', () => {
  it('shows each state that holds, and nothing for an alert sent as usual', () => {
    const out = eventsTable([
      event({ id: 'a' }),
      event({ id: 'b', silencedBy: 'sil_1' }),
      event({ id: 'c', acknowledgedBy: 'alice', acknowledgedAt: '2026-11-28T10:05:00.000Z' }),
      event({ id: 'd', inhibitedBy: 'evt_del' }),
      event({
        id: 'e',
        silencedBy: 'sil_2',
        acknowledgedBy: 'bob',
        acknowledgedAt: '2026-11-28T11:00:00.000Z',
      }),
    ]);
    expect(out.split('\n')[0]).toMatch(/ERROR\s+ALERT STATE$/);
    expect(lastColumn(out)).toEqual([
      '-',
      'silenced (sil_1)',
      'acked by alice 2026-11-28T10:05Z',
      'inhibited by evt_del',
      'silenced (sil_2); acked by bob 2026-11-28T11:00Z',
    ]);
  });
});
