import { describe, expect, it } from 'vitest';
import { csv, describeChange, eventsTable, runLine, table } from '../../bin/format.ts';
import { terminalText } from '../../bin/terminal.ts';
import type { ChangeEvent, HistoryVersion, RunRecord } from '../../lib/model.ts';

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
