import { describe, expect, it } from 'vitest';
import { connectionsTable, csv, describeChange, duration, peeringsTable } from '../../bin/format.ts';
import type { Connection, HistoryVersion, Peering } from '../../lib/model.ts';

describe('csv', () => {
  it('quotes separators, quotes and newlines (RFC 4180)', () => {
    expect(
      csv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          ['line\nbreak', null],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",');
  });
  it('defuses spreadsheet formulas in API-provided text', () => {
    expect(csv(['name'], [['=HYPERLINK("http://evil")'], ['+1'], ['@SUM(A1)'], ['-2']])).toBe(
      'name\r\n"\'=HYPERLINK(""http://evil"")"\r\n\'+1\r\n\'@SUM(A1)\r\n\'-2',
    );
    // numbers are numbers, not formulas
    expect(csv(['n'], [[-2]])).toBe('n\r\n-2');
  });
});

describe('describeChange', () => {
  const v = (peerings: Record<string, string>, status = 'ACTIVE', name = 'c'): HistoryVersion =>
    ({
      name,
      status,
      peerings: Object.entries(peerings).map(([queue, s]) => ({
        queue,
        status: s,
        peerId: null,
        error: null,
        updatedAt: null,
      })),
      elasticResourcePools: [],
    }) as unknown as HistoryVersion;
  it('says what changed between two versions', () => {
    expect(describeChange(undefined, v({ q: 'ACTIVE' }))).toBe('first seen');
    expect(describeChange(v({ q: 'ACTIVE', r: 'ACTIVE' }), v({ q: 'FAILED', s: 'CREATING' }))).toBe(
      'q ACTIVE→FAILED, +s CREATING, -r',
    );
    expect(describeChange(v({}), v({}, 'DELETED', 'd'))).toBe('status ACTIVE→DELETED, renamed c→d');
    expect(describeChange(v({}), v({}))).toBe('details changed');
  });
});

describe('nameless and CREATING peerings for people', () => {
  const NOW = new Date('2026-01-01T01:00:00.000Z');
  const peering = (over: Partial<Peering>): Peering => ({
    queue: null,
    peerId: null,
    status: 'ACTIVE',
    error: null,
    updatedAt: null,
    creatingSince: null,
    extra: {},
    ...over,
  });
  const row = (p: Peering) => ({
    region: 'r',
    projectId: 'p',
    connectionId: 'c1',
    connectionName: 'conn',
    ...p,
  });

  it('shows a nameless entry as (peer <peerId>), and CREATING with how long', () => {
    const out = peeringsTable(
      [
        row(peering({ peerId: 'peer-7', status: 'FAILED', error: 'x' })),
        row(peering({ queue: 'q1', status: 'CREATING', creatingSince: '2026-01-01T00:48:00.000Z' })),
      ],
      NOW,
    );
    expect(out).toContain('(peer peer-7)');
    expect(out).toContain('CREATING for 12m');
  });

  it('lists peerings of a connection by label, positions for entries without name or peer id', () => {
    const c = {
      region: 'r',
      projectId: 'p',
      id: 'c1',
      name: 'conn',
      status: 'ACTIVE',
      lastSeenAt: 'x',
      peerings: [
        peering({ peerId: 'p9', status: 'CREATING', creatingSince: '2025-12-31T22:55:00.000Z' }),
        peering({ status: 'FAILED' }),
      ],
    } as unknown as Connection;
    expect(connectionsTable([c], NOW)).toContain('(peer p9):CREATING for 2h 5m (unnamed #1):FAILED');
  });

  it('describes a nameless entry changing by its label', () => {
    const v = (status: string) =>
      ({
        name: 'c',
        status: 'ACTIVE',
        peerings: [peering({ peerId: 'p9', status })],
        elasticResourcePools: [],
      }) as unknown as HistoryVersion;
    expect(describeChange(v('ACTIVE'), v('FAILED'))).toBe('(peer p9) ACTIVE→FAILED');
  });

  it('formats durations in the two largest units', () => {
    expect([0, 59_000, 60_000, 3_600_000, 3_900_000, 86_400_000, 90_000_000].map(duration)).toEqual([
      '0s',
      '59s',
      '1m',
      '1h',
      '1h 5m',
      '1d',
      '1d 1h',
    ]);
  });
});
