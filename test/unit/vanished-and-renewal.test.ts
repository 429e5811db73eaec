/** The deletion rule (written once) and the chunk-renewal rule, pure. */
import { describe, expect, it } from 'vitest';
import { hasVanished } from '../../lib/sync/diff.ts';
import { chunksDue } from '../../lib/sync/renew-chunks.ts';

describe('hasVanished', () => {
  const sweep = { seen: new Set(['seen']), protectedIds: new Set(['prot']) };
  it('is true only for a live connection neither listed nor protected', () => {
    expect(hasVanished('gone', 'ACTIVE', sweep)).toBe(true);
    expect(hasVanished('seen', 'ACTIVE', sweep)).toBe(false);
    expect(hasVanished('prot', 'ACTIVE', sweep)).toBe(false);
    expect(hasVanished('gone', 'DELETED', sweep)).toBe(false);
  });
});

describe('chunksDue', () => {
  const now = '2026-01-01T00:00:00.000Z';
  const at = (days: number) => Date.parse(now) / 1000 + days * 86_400;
  const s = (chunksExpireAt: number | null, status = 'ACTIVE') => ({
    status,
    contentHash: 'h',
    chunksExpireAt,
  });
  it('names live, listed-unchanged connections whose chunks expire within 45 days', () => {
    const index = new Map([
      ['soon', s(at(44))],
      ['edge', s(at(45))],
      ['late', s(at(100))],
      ['none', s(null)],
      ['tomb', s(at(1), 'DELETED')],
      ['changed', s(at(1))],
      ['absent', s(at(1))],
    ]);
    const listed = new Map([
      ['soon', { hash: 'h' }],
      ['edge', { hash: 'h' }],
      ['late', { hash: 'h' }],
      ['none', { hash: 'h' }],
      ['tomb', { hash: 'h' }],
      ['changed', { hash: 'other' }],
    ]);
    expect(chunksDue(index, listed, now)).toEqual(['soon']);
  });
});
