/** The client and the sweep against the real emulator on a loopback port. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DliEmulator, startDliEmulator } from '../../../infra/local/dli-emulator.ts';
import { makeConnections } from '../../../infra/local/emulator-data.ts';
import { closeDliPools, listConnectionsPage } from '../../../lib/dli/client.ts';
import { sweepTarget } from '../../../lib/dli/sweep.ts';
import type { Credentials } from '../../../lib/dli/types.ts';
import { ConfigError, DliApiError } from '../../../lib/errors.ts';
import type { Target } from '../../../lib/model/schemas.ts';

const AK = 'TESTAK0000000000001';
const SK = 'test-secret-key-0000000000000001';
const PROJECT = '0123456789abcdef0123456789abcdef';
const aksk: Credentials = { kind: 'aksk', ak: AK, sk: SK };
/** No waiting between retries in these tests; the retry tests measure real delays. */
const fast = { retry: { baseDelayMs: 1, maxDelayMs: 2 } };

let emu: DliEmulator;
let target: Target;

beforeAll(async () => {
  emu = await startDliEmulator({
    credentials: { [AK]: SK, TEMPAK: 'temp-sk' },
    securityTokens: { TEMPAK: 'sts-token' },
  });
  target = { region: 'cn-north-4', projectId: PROJECT, endpoint: emu.url };
});
afterAll(async () => {
  await closeDliPools();
  await emu.close();
});
beforeEach(() => {
  emu.setFaults({});
  emu.resetRequests();
  emu.setConnections(PROJECT, makeConnections(250, { seed: 42 }));
});

describe('sweep', () => {
  it('returns 250 connections over 3 pages, each exactly once, in creation order', async () => {
    const result = await sweepTarget(target, { credentials: aksk, pageSize: 100, concurrency: 1 });
    expect(result.error).toBeNull();
    expect(result.complete).toBe(true);
    expect(result.pages).toBe(3);
    expect(result.requests).toBe(3);
    expect(emu.requests()).toBe(3);
    const ids = result.records.map((r) => (r as { id: string }).id);
    expect(ids).toEqual(emu.getConnections(PROJECT).map((r) => (r as { id: string }).id));
    expect(new Set(ids).size).toBe(250);
  });

  it('handles an empty project and an exact multiple of the page size', async () => {
    const empty = await sweepTarget({ ...target, projectId: 'nosuchproject' }, { credentials: aksk });
    expect(empty).toMatchObject({ complete: true, records: [], pages: 1 });
    emu.setConnections(PROJECT, makeConnections(199, { seed: 3 }));
    const exact = await sweepTarget(target, { credentials: aksk, pageSize: 100 });
    expect(exact.complete).toBe(true);
    expect(exact.records).toHaveLength(199);
  });

  it('reports a wrong SK as incomplete with a 401 APIG.0301 and its request id, never echoing the keys', async () => {
    const badSk = 'wrong-secret-key-zzzzzzzzzzzzzz';
    const result = await sweepTarget(target, { credentials: { kind: 'aksk', ak: AK, sk: badSk } });
    expect(result.complete).toBe(false);
    const err = result.error!;
    expect(err).toBeInstanceOf(DliApiError);
    expect(err.details).toMatchObject({ httpStatus: 401, errorCode: 'APIG.0301', retryable: false });
    expect(err.details.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(err.message).toMatch(/verify aksk signature fail \(request id [0-9a-f]{32}\)$/);
    expect(err.message).toContain(`cn-north-4/${PROJECT}`);
    expect(err.message).not.toContain(badSk);
    expect(err.message).not.toContain(AK);
    expect(err.message).not.toContain('\n');
    expect(emu.requests()).toBe(1);
  });

  it('treats is_success:false with HTTP 200 as a failure naming the target', async () => {
    emu.setFaults({ isSuccessFalse: { times: 1, message: 'queue is being deleted' } });
    const result = await sweepTarget(target, { credentials: aksk });
    expect(result.complete).toBe(false);
    expect(result.error?.message).toContain(`cn-north-4/${PROJECT}`);
    expect(result.error?.message).toContain('is_success=false: queue is being deleted');
    expect(result.error?.details.httpStatus).toBe(200);
  });

  it('turns a non-2xx DLI error into a typed error with its code', async () => {
    emu.setFaults({ serverError: { times: Number.POSITIVE_INFINITY } });
    const result = await sweepTarget(target, {
      credentials: aksk,
      client: { ...fast, retry: { attempts: 2 } },
    });
    expect(result.complete).toBe(false);
    expect(result.error?.details).toMatchObject({ httpStatus: 500, errorCode: 'DLI.0999', retryable: true });
    expect(result.error?.message).toMatch(
      /HTTP 500, DLI\.0999: Internal service error \(request id [0-9a-f]{32}\)$/,
    );
    expect(result.requests).toBe(2);
  });

  it('refuses plain http to a non-loopback endpoint before sending anything', async () => {
    const remote = { ...target, endpoint: 'http://dli.cn-north-4.myhuaweicloud.com' };
    await expect(sweepTarget(remote, { credentials: aksk })).rejects.toThrow(ConfigError);
    await expect(sweepTarget(remote, { credentials: aksk })).rejects.toThrow(/must use https/);
  });
});

describe('authentication', () => {
  it('accepts a token the emulator issued, and rejects an unknown one', async () => {
    const ok = await listConnectionsPage(
      target,
      { limit: 10, offset: 0 },
      { kind: 'token', token: emu.issueToken() },
    );
    expect(ok.connections).toHaveLength(10);
    expect(ok.count).toBe(250);
    const err = await listConnectionsPage(
      target,
      { limit: 10, offset: 0 },
      { kind: 'token', token: 'MIIforged' },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DliApiError);
    expect((err as DliApiError).details.httpStatus).toBe(401);
    expect((err as DliApiError).message).not.toContain('MIIforged');
  });

  it('signs the security token of temporary credentials', async () => {
    const temp: Credentials = { kind: 'aksk', ak: 'TEMPAK', sk: 'temp-sk', securityToken: 'sts-token' };
    const page = await listConnectionsPage(target, { limit: 5, offset: 0 }, temp);
    expect(page.connections).toHaveLength(5);
    const wrong = await listConnectionsPage(
      target,
      { limit: 5, offset: 0 },
      { ...temp, securityToken: 'other' },
    ).catch((e: unknown) => e as DliApiError);
    expect((wrong as DliApiError).details.errorCode).toBe('APIG.0301');
  });

  it('tells a clock more than 15 minutes off from a wrong key', async () => {
    const skewed = () => Date.now() - 16 * 60_000;
    const err = await listConnectionsPage(target, { limit: 5, offset: 0 }, aksk, { now: skewed }).catch(
      (e: unknown) => e as DliApiError,
    );
    expect((err as DliApiError).details).toMatchObject({ httpStatus: 401, errorCode: 'APIG.0303' });
    const fine = await listConnectionsPage(target, { limit: 5, offset: 0 }, aksk, {
      now: () => Date.now() - 14 * 60_000,
    });
    expect(fine.connections).toHaveLength(5);
  });
});

describe('emulator list API', () => {
  it('filters by status (case-insensitive), name and tags, and supports limit=0', async () => {
    const data = makeConnections(5, { seed: 9 });
    data[1]!.status = 'DELETED';
    data[2]!.tags = [
      { key: 'team', value: 'data' },
      { key: 'env', value: 'prod' },
    ];
    emu.setConnections(PROJECT, data);
    const deleted = await listConnectionsPage(target, { limit: 0, offset: 0, status: 'deleted' }, aksk);
    expect(deleted.connections).toHaveLength(1);
    const all = await listConnectionsPage(target, { limit: 0, offset: 0 }, aksk);
    expect(all.connections).toHaveLength(5);
    const named = await listConnectionsPage(
      target,
      { limit: 10, offset: 0, name: String(data[3]!.name) },
      aksk,
    );
    expect((named.connections ?? [])[0]).toMatchObject({ id: data[3]!.id });
    const tagged = await listConnectionsPage(
      target,
      { limit: 10, offset: 0, tags: 'team=data,env=prod' },
      aksk,
    );
    expect(tagged.connections).toHaveLength(1);
    const untagged = await listConnectionsPage(target, { limit: 10, offset: 0, tags: 'team=ops' }, aksk);
    expect(untagged.connections).toHaveLength(0);
  });

  it('caps pages, honours or ignores limit=0, filters by tags as the SDKs send them', async () => {
    emu.setConnections(PROJECT, makeConnections(150, { seed: 12, tags: true, apiNames: true }));
    emu.setFaults({ maxPageSize: 10 });
    const capped = await listConnectionsPage(target, { limit: 1000, offset: 0 }, aksk);
    expect(capped.connections).toHaveLength(10);
    expect(capped.count).toBe(150);
    emu.setFaults({});
    expect((await listConnectionsPage(target, { limit: 0, offset: 0 }, aksk)).connections).toHaveLength(150);
    emu.setFaults({ limitZero: 'ignore' });
    expect((await listConnectionsPage(target, { limit: 0, offset: 0 }, aksk)).connections).toHaveLength(100);
    emu.setFaults({});
    const first = emu.getConnections(PROJECT)[0] as { tags: { value: string }[] };
    const [team, env] = first.tags.map((t) => t.value);
    const tagged = await listConnectionsPage(
      target,
      { limit: 0, offset: 0, tags: `team=${team},env=${env}` },
      aksk,
    );
    expect((tagged.connections ?? []).length).toBeGreaterThan(0);
    for (const c of tagged.connections as { tags: { key: string; value: string }[] }[]) {
      expect(c.tags).toEqual([
        { key: 'team', value: team },
        { key: 'env', value: env },
      ]);
    }
  });

  it('sends X-Request-Id on every answer, and gateway errors as APIG or APIGW as configured', async () => {
    const apigw = await startDliEmulator({ credentials: { [AK]: SK }, gatewayPrefix: 'APIGW' });
    try {
      const err = await listConnectionsPage(
        { ...target, endpoint: apigw.url },
        { limit: 1, offset: 0 },
        { kind: 'aksk', ak: AK, sk: 'wrong-secret-key-zzzzzzzzzzzzzz' },
      ).catch((e: unknown) => e as DliApiError);
      expect((err as DliApiError).details).toMatchObject({
        errorCode: 'APIGW.0301',
        requestId: apigw.lastRequestId(),
      });
    } finally {
      await apigw.close();
    }
  });

  it('answers count as the page size when asked to', async () => {
    emu.setFaults({ countMode: 'page' });
    const page = await listConnectionsPage(target, { limit: 7, offset: 0 }, aksk);
    expect(page.count).toBe(7);
  });
});
