import { describe, expect, it } from 'vitest';
import type { PeeringResult } from '../../lib/report/availability.ts';
import { esc, MAX_TIMELINES, renderReport, span } from '../../lib/report/html.ts';

const W = { from: '2026-11-01T00:00:00.000Z', to: '2026-11-01T01:00:00.000Z' };
const FROM = Date.parse(W.from) / 1000;

const result = (i: number, failedFor: number, name = `conn_${i}`): PeeringResult => ({
  row: {
    region: 'cn-north-4',
    projectId: 'p1',
    connectionId: `c${i}`,
    connectionName: name,
    queue: 'q1',
    peerId: 'peer-q1',
    peeringKey: 'q1',
    resourceKind: 'queue',
    seconds: { active: 3600 - failedFor, creating: 0, failed: failedFor, absent: 0 },
    availability: (3600 - failedFor) / 3600,
    failures: failedFor ? 1 : 0,
    recoveries: 0,
    mttrSeconds: null,
    longestOutageSeconds: failedFor,
    otherSeconds: 0,
  },
  segments: failedFor
    ? [
        { start: FROM, end: FROM + 3600 - failedFor, status: 'ACTIVE' },
        { start: FROM + 3600 - failedFor, end: FROM + 3600, status: 'FAILED' },
      ]
    : [{ start: FROM, end: FROM + 3600, status: 'ACTIVE' }],
});

const render = (results: PeeringResult[]) =>
  renderReport({ window: W, generatedAt: W.to, results, events: [], inventory: [] });

describe('the HTML report', () => {
  it('escapes every piece of data: a hostile name is text', () => {
    const html = render([result(1, 60, `</title><script>alert("x")</script>&`)]);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;/title&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;');
    expect(esc(`'\u202E\u0007`)).toBe('&#39;');
  });

  it('draws peerings that were not ACTIVE throughout, least available first, and only counts the others', () => {
    const html = render([result(1, 60), result(2, 0), result(3, 600), result(4, 0)]);
    expect(html.indexOf('data-connection="c3"')).toBeLessThan(html.indexOf('data-connection="c1"'));
    expect(html).not.toContain('data-connection="c2"');
    expect(html).toContain('2 peerings ACTIVE throughout');
    expect(html).toContain('<title>FAILED from 2026-11-01T00:50:00Z to 2026-11-01T01:00:00Z (10m)</title>');
  });

  it('caps the drawn timelines and says how many more there are', () => {
    const html = render(Array.from({ length: MAX_TIMELINES + 3 }, (_, i) => result(i, 60)));
    expect(html.match(/<svg class="bar"/g)).toHaveLength(MAX_TIMELINES);
    expect(html).toContain('3 more peerings not drawn');
  });

  it('forbids every external load in the page itself', () => {
    expect(render([])).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('writes durations exact to the second', () => {
    expect([span(0), span(59), span(3661), span(90_061), span(null)]).toEqual([
      '0s',
      '59s',
      '1h 1m 1s',
      '1d 1h 1m 1s',
      '–',
    ]);
  });
});
