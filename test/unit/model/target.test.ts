import { describe, expect, it } from 'vitest';
import { parseTargetSpec, targetKey, targetLabel, targetSpec } from '../../../lib/model/target.ts';

const t = { region: 'cn-north-4', projectId: '0a1b2c' };

describe('target identity', () => {
  it('labels for people, specs for configuration, keys for the table', () => {
    expect(targetLabel(t)).toBe('cn-north-4/0a1b2c');
    expect(targetSpec(t)).toBe('cn-north-4:0a1b2c');
    expect(targetKey(t)).toBe('cn-north-4#0a1b2c');
  });

  it('parses what targetSpec writes', () => {
    expect(parseTargetSpec(targetSpec(t))).toEqual(t);
  });

  it.each(['cn-north-4', 'cn-north-4:', ':0a1b2c', 'cn-north-4:0a1b2c:x', '', ':'])(
    'refuses %j: not exactly two non-empty parts',
    (spec) => {
      expect(parseTargetSpec(spec)).toBeNull();
    },
  );
});
