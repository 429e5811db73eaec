/**
 * [deploy] The bundles as Lambda runs them: each built by scripts/build.ts (with its size trims:
 * undici core only, zod namespace imports, environment credentials), loaded by a fresh `node`
 * process from index.mjs, and its handler called against the DLI emulator, DynamoDB Local and a
 * loopback SSM/SQS (fake-aws.ts). What the source-level integration tests prove for the code, this
 * proves for what is deployed.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDliEmulator } from '../../infra/local/dli-emulator.ts';
import { makeConnections } from '../../infra/local/emulator-data.ts';
import { startS3Sink } from '../../infra/local/s3-sink.ts';
import { startWebhookSink } from '../../infra/local/webhook-sink.ts';
import { listConnections, listRuns } from '../../lib/store/query.ts';
import { fanoutMessage } from '../../lib/sync/fanout.ts';
import { buildAll } from '../../scripts/build.ts';
import { AK, type Harness, PROJECT, REGION, SK, startHarness } from '../support/harness.ts';
import { createTestStore, ddbEndpoint, LOCAL_AWS_ENV } from '../support/store.ts';
import { type FakeAws, startFakeAws } from './fake-aws.ts';

const ROOT = join(import.meta.dirname, '../..');
// Its own copy: `npm run package` in template.test.ts rebuilds dist/ at the same time.
const DIST = join(ROOT, '.cache/deploy-test/dist');
const PROJECT2 = 'proj0000000000000000000000000002';
const CREDENTIALS_PARAM = '/dli-sync/test/huawei-credentials';
const TARGETS_PARAM = '/dli-sync/test/targets';

interface Invocation {
  result: unknown;
  stdout: string;
  /** Powertools writes ERROR lines here. */
  stderr: string;
}

/** A fresh process imports the bundle, calls its handler once, prints the answer, and exits. */
function invoke(
  fn: string,
  event: unknown,
  env: Record<string, string>,
  remainingMs?: number,
): Promise<Invocation> {
  const url = pathToFileURL(join(DIST, fn, 'index.mjs')).href;
  const script = `
    const { handler } = await import(${JSON.stringify(url)});
    const remaining = process.env.TEST_REMAINING_MS;
    const context = remaining ? { getRemainingTimeInMillis: () => Number(remaining) } : undefined;
    const out = await handler(JSON.parse(process.env.TEST_EVENT), context);
    console.log('@@RESULT ' + JSON.stringify(out));
    process.exit(0); // keep-alive sockets would hold the process open; Lambda freezes it instead
  `;
  const child = spawn(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
    env: {
      PATH: process.env.PATH ?? '',
      ...env,
      TEST_EVENT: JSON.stringify(event),
      ...(remainingMs ? { TEST_REMAINING_MS: String(remainingMs) } : {}),
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('@@RESULT '));
      if (code !== 0 || !line)
        reject(new Error(`${fn} bundle exited ${code}:\n${stderr.slice(-2000)}\n${stdout.slice(-2000)}`));
      else resolve({ result: JSON.parse(line.slice('@@RESULT '.length)), stdout, stderr });
    });
  });
}

let h: Harness;
let aws: FakeAws;

beforeAll(async () => {
  rmSync(DIST, { recursive: true, force: true });
  const { skipped } = await buildAll(DIST);
  expect(skipped).toEqual([]);
  h = await startHarness();
  aws = await startFakeAws();
}, 120_000);

afterAll(async () => {
  await h?.close();
  await aws?.close();
});

/** The deployed shape: targets and the key pair come from SSM, nothing secret in the environment. */
function deployedEnv(extra: Record<string, string> = {}): Record<string, string> {
  const { HUAWEICLOUD_SDK_AK: _ak, HUAWEICLOUD_SDK_SK: _sk, DLI_TARGETS: _t, ...rest } = h.env;
  return {
    ...rest,
    AWS_ENDPOINT_URL_SSM: aws.url,
    AWS_ENDPOINT_URL_SQS: aws.url,
    HUAWEICLOUD_CREDENTIALS_PARAMETER: CREDENTIALS_PARAM,
    DLI_TARGETS_PARAMETER: TARGETS_PARAM,
    POWERTOOLS_SERVICE_NAME: 'dli-sync-test',
    ...extra,
  };
}

describe('[deploy] the sync bundle', () => {
  it('sweeps the targets named in SSM with the key pair from an SSM SecureString, and never logs the secret', async () => {
    h.dli.setConnections(PROJECT, makeConnections(150, { seed: 11 }));
    aws.parameters.set(CREDENTIALS_PARAM, JSON.stringify({ ak: AK, sk: SK }));
    aws.parameters.set(TARGETS_PARAM, `${REGION}:${PROJECT}`);
    const { result, stdout } = await invoke('sync', {}, deployedEnv(), 900_000);
    expect(result).toMatchObject({
      ok: true,
      runs: [{ target: `${REGION}/${PROJECT}`, outcome: 'complete', error: null }],
    });
    expect((await listConnections(h.store, { region: REGION, projectId: PROJECT })).items).toHaveLength(150);
    // Structured logs and EMF metrics on stdout, as CloudWatch reads them.
    const lines = stdout.split('\n').filter((l) => l.startsWith('{'));
    const emf = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => '_aws' in l);
    expect(emf).toMatchObject({
      service: 'dli-sync-test',
      TargetsSynced: 1,
      TargetSyncFailures: 0,
      StaleTargets: 0,
    });
    expect(stdout).not.toContain(SK);
    expect(aws.reads).toEqual(expect.arrayContaining([CREDENTIALS_PARAM, TARGETS_PARAM]));
  });

  it('fans out one message per target to SQS, and the worker bundle sweeps each under its lease', async () => {
    h.dli.setConnections(PROJECT2, makeConnections(20, { seed: 12 }));
    aws.parameters.set(TARGETS_PARAM, `${REGION}:${PROJECT},${REGION}:${PROJECT2}`);
    aws.messages.length = 0;
    const fanout = await invoke(
      'sync',
      {},
      deployedEnv({ SYNC_FANOUT_QUEUE_URL: aws.queueUrl, SYNC_FANOUT_THRESHOLD: '1' }),
      900_000,
    );
    expect(fanout.result).toEqual({ ok: true, runs: [], enqueued: 2 });
    expect(aws.messages.map((m) => JSON.parse(m) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ v: 1, region: REGION, projectId: PROJECT }),
      expect.objectContaining({ v: 1, region: REGION, projectId: PROJECT2 }),
    ]);

    const expired = fanoutMessage(
      { region: REGION, projectId: PROJECT2 },
      new Date(Date.now() - 3_600_000),
      60_000,
    );
    // A well-formed, fresh message for a project outside the targets parameter (someone else sent
    // it), which the Huawei key can list: without the check it would be swept and stored.
    h.dli.setConnections('not-a-configured-project', makeConnections(3, { seed: 14 }));
    const intruder = fanoutMessage(
      { region: REGION, projectId: 'not-a-configured-project' },
      new Date(),
      60_000,
    );
    const event = {
      Records: [
        { messageId: 'm1', body: aws.messages[1] },
        { messageId: 'm2', body: 'not a target message' },
        { messageId: 'm3', body: JSON.stringify(expired) },
        { messageId: 'm4', body: JSON.stringify(intruder) },
      ],
    };
    const worker = await invoke('syncWorker', event, deployedEnv());
    // Only the unreadable message is retried; the stale one is superseded, the foreign one refused.
    expect(worker.result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    const logs = `${worker.stdout}\n${worker.stderr}`
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(logs).toContainEqual(expect.objectContaining({ RejectedFanoutMessages: 1 }));
    expect(logs).toContainEqual(
      expect.objectContaining({
        message: 'fan-out message names a target that is not configured; refused, nothing swept',
        target: `${REGION}:not-a-configured-project`,
      }),
    );
    const foreign = { region: REGION, projectId: 'not-a-configured-project' };
    expect((await listRuns(h.store, foreign, { limit: 5 })).items).toEqual([]);
    expect((await listConnections(h.store, foreign)).items).toEqual([]);
    expect((await listConnections(h.store, { region: REGION, projectId: PROJECT2 })).items).toHaveLength(20);
    const runs = (await listRuns(h.store, { region: REGION, projectId: PROJECT2 }, { limit: 5 })).items;
    expect(runs.map((r) => r.outcome)).toEqual(['complete']);
  });

  it('fails loudly, naming the parameter and not its value, when a secret is malformed', async () => {
    aws.parameters.set(CREDENTIALS_PARAM, '{"ak":"AKIA-EXAMPLE","secret":"do-not-print-me"}');
    // A new container: the cache of the previous invocations is not there.
    const out = invoke('sync', {}, deployedEnv(), 900_000);
    await expect(out).rejects.toThrow(/HUAWEICLOUD_CREDENTIALS_PARAMETER\) must be exactly/);
    await expect(out).rejects.not.toThrow(/do-not-print-me/);
    aws.parameters.set(CREDENTIALS_PARAM, JSON.stringify({ ak: AK, sk: SK }));
  });
});

describe('[deploy] the bundled HTTP client', () => {
  it('posts to IAM for a token and pages DLI with it (undici request and Pool inside the bundle)', async () => {
    const user = { domainName: 'acme', userName: 'sync-bot', password: 'p@ss-word-1' };
    const emu = await startDliEmulator({ credentials: {}, iamUsers: [user] });
    try {
      emu.setConnections(PROJECT, makeConnections(30, { seed: 13 }));
      const store = await createTestStore();
      const { result } = await invoke(
        'sync',
        {},
        {
          ...LOCAL_AWS_ENV,
          AWS_ENDPOINT_URL_DYNAMODB: ddbEndpoint(),
          TABLE_NAME: store.tableName,
          DLI_TARGETS: `${REGION}:${PROJECT}`,
          DLI_ENDPOINT: emu.url,
          HUAWEICLOUD_SDK_IAM_USER: user.userName,
          HUAWEICLOUD_SDK_IAM_DOMAIN: user.domainName,
          HUAWEICLOUD_SDK_IAM_PASSWORD: user.password,
          HUAWEICLOUD_SDK_IAM_ENDPOINT: emu.url,
        },
      );
      expect(result).toMatchObject({ ok: true, runs: [{ outcome: 'complete' }] });
      expect(emu.iamRequests()).toBe(1);
      expect((await listConnections(store, { region: REGION, projectId: PROJECT })).items).toHaveLength(30);
    } finally {
      await emu.close();
    }
  });
});

describe('[deploy] the weekly report bundle', () => {
  it('writes the report to S3 and posts the line to the opted-in channel, never logging the link', async () => {
    const [s3, chat, store] = await Promise.all([startS3Sink(), startWebhookSink(), createTestStore()]);
    try {
      const { result, stdout, stderr } = await invoke(
        'weeklyReport',
        {},
        {
          ...LOCAL_AWS_ENV,
          AWS_ENDPOINT_URL_DYNAMODB: ddbEndpoint(),
          // An IP-address endpoint makes the SDK address the bucket path-style, as the sink expects.
          AWS_ENDPOINT_URL_S3: s3.endpoint,
          TABLE_NAME: store.tableName,
          DLI_TARGETS: `${REGION}:${PROJECT}`,
          NOTIFY_ALLOW_PRIVATE_HOSTS: 'true',
          NOTIFY_CHANNELS: JSON.stringify([
            { name: 'weekly', type: 'webhook', url: chat.url('/weekly'), secret: 'x', weeklyReport: true },
            { name: 'ops', type: 'webhook', url: chat.url('/ops'), secret: 'x' },
          ]),
          WEEKLY_REPORT_BUCKET: 'acme-dli-reports',
          POWERTOOLS_SERVICE_NAME: 'dli-sync-test',
        },
      );
      const answer = result as { week: string; key: string; posts: unknown[] };
      expect(answer.key).toBe(`reports/${answer.week}.html`);
      expect(answer.posts).toEqual([{ channel: 'weekly', ok: true, reason: null }]);
      expect(s3.objects.get(`acme-dli-reports/${answer.key}`)?.body).toMatch(/^<!doctype html>/i);
      expect(chat.to('/ops')).toHaveLength(0);
      expect(chat.to('/weekly')).toHaveLength(1);
      const link = (chat.to('/weekly')[0]?.json as { link?: string } | undefined)?.link ?? '';
      expect(new URL(link).searchParams.get('X-Amz-Expires')).toBe('86400');
      expect(stdout).toContain('weekly report written');
      for (const out of [stdout, stderr, JSON.stringify(result)])
        expect(out).not.toContain('X-Amz-Signature');
    } finally {
      await Promise.all([s3.close(), chat.close()]);
    }
  });
});
