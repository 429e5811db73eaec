import { describe, expect, it } from 'vitest';
import { ConnectionRecordSchema } from '../../../lib/dli/schema.ts';
import { makeConnections } from '../../support/emulator-data.ts';

describe('makeConnections', () => {
  it('is deterministic for a seed and different across seeds', () => {
    expect(makeConnections(20, { seed: 5 })).toEqual(makeConnections(20, { seed: 5 }));
    expect(makeConnections(20, { seed: 5 })).not.toEqual(makeConnections(20, { seed: 6 }));
  });

  it('makes records the API schema accepts, with unique ids and strictly increasing create_time', () => {
    const data = makeConnections(500, { seed: 1, peeringsPerConnection: 4, startTime: 1_600_000_000_000 });
    for (const r of data) expect(ConnectionRecordSchema.safeParse(r).success).toBe(true);
    expect(new Set(data.map((r) => r.id)).size).toBe(500);
    const times = data.map((r) => r.create_time as number);
    expect(times[0]).toBeGreaterThan(1_600_000_000_000);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]!);
    expect(data.every((r) => (r.available_queue_info as unknown[]).length === 4)).toBe(true);
    expect(String(data[0]!.id)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
