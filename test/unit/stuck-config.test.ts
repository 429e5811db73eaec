/** PEERING_STUCK_AFTER: durations, off, and a one-line error naming the variable for anything else. */
import { describe, expect, it } from 'vitest';
import { loadStuckAfter } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';

describe('PEERING_STUCK_AFTER', () => {
  it('unset is the default (undefined), 0/off turn it off, durations are read', () => {
    expect(loadStuckAfter({})).toBeUndefined();
    expect(loadStuckAfter({ PEERING_STUCK_AFTER: '' })).toBeUndefined();
    expect(loadStuckAfter({ PEERING_STUCK_AFTER: '0' })).toBeNull();
    expect(loadStuckAfter({ PEERING_STUCK_AFTER: 'OFF' })).toBeNull();
    expect(loadStuckAfter({ PEERING_STUCK_AFTER: '15m' })).toBe(15 * 60_000);
    expect(loadStuckAfter({ PEERING_STUCK_AFTER: '2h' })).toBe(2 * 3_600_000);
    expect(loadStuckAfter({ PEERING_STUCK_AFTER: '1d' })).toBe(86_400_000);
    expect(loadStuckAfter({ PEERING_STUCK_AFTER: '90s' })).toBe(90_000);
  });
  it('anything else is a ConfigError naming the variable and what is expected', () => {
    for (const bad of ['15', '15 minutes', '-5m', '30s', '31d', 'soon', '1.5h']) {
      expect(() => loadStuckAfter({ PEERING_STUCK_AFTER: bad }), bad).toThrow(ConfigError);
      expect(() => loadStuckAfter({ PEERING_STUCK_AFTER: bad })).toThrow(
        /^PEERING_STUCK_AFTER is ".*"; expected a duration from 1m to 30d/,
      );
    }
  });
});
