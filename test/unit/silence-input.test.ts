/** The silence inputs (lib/validate.ts): the --match selector and the --until end. Pure. */
import { describe, expect, it } from 'vitest';
import { silenceMatchProblem, silenceSelector, silenceUntil } from '../../lib/validate.ts';

const NOW = Date.parse('2026-11-28T10:00:00.000Z');
const sel = (s: string) => silenceSelector('--match').safeParse(s);
const until = (s: string) => silenceUntil('--until', NOW).safeParse(s);
const message = (r: { success: boolean; error?: { issues: { message: string }[] } }) =>
  r.error?.issues[0]?.message;

describe('silence selector', () => {
  it('reads key=value pairs joined by commas; type in any case; values kept as typed', () => {
    expect(sel('target=cn-*:*,connection=orders-db,queue=etl_q,type=peering_failed').data).toEqual({
      target: 'cn-*:*',
      connection: 'orders-db',
      queue: 'etl_q',
      type: 'PEERING_FAILED',
    });
    expect(sel(' queue = q1 ').data).toEqual({ queue: 'q1' });
  });

  it.each([
    ['host=x', 'unknown key "host"'],
    ['queue', '"queue" is not key=value'],
    ['queue=', '"queue=" is not key=value'],
    ['queue=a,,type=PEERING_FAILED', '"" is not key=value'],
    ['queue=a,queue=b', 'gives queue twice'],
    ['type=BOOM', 'type must be one of PEERING_FAILED'],
    ['target=cn-north-4', 'target must be a region:projectId glob'],
    ['target=a:b:c', 'target must be a region:projectId glob'],
  ])('refuses %s with one line naming it', (input, expected) => {
    const r = sel(input);
    expect(r.success).toBe(false);
    expect(message(r)).toContain(expected);
    expect(message(r)).toMatch(/^--match/);
    expect(message(r)).not.toContain('\n');
  });

  it('an empty object selector is refused (it would silence everything by accident)', () => {
    expect(silenceMatchProblem({}, 'match')).toContain('at least one key');
  });
});

describe('silence end (--until)', () => {
  it.each([
    ['90m', '2026-11-28T11:30:00.000Z'],
    ['2h', '2026-11-28T12:00:00.000Z'],
    ['1d', '2026-11-29T10:00:00.000Z'],
    ['2026-11-28T14:00:00+02:00', '2026-11-28T12:00:00.000Z'],
    ['2026-12-01', '2026-12-01T00:00:00.000Z'],
  ])('%s → %s', (input, expected) => {
    expect(until(input).data).toBe(expected);
  });

  it.each([
    '0m',
    '2w',
    'soon',
    '-1h',
    '2025-01-01T00:00:00Z',
    '2026-11-28T12:00:00+02:00',
    '400d',
    '1.5h',
    '',
  ])('refuses %s', (input) => {
    const r = until(input);
    expect(r.success).toBe(false);
    expect(message(r)).toMatch(/^--until must be a duration such as 90m, 2h, 1d or an ISO-8601 time/);
  });
});
