/**
 * Errors people can act on: whatever shape the server's error body has, the run record and the CLI
 * carry its code, its message and its request id (X-Request-Id, else the body's request_id), which is
 * what Huawei support asks for. Never a credential.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeConnections } from '../../../infra/local/emulator-data.ts';
import type { RunRecord } from '../../../lib/model/schemas.ts';
import { runCli } from '../../support/cli.ts';
import { type Harness, PROJECT, SK, startHarness } from '../../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.dli.setFaults({});
  h.dli.setConnections(PROJECT, makeConnections(5, { seed: 8 }));
});

const INF = Number.POSITIVE_INFINITY;
const BODY_ID = 'b0dy-req-0001';
const HEX = /^[0-9a-f]{32}$/;

const shapes: [string, number, unknown, string, string][] = [
  [
    'DLI error_code/error_msg',
    400,
    { error_code: 'DLI.0001', error_msg: 'Parameter check error' },
    'DLI.0001',
    'Parameter check error',
  ],
  [
    'code/message',
    404,
    { code: 'DLI.0023', message: 'No related resources were found' },
    'DLI.0023',
    'No related resources were found',
  ],
  [
    'nested error object',
    401,
    { error: { code: 'DLI.0013', message: 'User authentication error' } },
    'DLI.0013',
    'User authentication error',
  ],
  [
    'APIG gateway error with request_id',
    403,
    { error_code: 'APIG.0302', error_msg: 'The IAM user is forbidden', request_id: BODY_ID },
    'APIG.0302',
    'The IAM user is forbidden',
  ],
];

async function syncOnce(): Promise<RunRecord> {
  return (await h.sync()).runs[0]!;
}

describe('request ids in run records', () => {
  it.each(shapes)('%s, with X-Request-Id: the header id', async (_name, status, body, code, message) => {
    h.dli.setFaults({ errorBody: { times: INF, status, body } });
    const run = await syncOnce();
    expect(run.outcome).toBe('incomplete');
    expect(run.requestId).toBe(h.dli.lastRequestId());
    expect(run.requestId).toMatch(HEX);
    expect(run.error).toContain(`HTTP ${status}, ${code}: ${message} (request id ${run.requestId})`);
  });

  it.each(shapes)('%s, without X-Request-Id: the body id, or none', async (_name, status, body, code) => {
    h.dli.setFaults({ errorBody: { times: INF, status, body }, noRequestIdHeader: true });
    const run = await syncOnce();
    const bodyId = (body as { request_id?: string }).request_id ?? null;
    expect(run.requestId).toBe(bodyId);
    expect(run.error).toContain(`HTTP ${status}, ${code}:`);
    if (bodyId) expect(run.error).toMatch(/ \(request id b0dy-req-0001\)$/);
    else expect(run.error).not.toContain('request id');
  });

  it('keeps the id of a throttled answer (APIG.0308, retried until the attempts run out)', async () => {
    h.dli.setFaults({ rateLimit: { times: INF, retryAfter: '0' }, noRequestIdHeader: true });
    const run = await syncOnce();
    expect(run.outcome).toBe('incomplete');
    expect(run.error).toMatch(/HTTP 429, APIG\.0308: The throttling threshold has been reached/);
    // No header: the gateway's body still names the request.
    expect(run.requestId).toBe(h.dli.lastRequestId());
  });

  it('has no id for a complete run', async () => {
    const run = await syncOnce();
    expect(run).toMatchObject({ outcome: 'complete', requestId: null });
  });
});

describe('request ids through the CLI', () => {
  it('a wrong key: the one-line error, the stored run record and the runs table carry the id, never the key', async () => {
    const env = { ...h.env, HUAWEICLOUD_SDK_SK: 'not-the-right-secret-key' };
    const sync = await runCli(['sync', '--json'], env);
    expect(sync.code).toBe(1);
    const [run] = JSON.parse(sync.stdout) as RunRecord[];
    expect(run!.requestId).toMatch(HEX);
    expect(run!.error).toMatch(
      /HTTP 401, APIG\.0301: Incorrect IAM authentication information: verify aksk signature fail \(request id [0-9a-f]{32}\)$/,
    );
    const runs = await runCli(['runs', '--json', '--limit', '1'], h.env);
    expect((JSON.parse(runs.stdout) as RunRecord[])[0]!.requestId).toBe(run!.requestId);
    const table = await runCli(['runs', '--limit', '1'], h.env);
    expect(table.stdout).toContain('REQUEST ID');
    expect(table.stdout).toContain(run!.requestId!);
    for (const out of [sync.stdout, sync.stderr, runs.stdout, table.stdout]) {
      expect(out).not.toContain('not-the-right-secret-key');
      expect(out).not.toContain(SK);
    }
  });
});
