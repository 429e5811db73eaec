/** lib/api/scope.ts: target scope, signed cursors and /snapshot paging, pure. */
import { describe, expect, it } from 'vitest';
import { inTargets, signCursor, verifyCursor, withSignedCursors } from '../../lib/api/scope.ts';

const KEY = 'a'.repeat(32);

describe('signed cursors', () => {
  it('round-trips, and refuses an altered cursor, a missing or wrong signature, or another key', () => {
    const signed = signCursor(KEY, 'eyJpIjowfQ');
    expect(verifyCursor(KEY, signed)).toBe('eyJpIjowfQ');
    expect(verifyCursor(KEY, signed.replace('eyJpIjowfQ', 'eyJpIjoxfQ'))).toBeNull();
    expect(verifyCursor(KEY, 'eyJpIjowfQ')).toBeNull();
    expect(verifyCursor(KEY, `${signed}x`)).toBeNull();
    expect(verifyCursor('b'.repeat(32), signed)).toBeNull();
  });

  it('unwraps the incoming cursor, signs the outgoing one, and answers 400 to a bad one', async () => {
    const seen: (string | undefined)[] = [];
    const run = async (q: Record<string, string | undefined>) => {
      seen.push(q.cursor);
      return { status: 200, body: { items: [], cursor: 'next' } };
    };
    const out = await withSignedCursors(KEY, { cursor: signCursor(KEY, 'prev') }, run);
    expect(seen).toEqual(['prev']);
    expect(out.body).toEqual({ items: [], cursor: signCursor(KEY, 'next') });
    expect((await withSignedCursors(KEY, { cursor: 'prev' }, run)).status).toBe(400);
    expect(seen).toHaveLength(1);
    expect((await withSignedCursors(null, { cursor: 'prev' }, run)).body).toEqual({
      items: [],
      cursor: 'next',
    });
  });
});

describe('scope', () => {
  it('matches an item to the configured targets by region and project', () => {
    const targets = [{ region: 'cn-north-4', projectId: 'p1', endpoint: 'https://x' }];
    expect(inTargets(targets, { region: 'cn-north-4', projectId: 'p1' })).toBe(true);
    expect(inTargets(targets, { region: 'cn-north-4', projectId: 'p2' })).toBe(false);
    expect(inTargets([], { region: 'cn-north-4', projectId: 'p1' })).toBe(false);
  });
});
