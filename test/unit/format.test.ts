import { describe, expect, it } from 'vitest';
import {
  connectionsTable,
  csv,
  describeChange,
  duration,
  eventsTable,
  peeringsTable,
  runLine,
  table,
} from '../../bin/format.ts';
import { terminalText } from '../../bin/terminal.ts';
import type { ChangeEvent, Connection, HistoryVersion, Peering, RunRecord } from '../../lib/model/schemas.ts';

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

describe('terminal text (tables, run lines, history, events)', () => {
  const hostile = 'evil\u001b]52;c;cHduZWQ=\u0007\u001b[2J\u009b31m\u202Egnp.exe\r\nnext\u0000';
  const shown = 'evil]52;c;cHduZWQ=[2J31mgnp.exe  next';

  it('strips C0 and C1 controls and bidi overrides from every table cell', () => {
    const out = eventsTable([
      {
        detectedAt: '2026-11-28T10:00:00.000Z',
        type: 'PEERING_FAILED',
        connectionName: hostile,
        queue: 'q\u001b[1m',
        previousStatus: 'ACTIVE',
        status: 'FAILED',
        error: hostile,
      } as ChangeEvent,
    ]);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting there are none.
    expect(out).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E]/);
    expect(out).toContain('evil]52;c;cHduZW');
    expect(out.split('\n')).toHaveLength(3);
    expect(table(['A'], [[hostile]]).split('\n')[2]).toBe(shown);
    expect(terminalText(hostile)).toBe(shown);
  });

  it('strips them from a run line (its error comes from the API)', () => {
    const line = runLine({
      region: 'r',
      projectId: 'p',
      outcome: 'failed',
      startedAt: '2026-11-28T10:00:00.000Z',
      finishedAt: '2026-11-28T10:00:01.000Z',
      pages: 0,
      seen: 0,
      created: 0,
      changed: 0,
      deleted: 0,
      unchanged: 0,
      events: 0,
      writeUnits: 0,
      quarantined: [],
      error: hostile,
    } as unknown as RunRecord);
    expect(line).toMatch(/ — evil\]52;c;cHduZWQ=\[2J31mgnp\.exe {2}next$/);
  });
});
