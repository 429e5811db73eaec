import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeConnections } from '../../infra/local/emulator-data.ts';
import { listConnections, listEvents } from '../../lib/store/query.ts';
import { type Harness, PROJECT, REGION, startHarness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('functions/sync.ts (the scheduled Lambda handler)', () => {
  it('syncs every configured target through the same library path as the CLI', async () => {
    const data = makeConnections(120, { seed: 5 });
    h.dli.setConnections(PROJECT, data);
    Object.assign(process.env, h.env);
    const { handler } = await import('../../functions/sync.ts');
    const out = await handler();
    expect(out).toEqual({
      ok: true,
      runs: [
        { target: `${REGION}/${PROJECT}`, outcome: 'complete', events: expect.any(Number), error: null },
      ],
    });
    expect((await listConnections(h.store, { region: REGION, projectId: PROJECT })).items).toHaveLength(120);
    const failedPeerings = data.flatMap((c) =>
      (c.available_queue_info as { status: string }[]).filter((q) => q.status === 'FAILED'),
    );
    expect((await listEvents(h.store)).items).toHaveLength(failedPeerings.length);
    expect(out.runs[0]?.events).toBe(failedPeerings.length);
  });
});
