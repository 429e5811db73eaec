import { describe, expect, it } from 'vitest';
import type { Target } from '../../lib/model/schemas.ts';
import { fanoutMessage } from '../../lib/sync/fanout.ts';
import { verdict } from '../../lib/sync/worker.ts';

const configured: Target[] = [
  { region: 'cn-north-4', projectId: 'p1', endpoint: 'https://dli.cn-north-4.example' },
  { region: 'cn-north-4', projectId: 'p2', endpoint: 'https://dli.cn-north-4.example' },
];
const now = Date.parse('2026-05-01T10:00:00.000Z');
const body = (t: Pick<Target, 'region' | 'projectId'>, enqueuedMs = now) =>
  JSON.stringify(fanoutMessage(t, new Date(enqueuedMs), 60_000));

describe('what the fan-out worker does with one message', () => {
  it('sweeps the configured target a fresh message names: that Target itself, endpoint included', () => {
    const v = verdict(body({ region: 'cn-north-4', projectId: 'p2' }), configured, now);
    expect(v.kind).toBe('sweep');
    expect(v.kind === 'sweep' && v.target).toBe(configured[1]);
  });

  it('retries a body that is not our message (it ends in the DLQ)', () => {
    for (const b of ['not json', '{}', JSON.stringify({ v: 2 }), 42, undefined, null])
      expect(verdict(b, configured, now)).toEqual({ kind: 'unreadable' });
  });

  it('drops a message a later tick superseded, configured or not', () => {
    const old = now - 120_000;
    expect(verdict(body({ region: 'cn-north-4', projectId: 'p1' }, old), configured, now).kind).toBe(
      'expired',
    );
    expect(verdict(body({ region: 'cn-north-4', projectId: 'px' }, old), configured, now).kind).toBe(
      'expired',
    );
  });

  it('refuses a fresh message naming a target outside the configured ones', () => {
    expect(verdict(body({ region: 'cn-north-4', projectId: 'p3' }), configured, now).kind).toBe('refused');
    expect(verdict(body({ region: 'ap-southeast-1', projectId: 'p1' }), configured, now).kind).toBe(
      'refused',
    );
    expect(verdict(body({ region: 'cn-north-4', projectId: 'p1' }), [], now).kind).toBe('refused');
  });
});
