/** IAM password auth against the emulator's `POST /v3/auth/tokens`: token use, caching, renewal. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DliEmulator, startDliEmulator } from '../../../infra/local/dli-emulator.ts';
import { makeConnections } from '../../../infra/local/emulator-data.ts';
import { closeDliPools } from '../../../lib/dli/client.ts';
import {
  clearIamTokenCache,
  getIamToken,
  passwordAuthBody,
  TOKEN_REFRESH_MARGIN_MS,
} from '../../../lib/dli/iam.ts';
import { sweepTarget } from '../../../lib/dli/sweep.ts';
import type { Credentials } from '../../../lib/dli/types.ts';
import type { Target } from '../../../lib/model/schemas.ts';

const PROJECT = '1a3000000000000000000000000000bb';
const PASSWORD = 'S3cret!pass-do-not-log';
const user = { domainName: 'acme', userName: 'syncbot', password: PASSWORD };
const DAY = 24 * 3600_000;

let emu: DliEmulator;
let target: Target;
let iam: Extract<Credentials, { kind: 'iam' }>;

beforeAll(async () => {
  emu = await startDliEmulator({ credentials: {}, iamUsers: [user] });
  target = { region: 'cn-north-4', projectId: PROJECT, endpoint: emu.url };
  iam = { kind: 'iam', ...user, iamEndpoint: emu.url };
  emu.setConnections(PROJECT, makeConnections(120, { seed: 5 }));
});
afterAll(async () => {
  await closeDliPools();
  await emu.close();
});
beforeEach(() => {
  clearIamTokenCache();
});

describe('IAM token auth', () => {
  it('sends the documented password identity scoped to the project', () => {
    expect(JSON.parse(passwordAuthBody(iam, 'p1'))).toEqual({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'syncbot', password: PASSWORD, domain: { name: 'acme' } } },
        },
        scope: { project: { id: 'p1' } },
      },
    });
  });

  it('gets one token, uses it for every page, and reuses it on the next sweep', async () => {
    const before = emu.iamRequests();
    const first = await sweepTarget(target, { credentials: iam, pageSize: 50 });
    expect(first.complete).toBe(true);
    expect(first.records).toHaveLength(120);
    const second = await sweepTarget(target, { credentials: iam, pageSize: 50 });
    expect(second.complete).toBe(true);
    expect(emu.iamRequests() - before).toBe(1);
  });

  it('shares one IAM request among concurrent callers', async () => {
    const before = emu.iamRequests();
    const tokens = await Promise.all(Array.from({ length: 5 }, () => getIamToken(target, iam)));
    expect(new Set(tokens).size).toBe(1);
    expect(emu.iamRequests() - before).toBe(1);
  });

  it('renews the token 5 minutes before it expires', async () => {
    const t0 = Date.now();
    const before = emu.iamRequests();
    const token = await getIamToken(target, iam, { now: () => t0 });
    const justBefore = t0 + DAY - TOKEN_REFRESH_MARGIN_MS - 60_000;
    expect(await getIamToken(target, iam, { now: () => justBefore })).toBe(token);
    expect(emu.iamRequests() - before).toBe(1);
    const inMargin = t0 + DAY - TOKEN_REFRESH_MARGIN_MS + 60_000;
    expect(await getIamToken(target, iam, { now: () => inMargin })).not.toBe(token);
    expect(emu.iamRequests() - before).toBe(2);
  });

  it('gets a fresh token once when the cached one is rejected', async () => {
    await getIamToken(target, iam);
    emu.revokeTokens();
    const before = emu.iamRequests();
    const result = await sweepTarget(target, { credentials: iam, pageSize: 200 });
    expect(result.error).toBeNull();
    expect(result.records).toHaveLength(120);
    expect(emu.iamRequests() - before).toBe(1);
  });

  it('reports a wrong password as incomplete, without the password', async () => {
    const wrong = { ...iam, password: 'not-the-password-123' };
    const result = await sweepTarget(target, { credentials: wrong });
    expect(result.complete).toBe(false);
    expect(result.error?.message).toMatch(
      new RegExp(
        `^IAM token request failed for cn-north-4/${PROJECT}: HTTP 401, 401: The username or password is wrong\\.$`,
      ),
    );
    expect(result.error?.message).not.toContain('not-the-password-123');
    expect(result.error?.details.retryable).toBe(false);
  });
});
