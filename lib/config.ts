/**
 * Environment → one validated configuration. The only module that reads process.env; everything else
 * receives what it needs. A bad value is a ConfigError naming the variable and what is expected.
 */
import { z } from 'zod';
import type { Credentials } from './dli/types.ts';
import { ConfigError } from './errors.ts';
import { DEFAULT_FUSE, type FusePolicy } from './model/fuse-policy.ts';
import type { Target } from './model/schemas.ts';
import type { TargetEntry } from './model/target-spec.ts';
import { type DiscoveryConfig, loadTargetSources, parseTargetList } from './target-config.ts';
import { defaultEndpoint, isLoopbackHost, parseEndpoint, ssmParameterName, wholeNumber } from './validate.ts';

export type Env = Record<string, string | undefined>;

export const DEFAULT_RETENTION_DAYS = 400;

/**
 * The explicit `region:projectId` targets of a DLI_TARGETS-format list (its `auto` and `!` entries
 * are target resolution's: lib/dli/discovery.ts). `source` names where the list came from in
 * errors: DLI_TARGETS, or the SSM parameter that DLI_TARGETS_PARAMETER points at (lib/secrets.ts).
 */
export function parseTargets(
  value: string | undefined,
  endpointOverride: string | undefined,
  source = 'DLI_TARGETS',
): Target[] {
  const endpoint = endpointOverride ? parseEndpoint(endpointOverride, 'DLI_ENDPOINT') : null;
  return parseTargetList(value, source).flatMap((e) =>
    e.kind === 'explicit'
      ? [{ region: e.region, projectId: e.projectId, endpoint: endpoint ?? defaultEndpoint('dli', e.region) }]
      : [],
  );
}

/** An optional whole-number variable within [min, max]; a bad value names the variable and the range. */
export function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = wholeNumber(name, min, max).safeParse(raw.trim());
  if (!n.success) {
    throw new ConfigError(`${name} is "${raw.slice(0, 20)}"; expected a whole number from ${min} to ${max}`);
  }
  return n.data;
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
  /** The explicit targets until resolveTargets (lib/dli/discovery.ts) replaces them with every target. */
  targets: Target[];
  /** The default credential (entries without `<account>@`). */
  credentials: Credentials;
  /** DLI_TARGETS as written: explicit, auto and exclusion entries with their credential scopes. */
  entries?: TargetEntry[];
  /** Named credentials (HUAWEICLOUD_CREDENTIALS) by account. */
  accounts?: Record<string, Credentials>;
  discovery?: DiscoveryConfig;
  /** Set by resolveTargets: the credential of each target (key targetSpec); the default otherwise. */
  targetCredentials?: ReadonlyMap<string, Credentials>;
  pageSize: number;
  /** Page requests in flight per target. */
  pageConcurrency: number;
  /** Targets swept at once. */
  targetConcurrency: number;
  /** A sweep gives up after this long; below the Lambda timeout so the run record is still written. */
  sweepDeadlineMs: number;
  /** The target's lease: how long it lasts unrenewed, and how often a live run renews it (30 s, 10 s). */
  leaseDurationMs?: number;
  leaseHeartbeatMs?: number;
  /** The mass-deletion safety fuse (lib/sync/fuse.ts, thresholds in lib/model/fuse-policy.ts); DEFAULT_FUSE when absent. */
  fuse?: FusePolicy;
  /** PEERING_STUCK_AFTER in ms (lib/sync/stuck.ts); null: off; absent: the default, 15 minutes. */
  stuckAfterMs?: number | null;
}

const DURATION_UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * PEERING_STUCK_AFTER: a duration such as `15m`, `90m`, `2h`, `1d` (at least a minute, at most 30
 * days), or `0` / `off` to turn stuck alerts off. Unset: undefined (the sync's default).
 */
export function loadStuckAfter(env: Env): number | null | undefined {
  const raw = env.PEERING_STUCK_AFTER?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (raw === '0' || raw.toLowerCase() === 'off') return null;
  const m = /^(\d{1,6})([smhd])$/.exec(raw);
  const ms = m ? Number(m[1]) * DURATION_UNIT_MS[m[2] as keyof typeof DURATION_UNIT_MS] : 0;
  if (!m || ms < 60_000 || ms > 30 * 86_400_000) {
    throw new ConfigError(
      `PEERING_STUCK_AFTER is "${raw.slice(0, 20)}"; expected a duration from 1m to 30d such as 15m, 90m, 2h, or 0/off`,
    );
  }
  return ms;
}

/** The fuse's thresholds: DELETION_FUSE_PERCENT, DELETION_FUSE_MIN_COUNT, DELETION_FUSE_CONFIRM_SWEEPS. */
export function loadFusePolicy(env: Env): FusePolicy {
  const confirmAfterSweeps = intVar(env, 'DELETION_FUSE_CONFIRM_SWEEPS', 0, 0, 1000);
  // 1 would let the sweep that trips the fuse confirm itself: the fuse would never hold anything.
  if (confirmAfterSweeps === 1) {
    throw new ConfigError(
      'DELETION_FUSE_CONFIRM_SWEEPS is "1"; expected 0 (only an operator confirms) or 2 to 1000 agreeing sweeps',
    );
  }
  return FusePolicySchema.parse({
    sharePercent: intVar(env, 'DELETION_FUSE_PERCENT', DEFAULT_FUSE.sharePercent, 0, 100),
    minCount: intVar(env, 'DELETION_FUSE_MIN_COUNT', DEFAULT_FUSE.minCount, 0, 1_000_000),
    confirmAfterSweeps,
  });
}

const FusePolicySchema = z.object({
  sharePercent: z.number().int().min(0).max(100),
  minCount: z.number().int().nonnegative(),
  confirmAfterSweeps: z.number().int().nonnegative(),
});

/** LEASE_DURATION_SECONDS (default 30) and LEASE_HEARTBEAT_SECONDS (default 10). */
export function loadLease(env: Env): { leaseDurationMs: number; leaseHeartbeatMs: number } {
  const duration = intVar(env, 'LEASE_DURATION_SECONDS', 30, 5, 3600);
  const heartbeat = intVar(env, 'LEASE_HEARTBEAT_SECONDS', 10, 1, 1800);
  // Two beats per lease at least: one slow or failed renewal must not lose the lease.
  if (heartbeat * 2 > duration) {
    throw new ConfigError(
      `LEASE_HEARTBEAT_SECONDS is ${heartbeat}; expected at most half of LEASE_DURATION_SECONDS (${duration})`,
    );
  }
  return { leaseDurationMs: duration * 1000, leaseHeartbeatMs: heartbeat * 1000 };
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
  const sources = loadTargetSources(env, () => loadCredentials(env));
  // Null only when every entry names its account: the default is then never used.
  const credentials = sources.defaultCredentials ?? Object.values(sources.accounts)[0];
  if (!credentials)
    throw new ConfigError('HUAWEICLOUD_CREDENTIALS defines no credential; expected at least one');
  return {
    ...store,
    targets,
    credentials,
    entries: sources.entries,
    accounts: sources.accounts,
    discovery: sources.discovery,
    pageSize: intVar(env, 'DLI_PAGE_SIZE', 100, 1, 1000),
    pageConcurrency: intVar(env, 'DLI_PAGE_CONCURRENCY', 4, 1, 32),
    targetConcurrency: intVar(env, 'DLI_TARGET_CONCURRENCY', 4, 1, 64),
    sweepDeadlineMs: intVar(env, 'DLI_SWEEP_DEADLINE_SECONDS', 600, 5, 3600) * 1000,
    ...loadLease(env),
    fuse: loadFusePolicy(env),
    ...stuckAfterOf(env),
  };
}

/** Unset PEERING_STUCK_AFTER leaves the field out, so the sync's default applies. */
function stuckAfterOf(env: Env): { stuckAfterMs?: number | null } {
  const ms = loadStuckAfter(env);
  return ms === undefined ? {} : { stuckAfterMs: ms };
}

/** Targets for read commands: DLI_TARGETS when set (no credentials needed to read the table). */
export function loadQueryTargets(env: Env): Target[] {
  return parseTargets(env.DLI_TARGETS, env.DLI_ENDPOINT || undefined);
}

/** The DLI endpoint of a region as configured: DLI_ENDPOINT when set, else the region's own. */
export const endpointFor =
  (env: Env) =>
  (region: string): string =>
    env.DLI_ENDPOINT ? parseEndpoint(env.DLI_ENDPOINT, 'DLI_ENDPOINT') : defaultEndpoint('dli', region);

/** An SSM parameter name as an environment variable gives it; null when unset. */
export function parameterName(env: Env, variable: string): string | null {
  return ssmParameterName(env[variable], variable);
}

/** Where the deployed functions read their secrets and targets (lib/secrets.ts does the reading). */
export interface ParameterSources {
  /** SecureString with {"ak":"…","sk":"…"}; wins over HUAWEICLOUD_SDK_AK/SK. */
  credentials: string | null;
  /** String or SecureString with DLI_TARGETS's format; wins over DLI_TARGETS. */
  targets: string | null;
  /** How long a read value is trusted before it is read again (rotation, new targets). */
  credentialsMaxAgeMs: number;
  targetsMaxAgeMs: number;
}

export function loadParameterSources(env: Env): ParameterSources {
  return {
    credentials: parameterName(env, 'HUAWEICLOUD_CREDENTIALS_PARAMETER'),
    targets: parameterName(env, 'DLI_TARGETS_PARAMETER'),
    credentialsMaxAgeMs: intVar(env, 'SECRETS_MAX_AGE_SECONDS', 900, 0, 86_400) * 1000,
    targetsMaxAgeMs: intVar(env, 'TARGETS_MAX_AGE_SECONDS', 60, 0, 86_400) * 1000,
  };
}

/** How the scheduled function spreads its work; see lib/sync/fanout.ts for the rule. */
export interface ScheduleConfig {
  /** The fan-out queue; null = every target is swept in the scheduled invocation itself. */
  fanoutQueueUrl: string | null;
  /**
   * More targets than this (and a queue) → one SQS message per target. Null: decided by what fits
   * in the invocation's remaining time (lib/sync/fanout.ts inlineCapacity).
   */
  fanoutThreshold: number | null;
  /** The schedule's period: fan-out messages older than one interval are dropped as superseded. */
  intervalMs: number;
  /** A target whose newest complete sweep is older than this many intervals counts as stale. */
  staleAfterIntervals: number;
  /** REMIND_AFTER: remind of an open, unacknowledged failure this often; 0 (or absent) = off. */
  remindAfterMs?: number | undefined;
}

/** REMIND_AFTER: `4h` (default), `90m`, `1d`; `0` or `off` turns periodic reminders off. */
export function parseRemindAfter(value: string | undefined): number {
  const v = value?.trim().toLowerCase();
  if (v === undefined || v === '') return 4 * 3_600_000;
  if (v === '0' || v === 'off') return 0;
  const m = /^(\d{1,5})([mhd])$/.exec(v);
  const ms = m ? Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'] : 0;
  if (ms < 15 * 60_000 || ms > 30 * 86_400_000)
    throw new ConfigError('REMIND_AFTER must be a duration from 15m to 30d such as 4h, or 0/off');
  return ms;
}

/** `rate(15 minutes)` (EventBridge's syntax, as serverless.yml passes it) → milliseconds. */
export function parseRate(value: string, variable: string): number {
  const m = /^rate\((\d{1,6}) (minute|minutes|hour|hours|day|days)\)$/.exec(value.trim());
  const n = m ? Number(m[1]) : 0;
  if (!m || n < 1) {
    throw new ConfigError(
      `${variable} is "${value.slice(0, 40)}"; expected an EventBridge rate such as rate(15 minutes)`,
    );
  }
  const unit = m[2]?.startsWith('minute') ? 60_000 : m[2]?.startsWith('hour') ? 3_600_000 : 86_400_000;
  return n * unit;
}

/** A local SQS stand-in (tests): plain http is fine on loopback only. */
function isLocalHttp(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' && isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}

export function loadScheduleConfig(env: Env): ScheduleConfig {
  const queue = env.SYNC_FANOUT_QUEUE_URL?.trim() || null;
  if (
    queue &&
    !/^https:\/\/[A-Za-z0-9.-]+(:\d+)?\/\d{12}\/[A-Za-z0-9_-]{1,80}$/.test(queue) &&
    !isLocalHttp(queue)
  ) {
    throw new ConfigError(
      'SYNC_FANOUT_QUEUE_URL is not an SQS queue URL; expected e.g. https://sqs.eu-west-1.amazonaws.com/123456789012/dli-sync-prod-fanout',
    );
  }
  return {
    fanoutQueueUrl: queue,
    fanoutThreshold: env.SYNC_FANOUT_THRESHOLD ? intVar(env, 'SYNC_FANOUT_THRESHOLD', 0, 0, 100_000) : null,
    intervalMs: env.SYNC_SCHEDULE_RATE
      ? parseRate(env.SYNC_SCHEDULE_RATE, 'SYNC_SCHEDULE_RATE')
      : 15 * 60_000,
    staleAfterIntervals: intVar(env, 'SYNC_STALE_AFTER_INTERVALS', 3, 1, 1000),
    remindAfterMs: parseRemindAfter(env.REMIND_AFTER),
  };
}
