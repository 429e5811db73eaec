import { describe, expect, it } from 'vitest';
import { coldStart } from '../../lib/lambda.ts';

describe('coldStart (every Lambda handler keeps its warm state through it)', () => {
  it('builds once per container: later and concurrent invocations share the one result', async () => {
    let builds = 0;
    const boot = coldStart(async () => ({ n: ++builds }));
    const [a, b] = await Promise.all([boot(), boot()]);
    const c = await boot();
    expect(builds).toBe(1);
    expect(a).toBe(b);
    expect(c).toBe(a);
  });

  it('caches no failure: the next invocation builds again (a fixed parameter needs no redeploy)', async () => {
    let builds = 0;
    const boot = coldStart(() => {
      builds += 1;
      if (builds === 1) throw new Error('parameter unreadable');
      return 'ready';
    });
    await expect(boot()).rejects.toThrow('parameter unreadable');
    await expect(boot()).resolves.toBe('ready');
    await expect(boot()).resolves.toBe('ready');
    expect(builds).toBe(2);
  });

  it('caches no asynchronous failure either', async () => {
    let builds = 0;
    const boot = coldStart(async () => {
      builds += 1;
      if (builds === 1) throw new Error('SSM throttled');
      return builds;
    });
    await expect(boot()).rejects.toThrow('SSM throttled');
    await expect(boot()).resolves.toBe(2);
  });
});
