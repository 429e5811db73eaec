/**
 * dli-sync: the command line. Same library calls as the Lambda functions; readable tables for
 * people, --json for scripts. Exit codes: 0 ok, 1 a sync did not complete or an operation failed,
 * 2 bad usage or configuration (nothing written).
 */

import { parseArgs } from 'node:util';
import { z } from 'zod';
import { route } from '../lib/api/routes.ts';
import { storeFor } from '../lib/app.ts';
import { type Env, loadQueryTargets, loadStoreConfig, loadSyncConfig } from '../lib/config.ts';
import { closeDliPools } from '../lib/dli/client.ts';
import { ConfigError, describeError } from '../lib/errors.ts';
import type { Connection, RunRecord } from '../lib/model.ts';
import { channelSource, loadNotifyOptions } from '../lib/notify/config.ts';
import { redeliver } from '../lib/notify/deliver.ts';
import { loadChannels } from '../lib/notify/ssm.ts';
import { listConnections, listEvents, listHistory, listRuns } from '../lib/store/query.ts';
import { setupTable } from '../lib/store/setup.ts';
import { snapshotAt } from '../lib/store/snapshot.ts';
import { syncAll } from '../lib/sync/run.ts';
import {
  connectionsTable,
  eventsTable,
  historyTable,
  inventoryCsv,
  peeringsTable,
  runLine,
  runsTable,
} from './format.ts';
import { terminalText } from './terminal.ts';

const USAGE = `usage: dli-sync <command> [options]
  setup                          create the DynamoDB table (idempotent)
  sync [--json]                  sync every configured target once
  connections [--status S] [--json]
  history <connection-id> [--from ISO] [--to ISO] [--limit N] [--desc] [--json]
  events [--from ISO] [--to ISO] [--limit N] [--desc] [--json]
  runs [--from ISO] [--to ISO] [--limit N] [--json]
  peerings [--status S] [--json]                 peerings in a status (default FAILED), all targets
  snapshot --at ISO [--include-deleted] [--json|--csv]   the inventory as it was at that instant
  export [--json|--csv]                           the current inventory (tombstones included)
  redeliver (--event ID | --failed [--from ISO] [--to ISO]) [--json]   resend events to chat channels`;

const OPTIONS = {
  json: { type: 'boolean' },
  csv: { type: 'boolean' },
  at: { type: 'string' },
  'include-deleted': { type: 'boolean' },
  event: { type: 'string' },
  failed: { type: 'boolean' },
  status: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  limit: { type: 'string' },
  desc: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const isoInstant = (flag: string) =>
  z
    .string()
    .refine(
      (s) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(s) && !Number.isNaN(Date.parse(s)),
      {
        message: `--${flag} must be an ISO-8601 time, e.g. 2026-11-28T10:00:00Z`,
      },
    )
    .transform((s) => new Date(s).toISOString());

const FlagsSchema = z.object({
  json: z.boolean().default(false),
  csv: z.boolean().default(false),
  'include-deleted': z.boolean().default(false),
  failed: z.boolean().default(false),
  event: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { message: '--event must be an event id such as evt_…' })
    .optional(),
  at: isoInstant('at').optional(),
  desc: z.boolean().default(false),
  status: z
    .string()
    .regex(/^[A-Za-z_]{1,32}$/, {
      message: '--status must be a status word such as ACTIVE, FAILED or DELETED',
    })
    .transform((s) => s.toUpperCase())
    .optional(),
  from: isoInstant('from').optional(),
  to: isoInstant('to').optional(),
  limit: z
    .string()
    .regex(/^\d+$/, { message: '--limit must be a whole number from 1 to 10000' })
    .transform(Number)
    .refine((n) => n >= 1 && n <= 10_000, { message: '--limit must be a whole number from 1 to 10000' })
    .optional(),
});
type Flags = z.infer<typeof FlagsSchema>;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export async function main(argv: string[], env: Env, io: Io): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    io.err(`dli-sync: ${describeError(err)}\n${USAGE}`);
    return 2;
  }
  const [command, ...positionals] = parsed.positionals;
  if (parsed.values.help || !command) {
    (command ? io.out : io.err)(USAGE);
    return command || parsed.values.help ? 0 : 2;
  }
  const flags = FlagsSchema.safeParse(parsed.values);
  if (!flags.success) {
    io.err(`dli-sync: ${flags.error.issues[0]?.message ?? 'invalid option'}`);
    return 2;
  }
  if (flags.data.json && flags.data.csv) {
    io.err('dli-sync: --json and --csv exclude each other; pick one');
    return 2;
  }
  try {
    return await run(command, positionals, flags.data, env, io);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`dli-sync: ${terminalText(err.message)}`);
      return 2;
    }
    io.err(`dli-sync: ${terminalText(friendly(err, env))}`);
    return 1;
  }
}

async function run(command: string, args: string[], flags: Flags, env: Env, io: Io): Promise<number> {
  const print = (value: unknown, text: () => string): void =>
    io.out(flags.json ? JSON.stringify(value, null, 2) : text());
  switch (command) {
    case 'setup': {
      noArgs(command, args);
      const store = storeFor(loadStoreConfig(env));
      const outcome = await setupTable(store);
      io.out(
        `table ${store.tableName} ${outcome === 'created' ? 'created' : 'already exists'}; TTL on expiresAt`,
      );
      return 0;
    }
    case 'sync': {
      noArgs(command, args);
      const config = loadSyncConfig(env);
      const store = storeFor(config);
      const summary = await syncAll(config, {
        store,
        onProgress: (p) => {
          if (flags.json) return;
          if (p.kind === 'target-start') io.err(`syncing ${p.target.region}/${p.target.projectId} …`);
          else io.out(runLine(p.run));
        },
      });
      if (flags.json) io.out(JSON.stringify(summary.runs, null, 2));
      // Keep-alive sockets would otherwise hold the process open for their idle timeout.
      await closeDliPools();
      return summary.ok ? 0 : 1;
    }
    case 'connections': {
      noArgs(command, args);
      const store = storeFor(loadStoreConfig(env));
      const all: Connection[] = [];
      for (const target of loadQueryTargets(env)) all.push(...(await listConnections(store, target)).items);
      const list = flags.status ? all.filter((c) => c.status === flags.status) : all;
      print(list, () => connectionsTable(list));
      return 0;
    }
    case 'history': {
      const [id, ...extra] = args;
      if (!id || extra.length)
        throw new ConfigError('history takes exactly one connection id, e.g. dli-sync history 4c693ecc-…');
      const store = storeFor(loadStoreConfig(env));
      const page = await listHistory(store, id, {
        from: flags.from,
        to: flags.to,
        limit: flags.limit,
        order: flags.desc ? 'desc' : 'asc',
      });
      if (page.items.length === 0 && !flags.json) {
        io.err(`no history for connection ${id}`);
        return 0;
      }
      print(page.items, () => historyTable(page.items));
      return 0;
    }
    case 'events': {
      noArgs(command, args);
      const store = storeFor(loadStoreConfig(env));
      const page = await listEvents(store, {
        from: flags.from,
        to: flags.to,
        limit: flags.limit,
        order: flags.desc ? 'desc' : 'asc',
      });
      print(page.items, () => eventsTable(page.items));
      return 0;
    }
    case 'runs': {
      noArgs(command, args);
      const store = storeFor(loadStoreConfig(env));
      const runs: RunRecord[] = [];
      for (const target of loadQueryTargets(env))
        runs.push(
          ...(await listRuns(store, target, { limit: flags.limit ?? 20, from: flags.from, to: flags.to }))
            .items,
        );
      runs.sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
      print(runs, () => runsTable(runs));
      return 0;
    }
    case 'peerings': {
      noArgs(command, args);
      const store = storeFor(loadStoreConfig(env));
      const targets = loadQueryTargets(env);
      const res = await route({ store, targets }, 'GET', '/peerings', {
        status: flags.status ?? 'FAILED',
        limit: '1000',
      });
      const items = (res.body as { items: Parameters<typeof peeringsTable>[0] }).items;
      print(items, () => peeringsTable(items));
      return 0;
    }
    case 'snapshot':
    case 'export': {
      noArgs(command, args);
      const store = storeFor(loadStoreConfig(env));
      const list: Parameters<typeof inventoryCsv>[0] = [];
      for (const target of loadQueryTargets(env)) {
        if (command === 'export') list.push(...(await listConnections(store, target)).items);
        else {
          if (!flags.at)
            throw new ConfigError('snapshot needs --at, an ISO-8601 time, e.g. --at 2026-11-28T10:00:00Z');
          list.push(
            ...(await snapshotAt(store, target, flags.at, { includeDeleted: flags['include-deleted'] })),
          );
        }
      }
      if (flags.csv) io.out(inventoryCsv(list));
      else print(list, () => connectionsTable(list as Connection[]));
      return 0;
    }
    case 'redeliver': {
      noArgs(command, args);
      if (Boolean(flags.event) === flags.failed) {
        throw new ConfigError('redeliver needs exactly one of --event ID or --failed');
      }
      const store = storeFor(loadStoreConfig(env));
      const channels = await loadChannels(channelSource(env));
      if (channels.length === 0)
        throw new ConfigError(
          'no chat channels configured; set NOTIFY_CHANNELS or NOTIFY_CHANNELS_PARAMETER',
        );
      const report = await redeliver(
        store,
        channels,
        flags.event ? { eventId: flags.event } : { failed: true, from: flags.from, to: flags.to },
        // Delivery logs go to stderr so that stdout stays the report (JSON with --json).
        { options: loadNotifyOptions(env), log: (entry) => io.err(JSON.stringify(entry)) },
      );
      print(report, () =>
        report.events.length === 0
          ? 'no undelivered events'
          : report.events.map((e) => `${e.eventId}: ${e.state}${describeChannels(e.channels)}`).join('\n'),
      );
      return report.events.every((e) => e.state === 'delivered') ? 0 : 1;
    }
    default:
      throw new ConfigError(
        `unknown command "${command.slice(0, 40)}"; expected one of setup, sync, connections, history, events, runs, peerings, snapshot, export, redeliver`,
      );
  }
}

function describeChannels(channels: Record<string, { status: string; reason?: string }>): string {
  const parts = Object.entries(channels).map(
    ([name, c]) => `${name} ${c.status}${c.reason ? ` (${c.reason})` : ''}`,
  );
  return parts.length ? ` — ${parts.join(', ')}` : '';
}

function noArgs(command: string, args: string[]): void {
  if (args.length) throw new ConfigError(`${command} takes no arguments, got "${args[0]?.slice(0, 40)}"`);
}

/** AWS SDK errors as one actionable line. */
function friendly(err: unknown, env: Env): string {
  const name = err instanceof Error ? err.name : '';
  if (name === 'ResourceNotFoundException')
    return `table ${env.TABLE_NAME} not found; run "dli-sync setup" first`;
  if (name === 'CredentialsProviderError')
    return 'no AWS credentials found; set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile';
  if (err instanceof Error && /ECONNREFUSED/.test(err.message))
    return `cannot reach DynamoDB (${err.message.replace(/^.*ECONNREFUSED/, 'ECONNREFUSED')})`;
  return describeError(err);
}

const isMain = process.argv[1] && /dli-sync(\.js)?$|cli\.ts$/.test(process.argv[1]);
if (isMain) {
  const code = await main(process.argv.slice(2), process.env, {
    out: (s) => process.stdout.write(`${s}\n`),
    err: (s) => process.stderr.write(`${s}\n`),
  });
  process.exitCode = code;
}
