/**
 * Environment → one validated configuration. The only module that reads process.env; everything else
 * receives what it needs. A bad value is a ConfigError naming the variable and what is expected.
 */
import { z } from 'zod';
import type { Credentials } from './dli/types.ts';
import { ConfigError } from './errors.ts';
import type { Target } from './model.ts';

export type Env = Record<string, string | undefined>;

const REGION = /^[a-z]{2,}(-[a-z0-9]+)+$/;
const PROJECT = /^[A-Za-z0-9_-]{1,64}$/;

export const DEFAULT_RETENTION_DAYS = 400;

function defaultEndpoint(region: string): string {
  // The one region whose endpoint is not on myhuaweicloud.com (dli-api-facts.md).
  return region === 'eu-west-101'
    ? 'https://dli.eu-west-101.myhuaweicloud.eu'
    : `https://dli.${region}.myhuaweicloud.com`;
}

const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);

/** https only, except loopback (the emulator): credentials must never cross a network in clear text. */
export function parseEndpoint(value: string, variable: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${variable} is not a URL; expected e.g. https://dli.cn-north-4.myhuaweicloud.com`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new ConfigError(`${variable} must use https (plain http is accepted only for a loopback address)`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError(
      `${variable} must be a bare origin with an optional path, without credentials or query`,
    );
  }
  return url.toString().replace(/\/$/, '');
}

export function parseTargets(value: string | undefined, endpointOverride: string | undefined): Target[] {
  if (!value?.trim()) {
    throw new ConfigError(
      'DLI_TARGETS is not set; expected comma-separated region:projectId pairs, e.g. cn-north-4:0a1b2c',
    );
  }
  const seen = new Set<string>();
  return value.split(',').map((entry) => {
    const [region = '', projectId = '', ...extra] = entry.trim().split(':');
    if (!REGION.test(region) || !PROJECT.test(projectId) || extra.length > 0) {
      throw new ConfigError(
        `DLI_TARGETS entry "${entry.trim().slice(0, 80)}" is not region:projectId (e.g. cn-north-4:0a1b2c3d)`,
      );
    }
    const key = `${region}:${projectId}`;
    if (seen.has(key)) throw new ConfigError(`DLI_TARGETS lists ${key} twice; expected each target once`);
    seen.add(key);
    return {
      region,
      projectId,
      endpoint: endpointOverride ? parseEndpoint(endpointOverride, 'DLI_ENDPOINT') : defaultEndpoint(region),
    };
  });
}

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} is "${raw.slice(0, 20)}"; expected a whole number from ${min} to ${max}`);
  }
  return n;
}

const TableName = z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/);

export interface StoreConfig {
  tableName: string;
  retentionDays: number;
}

export function loadStoreConfig(env: Env): StoreConfig {
  const table = env.TABLE_NAME;
  if (!table) throw new ConfigError('TABLE_NAME is not set; expected the DynamoDB table name, e.g. dli-sync');
  if (!TableName.safeParse(table).success) {
    throw new ConfigError(
      'TABLE_NAME is not a valid DynamoDB table name; expected 3-255 of A-Z a-z 0-9 _ . -',
    );
  }
  return {
    tableName: table,
    retentionDays: intVar(env, 'HISTORY_RETENTION_DAYS', DEFAULT_RETENTION_DAYS, 1, 36500),
  };
}

export interface SyncConfig extends StoreConfig {
  targets: Target[];
  credentials: Credentials;
  pageSize: number;
  /** Page requests in flight per target. */
  pageConcurrency: number;
  /** Targets swept at once. */
  targetConcurrency: number;
  /** A sweep gives up after this long; below the Lambda timeout so the run record is still written. */
  sweepDeadlineMs: number;
}

export function loadCredentials(env: Env): Credentials {
  const ak = env.HUAWEICLOUD_SDK_AK;
  const sk = env.HUAWEICLOUD_SDK_SK;
  if (ak || sk) {
    if (!ak)
      throw new ConfigError(
        'HUAWEICLOUD_SDK_AK is not set; expected the access key that goes with HUAWEICLOUD_SDK_SK',
      );
    if (!sk)
      throw new ConfigError(
        'HUAWEICLOUD_SDK_SK is not set; expected the secret key that goes with HUAWEICLOUD_SDK_AK',
      );
    return { kind: 'aksk', ak, sk, securityToken: env.HUAWEICLOUD_SDK_SECURITY_TOKEN || undefined };
  }
  const token = env.HUAWEICLOUD_SDK_AUTH_TOKEN;
  if (token) return { kind: 'token', token };
  const user = env.HUAWEICLOUD_SDK_IAM_USER;
  if (user) {
    const domainName = env.HUAWEICLOUD_SDK_IAM_DOMAIN;
    const password = env.HUAWEICLOUD_SDK_IAM_PASSWORD;
    if (!domainName)
      throw new ConfigError(
        'HUAWEICLOUD_SDK_IAM_DOMAIN is not set; expected the account (domain) name of HUAWEICLOUD_SDK_IAM_USER',
      );
    if (!password)
      throw new ConfigError(
        'HUAWEICLOUD_SDK_IAM_PASSWORD is not set; expected the password of HUAWEICLOUD_SDK_IAM_USER',
      );
    const endpoint = env.HUAWEICLOUD_SDK_IAM_ENDPOINT;
    return {
      kind: 'iam',
      domainName,
      userName: user,
      password,
      iamEndpoint: endpoint ? parseEndpoint(endpoint, 'HUAWEICLOUD_SDK_IAM_ENDPOINT') : undefined,
    };
  }
  throw new ConfigError(
    'HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK are not set; expected an access key pair (or HUAWEICLOUD_SDK_AUTH_TOKEN, or HUAWEICLOUD_SDK_IAM_USER with _DOMAIN and _PASSWORD)',
  );
}

export function loadSyncConfig(env: Env): SyncConfig {
  const store = loadStoreConfig(env);
  const targets = parseTargets(env.DLI_TARGETS, env.DLI_ENDPOINT || undefined);
  return {
    ...store,
    targets,
    credentials: loadCredentials(env),
    pageSize: intVar(env, 'DLI_PAGE_SIZE', 100, 1, 1000),
    pageConcurrency: intVar(env, 'DLI_PAGE_CONCURRENCY', 4, 1, 32),
    targetConcurrency: intVar(env, 'DLI_TARGET_CONCURRENCY', 4, 1, 64),
    sweepDeadlineMs: intVar(env, 'DLI_SWEEP_DEADLINE_SECONDS', 600, 5, 3600) * 1000,
  };
}

/** Targets for read commands: DLI_TARGETS when set (no credentials needed to read the table). */
export function loadQueryTargets(env: Env): Target[] {
  return parseTargets(env.DLI_TARGETS, env.DLI_ENDPOINT || undefined);
}
