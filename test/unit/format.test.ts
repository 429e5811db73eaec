import { describe, expect, it } from 'vitest';
import { csv, describeChange } from '../../bin/format.ts';
import type { HistoryVersion } from '../../lib/model.ts';

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
